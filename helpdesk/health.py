"""Operations endpoints: /healthz (the process answers) and /readyz (it can work)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# A schedule overdue by more than this means no cluster is running it.
SCHEDULE_GRACE = timedelta(minutes=5)


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _broker() -> str:
    if not settings.REDIS_URL:
        return "ok (orm)"
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    return "ok (redis)"


def _schedules(now) -> str:
    from django_q.models import Schedule

    late = Schedule.objects.filter(next_run__lt=now - SCHEDULE_GRACE).values_list("name", flat=True)
    if late:
        raise RuntimeError("overdue: " + ", ".join(sorted(n or "?" for n in late)))
    return "ok"


def _accounts(now) -> str:
    from social_ingest.models import SocialAccount

    stale = []
    for account in SocialAccount.objects.filter(is_active=True, external_id__gt=""):
        limit = timedelta(seconds=account.poll_interval_seconds * 5) + SCHEDULE_GRACE
        waiting = account.backoff_until and account.backoff_until > now
        if not waiting and (account.last_poll_at is None or account.last_poll_at < now - limit):
            stale.append(account.handle)
    if stale:
        raise RuntimeError("not polling: " + ", ".join(stale))
    return "ok"


@never_cache
def readyz(request):
    """Database and broker reachable, schedules running, accounts polling; 503 otherwise."""
    now = timezone.now()
    checks, ready = {}, True
    for name, check in (
        ("database", _database),
        ("broker", _broker),
        ("schedules", lambda: _schedules(now)),
        ("accounts", lambda: _accounts(now)),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", shown, never a 500
            ready = False
            checks[name] = f"failing: {type(exc).__name__}: {exc}"
            logger.warning("readyz %s failing: %s", name, exc)
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
