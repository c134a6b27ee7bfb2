"""Outbound webhooks: tell subscribers when something happens to a case.

`emit(event, case)` is called by the services, inside their transaction. It
writes one `WebhookDelivery` row per interested subscriber and queues its
delivery task, so a rolled-back change tells nobody. Each delivery is POSTed
as JSON and signed:

    X-Sada-Timestamp: 1732262400
    X-Sada-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>

The timestamp is inside the signed text, so a receiver that refuses old
timestamps (say, more than 5 minutes) also refuses replays. A failed delivery
is retried with backoff by a sweep (`deliver_due`, scheduled every minute).

No SSRF: the subscriber's host is resolved and every address must be public,
when the subscriber is saved and again at each delivery; the socket actually
connected is checked too, so a DNS answer that changes between the check and
the connection (rebinding) is refused as well. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from helpdesk.logging import log_context

from .exceptions import InvalidInput
from .models import Case
from .models_api import WEBHOOK_EVENTS, WebhookDelivery, WebhookSubscriber

logger = logging.getLogger(__name__)

USER_AGENT = "Sada-Webhooks/1"
# Seconds to wait before attempt n+1 after attempt n failed; then give up.
BACKOFF_SECONDS = (30, 120, 600, 1800, 7200, 21600)
# A delivery being attempted is leased for this long, so the sweep does not
# hand it to a second worker meanwhile.
LEASE = timedelta(minutes=2)


class UnsafeWebhookURL(InvalidInput):
    code = "unsafe_webhook_url"


# --- Signing ---------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Sada-Signature value of a body sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300
) -> bool:
    """What a receiver does (and what the README shows): a fresh timestamp and a
    matching signature, compared in constant time."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(time.time() - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature or "")


# --- SSRF guard --------------------------------------------------------------------


