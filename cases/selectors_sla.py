"""Reads of SLA state, escalations and notifications, shared by the UI, admin and API."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import (
    Avg,
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as CaseWhen

from . import sla
from .models import Case, Escalation, Notification, User

_OPEN = [Case.Status.NEW, Case.Status.OPEN, Case.Status.PENDING]

# Which target clocks are running: the SQL reading of sla.running_deadlines.
_FIRST_RUNNING = Q(
    status__in=_OPEN, first_response_due__isnull=False, first_responded_at__isnull=True
)
_NEXT_RUNNING = Q(status__in=_OPEN, next_response_due__isnull=False)
_RESOLUTION_RUNNING = Q(
    status__in=_OPEN, resolution_due__isnull=False, resolution_running_since__isnull=False
)
_ANY_RUNNING = _FIRST_RUNNING | _NEXT_RUNNING | _RESOLUTION_RUNNING

# Sort order of states for "most urgent first".
STATE_RANK = {sla.BREACHED: 0, sla.WARNING: 1, sla.OK: 2, sla.PAUSED: 3, sla.MET: 4}


def sla_state_expression(now: datetime) -> CaseWhen:
    """The SQL twin of `cases.sla.sla_state` (same rules, same order; tests compare)."""
    breached = (
        Q(first_response_met=False)
        | Q(next_response_met=False)
        | Q(resolution_met=False)
        | (_FIRST_RUNNING & Q(first_response_due__lt=now))
        | (_NEXT_RUNNING & Q(next_response_due__lt=now))
        | (_RESOLUTION_RUNNING & Q(resolution_due__lt=now))
    )
    warning = (
        (_FIRST_RUNNING & Q(first_response_warn_at__lte=now))
        | (_NEXT_RUNNING & Q(next_response_warn_at__lte=now))
        | (_RESOLUTION_RUNNING & Q(resolution_warn_at__lte=now))
    )
    idle = ~_ANY_RUNNING
    met = idle & (
        ~Q(status__in=_OPEN)
        | Q(first_response_met=True)
        | Q(next_response_met=True)
        | Q(resolution_met=True)
    )
    return CaseWhen(
        When(breached, then=Value(sla.BREACHED)),
        When(warning, then=Value(sla.WARNING)),
        When(idle & Q(status=Case.Status.PENDING), then=Value(sla.PAUSED)),
        When(met, then=Value(sla.MET)),
        default=Value(sla.OK),
        output_field=CharField(),
    )


def _sla_rank() -> CaseWhen:
    return CaseWhen(
        *(When(sla_state=state, then=Value(rank)) for state, rank in STATE_RANK.items()),
        output_field=IntegerField(),
    )


def with_sla_state(queryset: QuerySet[Case], now: datetime) -> QuerySet[Case]:
    """Annotate `sla_state` and `sla_rank` (0 breached .. 4 met) for filtering and sorting.

    Pure column reads: no join, usable on any case list.
    """
    queryset = queryset.annotate(sla_state=sla_state_expression(now))
    return queryset.annotate(sla_rank=_sla_rank())


def alias_sla_state(queryset: QuerySet[Case], now: datetime) -> QuerySet[Case]:
    """`sla_state` and `sla_rank` for `filter()`/`order_by()` only, not selected.

    Resolving and compiling the expression costs more CPU than the page's SQL
    itself, and rows that are displayed get their state from `set_sla_state`
    (the Python reading) — so lists add this only when a filter or sort needs it.
    """
    queryset = queryset.alias(sla_state=sla_state_expression(now))
    return queryset.alias(sla_rank=_sla_rank())


def set_sla_state(rows: Iterable[Case], now: datetime) -> None:
    """Set `sla_state` on loaded rows from their own fields (`cases.sla.sla_state`)."""
    for row in rows:
        row.sla_state = sla.sla_state(row, now)


def case_sla_state(case: Case, now: datetime) -> str:
    """`sla_state` of one loaded case (the Python reading of the same rule)."""
    return sla.sla_state(case, now)


# --- Escalations ----------------------------------------------------------------


def escalations_for_supervisor(user: User, *, open_only: bool = False) -> QuerySet[Escalation]:
    """The escalations a supervisor answers for, unacknowledged first, newest first.

    - A supervisor who is a member of queues sees those queues' escalations; one of
      no queue (and a superuser) sees all. Anyone else sees none.
    """
    if not user.is_authenticated or not user.is_active or not user.is_supervisor:
        return Escalation.objects.none()
    queryset = Escalation.objects.select_related(
        "case", "case__queue", "case__assignee", "raised_by", "acknowledged_by"
    )
    queue_ids = list(user.queues.values_list("pk", flat=True))
    if queue_ids and not user.is_superuser:
        queryset = queryset.filter(case__queue__in=queue_ids)
    if open_only:
        queryset = queryset.filter(case__status__in=_OPEN)
    return queryset.annotate(
        unacknowledged=ExpressionWrapper(
            Q(acknowledged_at__isnull=True), output_field=BooleanField()
        )
    ).order_by("-unacknowledged", "-created_at", "-id")


def escalations_of_case(case: Case) -> QuerySet[Escalation]:
    return case.escalations.select_related("raised_by", "acknowledged_by").order_by(
        "created_at", "id"
    )


# --- Notifications --------------------------------------------------------------


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(user=user).select_related(
        "case", "escalation", "escalation__raised_by"
    )
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def unread_notification_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- Reports ------------------------------------------------------------------


def sla_summary(queryset: QuerySet[Case]) -> dict:
    """First response and resolution outcomes of these cases: counts, met, average
    business seconds. Plain aggregates over the per-case reporting fields."""
    return queryset.aggregate(
        cases=Count("id"),
        first_response_measured=Count("id", filter=Q(first_response_met__isnull=False)),
        first_response_met=Count("id", filter=Q(first_response_met=True)),
        first_response_avg_seconds=Avg("first_response_seconds"),
        resolution_measured=Count("id", filter=Q(resolution_met__isnull=False)),
        resolution_met=Count("id", filter=Q(resolution_met=True)),
        resolution_avg_seconds=Avg("resolution_seconds"),
        next_response_missed=Count("id", filter=Q(next_response_met=False)),
    )
