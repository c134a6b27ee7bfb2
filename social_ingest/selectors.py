"""Reads of the connector's state shared by the admin, the supervisor dashboard,
`/readyz` and the tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Message

from .models import DeliveryAttempt, InboundEvent, MentionGap, SocialAccount

WEEK = timedelta(days=7)
LOST_TASK_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class AccountHealth:
    """What a supervisor needs to know about one organisation account."""

    account: SocialAccount
    health: str  # SocialAccount.Health value
    last_poll_at: datetime | None  # last successful poll
    last_attempt_at: datetime | None
    last_mention_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    paused_until: datetime | None  # back-off, rate limit or usage cap still in force
    consecutive_failures: int
    rate_limit_limit: int | None
    rate_limit_remaining: int | None
    rate_limit_reset_at: datetime | None
    mentions_last_week: int
    open_gaps: list[MentionGap] = field(default_factory=list)
    # No mention for `silence_alarm_hours` on an account that usually gets one by then.
    silent: bool = False
    quiet_for: timedelta | None = None
    # Active, but no successful poll for three intervals (and a minute).
    poll_overdue: bool = False

    @property
    def gaps(self) -> int:
        """How many gaps are open (not yet acknowledged)."""
        return len(self.open_gaps)

    @property
    def alarms(self) -> list[str]:
        """Machine codes of everything a supervisor should look at; [] when all is well."""
        codes = []
        if self.health != SocialAccount.Health.OK:
            codes.append(self.health)
        if self.open_gaps:
            codes.append("gap")
        if self.silent:
            codes.append("silent")
        if self.poll_overdue:
            codes.append("poll_overdue")
        return codes


def account_health(
    *, now: datetime | None = None, accounts=None, gaps_limit: int = 20
) -> list[AccountHealth]:
    """Health of every organisation account (or of `accounts`), in two queries.

    - "silent": the account received no mention for its `silence_alarm_hours`
      although, at last week's rate, at least one was to be expected by now.
    - Open gaps are those no supervisor has acknowledged (newest first).
    """
    now = now or timezone.now()
    queryset = accounts if accounts is not None else SocialAccount.objects.all()
    return [
        health_of(account, now=now, gaps_limit=gaps_limit)
        for account in with_health_data(queryset, now=now).order_by("handle")
    ]


def with_health_data(queryset, *, now: datetime):
    """Accounts with what `health_of` reads: last week's mention count and open gaps."""
    week_count = (
        InboundEvent.objects.filter(account=OuterRef("pk"), received_at__gte=now - WEEK)
        .order_by()
        .values("account")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.annotate(mentions_last_week=Coalesce(Subquery(week_count), 0)).prefetch_related(
        Prefetch(
            "gaps",
            queryset=MentionGap.objects.filter(acknowledged_at__isnull=True).order_by(
                "-detected_at"
            ),
            to_attr="open_gap_list",
        )
    )


def health_of(account: SocialAccount, *, now: datetime, gaps_limit: int = 20) -> AccountHealth:
    """One account's health; `account` comes from `with_health_data`."""
    quiet_for = now - account.last_mention_at if account.last_mention_at else None
    hours = account.silence_alarm_hours
    silent = False
    if hours and quiet_for is not None and quiet_for >= timedelta(hours=hours):
        expected = account.mentions_last_week * hours / (WEEK.total_seconds() / 3600)
        silent = expected >= 1
    overdue_after = timedelta(seconds=3 * account.poll_interval_seconds + 60)
    poll_overdue = bool(
        account.is_active and account.last_poll_at and now - account.last_poll_at > overdue_after
    )
    paused = (
        account.backoff_until if account.backoff_until and account.backoff_until > now else None
    )
    return AccountHealth(
        account=account,
        health=account.health,
        last_poll_at=account.last_poll_at,
        last_attempt_at=account.last_attempt_at,
        last_mention_at=account.last_mention_at,
        last_error=account.last_error,
        last_error_at=account.last_error_at,
        paused_until=paused,
        consecutive_failures=account.consecutive_failures,
        rate_limit_limit=account.rate_limit_limit,
        rate_limit_remaining=account.rate_limit_remaining,
        rate_limit_reset_at=account.rate_limit_reset_at,
        mentions_last_week=account.mentions_last_week,
        open_gaps=account.open_gap_list[:gaps_limit],
        silent=silent,
        quiet_for=quiet_for,
        poll_overdue=poll_overdue,
    )


def deliveries_due(*, now: datetime | None = None, stale_seconds: int) -> list[int]:
    """Replies whose delivery should be (re)tried now: a retry that has come due,
    an attempt whose worker died (unfinished for `stale_seconds`), or a queued
    reply whose task was lost (no attempt after LOST_TASK_AFTER)."""
    now = now or timezone.now()
    last = DeliveryAttempt.objects.filter(message=OuterRef("pk")).order_by("-number")
    pending = (
        Message.objects.filter(
            direction=Message.Direction.OUTBOUND,
            delivery__in=[Message.Delivery.QUEUED, Message.Delivery.SENDING],
        )
        .annotate(
            last_number=Subquery(last.values("number")[:1]),
            last_started=Subquery(last.values("started_at")[:1]),
            last_finished=Subquery(last.values("finished_at")[:1]),
            last_outcome=Subquery(last.values("outcome")[:1]),
            last_retry_at=Subquery(last.values("retry_at")[:1]),
        )
        .filter(
            Q(last_number__isnull=True, received_at__lte=now - LOST_TASK_AFTER)
            | Q(
                last_number__isnull=False,
                last_finished__isnull=True,
                last_started__lte=now - timedelta(seconds=stale_seconds),
            )
            | Q(last_outcome=DeliveryAttempt.Outcome.RETRY, last_retry_at__lte=now)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    return list(pending)