def _address_allowed(address: str, *, allow_private: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified:
        return False
    if allow_private:
        return True
    # is_global is False for loopback, link-local (cloud metadata 169.254.169.254),
    # private, shared (100.64/10), documentation and reserved ranges.
    return ip.is_global


def _private_allowed(allow_private: bool) -> bool:
    return bool(allow_private and settings.SADA_WEBHOOKS_ALLOW_PRIVATE)


def check_url(url: str, *, allow_private: bool = False) -> list[str]:
    """Resolve the URL's host; every address must be public (or private is allowed
    by both the setting and the subscriber). Returns the addresses checked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeWebhookURL("A webhook URL must be an http(s) URL with a host.", url=url)
    if parts.username or parts.password:
        raise UnsafeWebhookURL("A webhook URL must not carry credentials.", url=url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise UnsafeWebhookURL(f"The host of the webhook URL does not resolve: {exc}") from exc
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise UnsafeWebhookURL("The host of the webhook URL does not resolve.")
    private = _private_allowed(allow_private)
    refused = [a for a in addresses if not _address_allowed(a, allow_private=private)]
    if refused:
        raise UnsafeWebhookURL(
            "The webhook URL points at a loopback, link-local or private address.",
            addresses=refused,
        )
    return addresses


class _PeerCheck:
    """Checks the address a connection actually reached (DNS may have changed)."""

    allow_private = False

    def _new_conn(self):
        sock = super()._new_conn()
        peer = sock.getpeername()[0]
        if not _address_allowed(peer, allow_private=self.allow_private):
            sock.close()
            raise UnsafeWebhookURL(
                "The webhook host resolved to a private address at connection time.",
                addresses=[peer],
            )
        return sock


class _GuardedHTTPConnection(_PeerCheck, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_PeerCheck, HTTPSConnection):
    pass


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, *, allow_private: bool):
        self._allow_private = allow_private
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        allow = self._allow_private

        class HTTPPool(HTTPConnectionPool):
            ConnectionCls = type("C", (_GuardedHTTPConnection,), {"allow_private": allow})

        class HTTPSPool(HTTPSConnectionPool):
            ConnectionCls = type("C", (_GuardedHTTPSConnection,), {"allow_private": allow})

        self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}


def _session(*, allow_private: bool) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: we check where we connect
    adapter = _GuardedAdapter(allow_private=allow_private)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- Emitting ------------------------------------------------------------------------


def case_payload(case: Case, *, now: datetime) -> dict:
    """The case as the API shows it in a list row (sla_state included)."""
    from .api.filters import case_rows
    from .api.serializers import CaseSerializer

    rows = case_rows(Case.objects.filter(pk=case.pk), now=now)
    data = CaseSerializer(rows[0]).data if rows else {"reference": case.reference}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _active_subscribers() -> list[WebhookSubscriber]:
    # Every case change asks; subscribers change rarely (see cases/cache.py).
    from .cache import config_cache

    rows = lambda: list(WebhookSubscriber.objects.filter(is_active=True).order_by("id"))  # noqa: E731
    return config_cache.get(
        "webhook_subscribers",
        stamp=lambda: [
            (s.pk, s.url, s.secret, tuple(s.events or ()), s.allow_private) for s in rows()
        ],
        load=rows,
    )


def emit(event: str, case: Case, *, now: datetime | None = None) -> list[WebhookDelivery]:
    """Queue `event` about `case` for every active subscriber that asked for it.

    Call inside the service's transaction: the delivery rows and their tasks
    commit with the change, or vanish with it.
    """
    from .services import enqueue_on_commit

    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    now = now or timezone.now()
    subscribers = [s for s in _active_subscribers() if event in (s.events or [])]
    if not subscribers:
        return []
    deliveries = []
    data = case_payload(case, now=now)
    occurred = json.loads(json.dumps(now, cls=DjangoJSONEncoder))
    for subscriber in subscribers:
        delivery = WebhookDelivery(subscriber=subscriber, event=event, case=case, created_at=now)
        # Stored as the exact JSON that is signed and sent, on every attempt.
        delivery.payload = {
            "id": str(delivery.uuid),
            "event": event,
            "created_at": occurred,
            "case": data,
        }
        delivery.next_attempt_at = now
        delivery.save()
        enqueue_on_commit("cases.webhooks.deliver", delivery.pk)
        deliveries.append(delivery)
    return deliveries


# --- Delivering ---------------------------------------------------------------------


def deliver(delivery_id: int) -> str:
    """Task: one attempt at one delivery. Safe to run twice: an attempt first
    claims the row (attempts is the row's version), so only one worker sends."""
    where = WebhookDelivery.objects.filter(pk=delivery_id)
    context = where.values("case__reference", "case__account__handle").first() or {}
    with log_context(
        case=context.get("case__reference"), account=context.get("case__account__handle")
    ):
        return _deliver(delivery_id)


def _deliver(delivery_id: int) -> str:
    now = timezone.now()
    delivery = WebhookDelivery.objects.select_related("subscriber").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (
        WebhookDelivery.Status.SUCCEEDED,
        WebhookDelivery.Status.FAILED,
    ):
        return "done"
    if delivery.next_attempt_at > now:
        return "not due"
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, status=delivery.status
    ).update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + LEASE)
    if not claimed:
        return "claimed elsewhere"
    delivery.attempts += 1
    subscriber = delivery.subscriber
    if not subscriber.is_active:
        return _finish(delivery, now, ok=False, error="subscriber deactivated", final=True)

    private = _private_allowed(subscriber.allow_private)
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Sada-Event": delivery.event,
        "X-Sada-Delivery": str(delivery.uuid),
        "X-Sada-Timestamp": str(timestamp),
        "X-Sada-Signature": sign(subscriber.secret, timestamp, body),
    }
    try:
        check_url(subscriber.url, allow_private=subscriber.allow_private)
        with _session(allow_private=private) as session:
            response = session.post(
                subscriber.url,
                data=body,
                headers=headers,
                timeout=settings.SADA_WEBHOOK_TIMEOUT,
                allow_redirects=False,
            )
    except UnsafeWebhookURL as exc:
        logger.warning("webhook %s refused: %s", delivery.uuid, exc.message)
        return _finish(delivery, now, ok=False, error=exc.message, final=True)
    except requests.RequestException as exc:
        return _finish(delivery, now, ok=False, error=f"{type(exc).__name__}: {exc}")
    ok = 200 <= response.status_code < 300
    return _finish(
        delivery,
        now,
        ok=ok,
        status_code=response.status_code,
        body=response.text[:2000],
        error="" if ok else f"HTTP {response.status_code}",
    )


def _finish(
    delivery: WebhookDelivery,
    now: datetime,
    *,
    ok: bool,
    error: str = "",
    status_code: int | None = None,
    body: str = "",
    final: bool = False,
) -> str:
    fields = {"response_status": status_code, "response_body": body, "error": error[:2000]}
    if ok:
        fields.update(status=WebhookDelivery.Status.SUCCEEDED, delivered_at=timezone.now())
    elif final or delivery.attempts > len(BACKOFF_SECONDS):
        fields.update(status=WebhookDelivery.Status.FAILED)
    else:
        wait = BACKOFF_SECONDS[delivery.attempts - 1]
        fields.update(
            status=WebhookDelivery.Status.RETRYING,
            next_attempt_at=now + timedelta(seconds=wait),
        )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    if not ok:
        logger.info("webhook %s attempt %s failed: %s", delivery.uuid, delivery.attempts, error)
    return fields["status"]


def deliver_due(limit: int = 500) -> int:
    """Scheduled every minute: queue the deliveries whose next attempt is due
    (retries after backoff, and any whose task was lost)."""
    from django_q.tasks import async_task

    now = timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        async_task("cases.webhooks.deliver", pk)
    return len(due)
