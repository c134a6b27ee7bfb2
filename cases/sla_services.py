"""Every write to SLA clocks and escalations.

`cases/services.py` calls the `sla_*` hooks from inside its own transactions (the
case row is locked there); the sweep, `case_escalate` and
`escalation_acknowledge` are services of their own. The rules are `cases/sla.py`,
the arithmetic `cases/businesstime.py`.

How a clock is kept: the facts (when the citizen wrote, when we first replied,
the customer message a next-response target runs from, the running segments of
the resolution clock) are stored as they happen; every write then recomputes
the due and warning instants of the running targets from those facts, on the
policy's current calendar, and `sla_check_at`, the next instant the sweep has
something to do. Reads (API, lists, the sweep's selection) only read columns.
"""

from __future__ import annotations

import json
import logging
import time as monotonic_time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from helpdesk.logging import log_context

from . import events, notifications, sla, webhooks
from .businesstime import Calendar, business_seconds_between
from .cache import config_cache
from .exceptions import CaseError, InvalidInput, InvalidTransition, NotPermitted
from .models import (
    Case,
    CaseEvent,
    Escalation,
    EscalationLevel,
    Notification,
    Queue,
    SlaPolicy,
    User,
)

logger = logging.getLogger(__name__)

S = Case.Status
# Resolutions that void the targets: nothing was owed to anyone.
VOID_RESOLUTIONS = frozenset({"not_a_case", "merged"})


# --- Policies and their calendars --------------------------------------------------


@dataclass
class PolicyContext:
    """A policy with its calendar and ladder, loaded once per call or sweep."""

    policy: SlaPolicy
    levels: list[sla.LadderLevel]
    level_rows: dict[int, EscalationLevel]
    _calendars: dict[tuple[int, int], Calendar] = field(default_factory=dict)

    def calendar(self, *instants: datetime) -> Calendar:
        """The calendar with the holidays of the years around these instants."""
        years = [instant.year for instant in instants if instant is not None]
        key = (min(years) - 1, max(years) + 2)
        if key not in self._calendars:
            self._calendars[key] = self.policy.calendar.to_calendar(range(*key))
        return self._calendars[key]


def policy_context(policy_id: int | None) -> PolicyContext | None:
    """The policy with its calendar and ladder, from the per-process configuration
    cache (its calendar's holidays are computed once, not per case)."""
    if policy_id is None:
        return None
    return config_cache.get(
        ("sla_policy", policy_id),
        stamp=lambda: (
            SlaPolicy.objects.filter(pk=policy_id)
            .values_list("updated_at", "calendar__updated_at")
            .first()
        ),
        load=lambda: _policy_context_load(policy_id),
    )


def _policy_context_load(policy_id: int) -> PolicyContext | None:
    policy = (
        SlaPolicy.objects.select_related("calendar")
        .prefetch_related(
            "calendar__periods", "calendar__overrides", "calendar__manual_holidays", "levels"
        )
        .filter(pk=policy_id)
        .first()
    )
    if policy is None:
        return None
    rows = {level.level: level for level in policy.levels.all()}
    return PolicyContext(policy, [row.rule() for row in rows.values()], rows)


def _active_policies() -> list[sla.PolicyRule]:
    return config_cache.get(
        "sla_policies",
        stamp=lambda: tuple(SlaPolicy.objects.aggregate(Max("updated_at"), Count("id")).values()),
        load=lambda: [
            sla.PolicyRule(*row)
            for row in SlaPolicy.objects.filter(is_active=True)
            .order_by("position", "id")
            .values_list("id", "priority", "queue_id", "account_id")
        ],
    )


def policy_choose(case: Case) -> int | None:
    """The id of the first active policy matching the case (priority, queue, account)."""
    rule = sla.select_policy(
        _active_policies(),
        priority=case.priority,
        queue_id=case.queue_id,
        account_id=case.account_id,
    )
    return rule.id if rule else None


# --- The clock ----------------------------------------------------------------------


def _segments(case: Case) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.fromisoformat(start), datetime.fromisoformat(end))
        for start, end in case.resolution_segments
    ]


def _close_segment(case: Case, at: datetime) -> dict:
    """Stop the running resolution segment at `at` (a clock set back never runs backwards)."""
    if case.resolution_running_since is None:
        return {}
    since = case.resolution_running_since
    segments = list(case.resolution_segments)
    if at > since:
        segments.append([since.isoformat(), at.isoformat()])
    return {"resolution_segments": segments, "resolution_running_since": None}


def _resume_at(case: Case, at: datetime) -> datetime:
    """A clock resumes at `at`, never before the end of its last segment."""
    segments = _segments(case)
    return max(at, segments[-1][1]) if segments else at


def _deadlines(case: Case, ctx: PolicyContext | None, now: datetime) -> dict:
    """Due and warning instants of the running targets, and `sla_check_at`.

    Recomputed from the stored facts on the policy's current calendar. A resolved
    or closed case keeps its due times as history and is no longer watched.
    """
    if not case.is_open:
        return {"sla_check_at": None}
    policy = ctx.policy if ctx else None
    cal = ctx.calendar(case.created_at, now) if ctx else None
    pct = policy.warning_percent if policy else 100
    changes: dict = {}

    def clock(target: str, start: datetime | None, elapsed: int = 0):
        seconds = policy.target_seconds(target) if policy else None
        if start is None or seconds is None:
            return None, None
        found = sla.deadline(cal, start, seconds, warning_percent=pct, elapsed=elapsed)
        return found.warn_at, found.due

    if case.first_responded_at is None:
        warn, due = clock(sla.FIRST_RESPONSE, case.created_at)
        changes.update(first_response_warn_at=warn, first_response_due=due)
    warn, due = clock(sla.NEXT_RESPONSE, case.next_response_started_at)
    changes.update(next_response_warn_at=warn, next_response_due=due)
    elapsed = sla.measure_segments(cal, _segments(case)) if cal else 0
    warn, due = clock(sla.RESOLUTION, case.resolution_running_since, elapsed)
    changes.update(resolution_elapsed_seconds=elapsed, resolution_warn_at=warn, resolution_due=due)
    _apply(case, changes)
    if ctx is None:
        changes["sla_check_at"] = None
    elif not case.sla_marks:  # a new case, or a new round: no level to skip yet
        changes["sla_check_at"] = sla.first_check_at(sla.running_clocks(case))
    else:
        triggers = sla.ladder_triggers(sla.running_clocks(case), ctx.levels, cal)
        changes["sla_check_at"] = sla.next_check_at(triggers, case.sla_marks)
    return changes


def _stop(case: Case, ctx: PolicyContext | None, at: datetime) -> dict:
    """Resolved or closed at `at`: the clocks stop and the outcomes are recorded.

    * Resolution: its business seconds, and met if it ended by its due instant.
    * A first or next response still owed counts as missed if it was overdue.
    * A case closed as not-a-case or merged owed nothing: outcomes stay empty.
    """
    changes = _close_segment(case, at)
    _apply(case, changes)
    void = case.resolution in VOID_RESOLUTIONS
    policy = ctx.policy if ctx else None
    if ctx is not None:
        cal = ctx.calendar(case.created_at, at)
        elapsed = sla.measure_segments(cal, _segments(case))
        target = policy.target_seconds(sla.RESOLUTION)
        if case.resolution_due is not None:
            met = at <= case.resolution_due
        else:  # paused (or no target): only the time used counts
            met = elapsed <= target if target is not None else None
        changes.update(
            resolution_elapsed_seconds=elapsed,
            resolution_seconds=elapsed,
            resolution_met=None if void or target is None else met,
        )
    if (
        not void
        and case.first_responded_at is None
        and case.first_response_due is not None
        and at > case.first_response_due
    ):
        changes["first_response_met"] = False
    if case.next_response_started_at is not None:
        if not void and case.next_response_due is not None and at > case.next_response_due:
            changes["next_response_met"] = False
        changes.update(
            next_response_started_at=None, next_response_due=None, next_response_warn_at=None
        )
    changes.update(resolution_warn_at=None, sla_check_at=None)
    return changes


def _apply(case: Case, changes: dict) -> None:
    for name, value in changes.items():
        setattr(case, name, value)


def _save(case: Case, changes: dict) -> None:
    """Write SLA columns of a case already locked by the calling service."""
    if changes:
        _apply(case, changes)
        Case.objects.filter(pk=case.pk).update(**changes)


# --- Hooks called by cases/services.py --------------------------------------------


def sla_start(*, case: Case, now: datetime, save: bool = True) -> dict:
    """A new case: choose its policy and start the clocks when the citizen wrote.

    - Policy: the first active one whose conditions match (priority, queue, account).
    - First response and resolution run from `created_at` (the post's time), so a
      slow poll counts against the organisation.
    - save=False sets the fields on the instance only, for a caller that writes
      the row itself (the intake inserts a page of cases at once).
    Returns the fields set.
    """
    policy_id = policy_choose(case)
    changes = {
        "sla_policy_id": policy_id,
        "resolution_running_since": case.created_at,
        "resolution_segments": [],
        "sla_marks": [],
    }
    _apply(case, changes)
    changes.update(_deadlines(case, policy_context(policy_id), now))
    if save:
        _save(case, changes)
    else:
        _apply(case, changes)
    return changes


def sla_customer_message(
    *,
    case: Case,
    written: datetime,
    previous_status: str,
    is_edit: bool,
    now: datetime,
    save: bool = True,
) -> dict:
    """A customer message on an existing case (written at `written`).

    - Pending or resolved before: the resolution clock runs again from `written`.
    - After our first reply: a next-response target starts at `written`, unless
      one is already running (the oldest unanswered message sets the due time).
    - An edited post changes nothing.
    - save=False sets the fields on the instance only (see `sla_start`).
    Returns the fields changed.
    """
    if is_edit or not case.is_open:
        return {}
    changes: dict = {}
    if previous_status != case.status and case.resolution_running_since is None:
        changes.update(
            resolution_running_since=_resume_at(case, written),
            resolution_met=None,
            resolution_seconds=None,
        )
    if case.first_responded_at is not None and case.next_response_started_at is None:
        round_ = case.next_response_round + 1
        changes.update(
            next_response_started_at=written,
            next_response_round=round_,
            sla_marks=sla.marks_of_round(case.sla_marks, sla.NEXT_RESPONSE, round_),
        )
    if not changes:
        return {}
    _apply(case, changes)
    changes.update(_deadlines(case, policy_context(case.sla_policy_id), now))
    if save:
        _save(case, changes)
    else:
        _apply(case, changes)
    return changes


def sla_status_changed(*, case: Case, old_status: str, now: datetime) -> None:
    """A status change: pending pauses the resolution clock, open again resumes it,
    resolved/closed stops every clock and records the outcomes, reopening restarts
    the resolution clock where it stopped."""
    new = case.status
    stopped = (S.RESOLVED, S.CLOSED)
    if new == old_status or (new != S.PENDING and new not in stopped and old_status == S.NEW):
        return  # new -> open: the clocks run on as they were
    ctx = policy_context(case.sla_policy_id)
    if new in stopped:
        if old_status in stopped:
            return
        _save(case, _stop(case, ctx, now))
        return
    changes: dict = {}
    if new == S.PENDING:
        changes = _close_segment(case, now)
    elif case.resolution_running_since is None:  # from pending, or reopened
        changes = {"resolution_running_since": _resume_at(case, now)}
        if old_status in stopped:
            changes.update(resolution_met=None, resolution_seconds=None)
    _apply(case, changes)
    changes.update(_deadlines(case, ctx, now))
    _save(case, changes)


def sla_reply_delivered(*, case: Case, at: datetime) -> None:
    """Our reply reached the platform at `at`.

    - The first one meets (or misses) the first response; its business seconds
      from when the citizen wrote are kept for reports.
    - A running next-response target is met (or missed) and stops.
    """
    ctx = policy_context(case.sla_policy_id)
    changes: dict = {}
    if case.first_responded_at is not None and case.first_response_seconds is None and ctx:
        cal = ctx.calendar(case.created_at, case.first_responded_at)
        seconds = business_seconds_between(cal, case.created_at, case.first_responded_at)
        due = case.first_response_due
        changes.update(
            first_response_seconds=int(seconds),
            first_response_met=None if due is None else case.first_responded_at <= due,
        )
    if case.next_response_started_at is not None:
        if case.next_response_due is not None:
            on_time = at <= case.next_response_due
            changes["next_response_met"] = on_time and case.next_response_met is not False
        changes["next_response_started_at"] = None
    if not changes:
        return
    _apply(case, changes)
    changes.update(_deadlines(case, ctx, at))
    _save(case, changes)


def sla_policy_reselect(*, case: Case, now: datetime) -> None:
    """Priority, queue or account changed: choose the policy again.

    - Another policy recomputes every running target from its original start
      (when the citizen wrote, the customer message, the resolution segments) on
      the new calendar; levels already fired do not fire again.
    """
    policy_id = policy_choose(case)
    if policy_id == case.sla_policy_id:
        return
    old = case.sla_policy_id
    changes: dict = {"sla_policy_id": policy_id}
    _apply(case, changes)
    changes.update(_deadlines(case, policy_context(policy_id), now))
    _save(case, changes)
    events.sla_policy_changed(case, old_policy_id=old, new_policy_id=policy_id, at=now)


# --- Configuration changed ----------------------------------------------------------


def sla_config_changed(
    *, policy_ids: list[int] = (), calendar_ids: list[int] = (), now: datetime | None = None
) -> int | None:
    """A policy or calendar was edited: the running clocks of its open cases follow.

    - Due and warning instants are recomputed from the stored facts on the edited
      configuration; levels already fired do not fire again.
    - Up to SADA_SLA_RECOMPUTE_INLINE cases are done at once (the count is
      returned); more go to a task (None is returned). Matching conditions apply
      to new cases and on the next priority or queue change.
    """
    policies = set(policy_ids) | set(
        SlaPolicy.objects.filter(calendar_id__in=list(calendar_ids)).values_list("pk", flat=True)
    )
    if not policies:
        return 0
    affected = Case.objects.filter(sla_policy_id__in=policies, status__in=Case.OPEN_STATUSES)
    if affected.count() > settings.SADA_SLA_RECOMPUTE_INLINE:
        from .services import enqueue_on_commit

        enqueue_on_commit("cases.tasks.sla_recompute", sorted(policies))
        return None
    return sla_recompute(policy_ids=sorted(policies), now=now)


def sla_recompute(*, policy_ids: list[int], now: datetime | None = None) -> int:
    """Recompute the running clocks of the open cases of these policies, in batches."""
    now = now or timezone.now()
    done = 0
    for policy_id in policy_ids:
        ctx = policy_context(policy_id)
        ids = list(
            Case.objects.filter(sla_policy_id=policy_id, status__in=Case.OPEN_STATUSES).values_list(
                "pk", flat=True
            )
        )
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                locked = Case.objects.select_for_update().filter(
                    pk__in=ids[start : start + 500], sla_policy_id=policy_id
                )
                for case in locked:
                    _save(case, _deadlines(case, ctx, now))
                    done += 1
    return done


# --- The sweep ----------------------------------------------------------------------


class QueueSupervisors:
    """Who hears about a queue's escalations: the supervisors who are members of
    the queue, or every supervisor when none is (loaded once, two queries)."""

    def __init__(self) -> None:
        self.all: list[User] = []
        self.by_queue: dict[int, list[User]] = {}
        users = (
            User.objects.filter(is_active=True, groups__name="Supervisors")
            .prefetch_related(Prefetch("queues", queryset=Queue.objects.only("id")))
            .distinct()
            .order_by("pk")
        )
        for user in users:
            self.all.append(user)
            for queue in user.queues.all():
                self.by_queue.setdefault(queue.pk, []).append(user)

    def of(self, queue_id: int) -> list[User]:
        return self.by_queue.get(queue_id) or self.all


@dataclass
class SweepReport:
    cases: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    notifications: int = 0
    actions: int = 0
    errors: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


# Fields of Case the sweep writes in bulk.
_SWEPT_FIELDS = ["sla_marks", "sla_check_at", "escalation_level", "updated_at", "version"]


def _write_swept(cases: list[Case]) -> None:
    """One UPDATE for a batch of swept cases (rows locked by the sweep).

    Django's bulk_update writes a CASE WHEN per field and row, which costs more than
    the sweep's own work at a thousand rows; on PostgreSQL one UPDATE ... FROM
    unnest(arrays) does the same in a few milliseconds.
    """
    if not cases:
        return
    if connection.vendor != "postgresql":
        Case.objects.bulk_update(cases, _SWEPT_FIELDS)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Case._meta.db_table} AS c
               SET sla_marks = v.marks, sla_check_at = v.check_at,
                   escalation_level = v.level, updated_at = v.updated_at, version = v.version
              FROM unnest(%s::bigint[], %s::jsonb[], %s::timestamptz[], %s::int[],
                          %s::timestamptz[], %s::int[])
                   AS v(id, marks, check_at, level, updated_at, version)
             WHERE c.id = v.id
            """,
            [
                [c.pk for c in cases],
                [json.dumps(c.sla_marks) for c in cases],
                [c.sla_check_at for c in cases],
                [c.escalation_level for c in cases],
                [c.updated_at for c in cases],
                [c.version for c in cases],
            ],
        )


def sla_sweep(
    *, now: datetime | None = None, batch_size: int | None = None, max_seconds: float | None = None
) -> SweepReport:
    """Fire what is due on SLA clocks: warnings, breaches and ladder levels.

    - Selects only cases whose `sla_check_at` has passed, earliest first. With
      nothing due this is one indexed query, whatever the number of open cases.
    - Batches are locked with SELECT ... FOR UPDATE SKIP LOCKED, each in its own
      transaction: sweepers running at once share the work, never a case.
    - Every milestone and level fires once per case, target and round: the case
      remembers it (`sla_marks`) and Escalation's unique constraint enforces it.
    - Ladder actions that change the case go through cases.services.
    - A case that fails is logged and looked at again after SADA_SWEEP_RETRY_MINUTES.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.SADA_SWEEP_BATCH
    budget = settings.SADA_SWEEP_MAX_SECONDS if max_seconds is None else max_seconds
    report = SweepReport()
    due = Case.objects.filter(sla_check_at__lte=now).order_by("sla_check_at", "id")
    if not due.exists():
        return report
    started = monotonic_time.monotonic()
    sweep = _Sweep(now=now, report=report)
    while True:
        with transaction.atomic():
            batch = list(due.select_for_update(skip_locked=True)[:batch_size])
            if batch:
                sweep.batch(batch)
        if len(batch) < batch_size or monotonic_time.monotonic() - started > budget:
            break
    logger.info("SLA sweep at %s: %s", now.isoformat(), report.as_dict())
    return report


class _Sweep:
    """One sweep run: policies, calendars and supervisors are loaded once."""

    # A case whose clocks keep changing under its own ladder (a raised priority
    # making new levels due) is looked at again at most this often in one run.
    MAX_PASSES = 5

    def __init__(self, *, now: datetime, report: SweepReport):
        self.now = now
        self.report = report
        self.contexts: dict[int | None, PolicyContext | None] = {}
        self.passes: Counter = Counter()
        self._supervisors: QueueSupervisors | None = None

    def context(self, policy_id: int | None) -> PolicyContext | None:
        if policy_id not in self.contexts:
            self.contexts[policy_id] = policy_context(policy_id)
        return self.contexts[policy_id]

    def handle(self, account_id: int | None) -> str:
        """The organisation account's handle, for log lines (all loaded once per sweep)."""
        if not hasattr(self, "_handles"):
            from social_ingest.models import SocialAccount

            self._handles = dict(SocialAccount.objects.values_list("pk", "handle"))
        return self._handles.get(account_id, "")

    def supervisors(self, queue_id: int) -> list[User]:
        if self._supervisors is None:
            self._supervisors = QueueSupervisors()
        return self._supervisors.of(queue_id)

    def batch(self, cases: list[Case]) -> None:
        now, report = self.now, self.report
        swept: list[Case] = []
        fired_events = []
        new_escalations: list[tuple[Escalation, EscalationLevel, Case, datetime]] = []
        for case in cases:
            report.cases += 1
            self.passes[case.pk] += 1
            if not case.is_open:
                # Closed by a path that does not stop clocks (a merge): stop them now.
                at = case.closed_at or case.resolved_at or now
                _save(case, _stop(case, self.context(case.sla_policy_id), at))
                continue
            try:
                with log_context(case=case.reference, account=self.handle(case.account_id)):
                    found = self._fire(case)
            except Exception:
                with log_context(case=case.reference, account=self.handle(case.account_id)):
                    logger.exception("SLA sweep failed on case %s", case.pk)
                report.errors += 1
                case.sla_check_at = now + timedelta(minutes=settings.SADA_SWEEP_RETRY_MINUTES)
                swept.append(case)
                continue
            fired_events.extend(found[0])
            new_escalations.extend(found[1])
            if case.sla_check_at and case.sla_check_at <= now:
                # New levels became due under a new policy; look again this run,
                # but never spin on one case.
                if self.passes[case.pk] >= self.MAX_PASSES:
                    logger.error("SLA sweep: case %s keeps becoming due; deferred", case.pk)
                    case.sla_check_at = now + timedelta(minutes=settings.SADA_SWEEP_RETRY_MINUTES)
            swept.append(case)
        _write_swept(swept)
        if new_escalations:
            self._escalate(new_escalations, fired_events)
        CaseEvent.objects.bulk_create(fired_events)

    def _escalate(self, new_escalations: list, fired_events: list) -> None:
        """Write the fired levels, notify, act; their events join `fired_events`."""
        now = self.now
        notes: list[Notification] = []
        for escalation, level, case, due in new_escalations:
            notes.extend(self._notify(escalation, level, case, due))
        Escalation.objects.bulk_create([e for e, _level, _case, _due in new_escalations])
        self.report.escalations += len(new_escalations)
        saved = notifications.notifications_create(notes)
        self.report.notifications += len(saved)
        acted = []
        for escalation, level, case, _due in new_escalations:
            with log_context(case=case.reference, account=self.handle(case.account_id)):
                logger.info(
                    "escalated to level %s (%s, %s)",
                    escalation.level,
                    escalation.target,
                    escalation.trigger,
                )
                if self._act(escalation, level, case):
                    acted.append(escalation)
            webhooks.emit("case.escalated", case, now=now)
            fired_events.append(
                events.escalated(
                    case,
                    escalation_id=escalation.pk,
                    level=escalation.level,
                    target=escalation.target,
                    trigger=escalation.trigger,
                    actions=escalation.actions,
                    at=now,
                    save=False,
                )
            )
        if acted:
            Escalation.objects.bulk_update(acted, ["actions"])

    def _fire(self, case: Case) -> tuple[list, list]:
        """Mark what is due on one case; the events and escalations to write."""
        now = self.now
        ctx = self.context(case.sla_policy_id)
        if ctx is None:
            case.sla_check_at = None
            return [], []
        cal = ctx.calendar(case.created_at, now)
        triggers = sla.ladder_triggers(sla.running_clocks(case), ctx.levels, cal)
        due = sla.due_triggers(triggers, case.sla_marks, now)
        marks = list(case.sla_marks)
        fired_events, escalations = [], []
        deadlines = {c.target: c.due for c in sla.running_clocks(case)}
        for trigger in due:
            marks.append(trigger.mark)
            target_due = deadlines[trigger.target]
            if trigger.kind == "warning":
                self.report.warnings += 1
                fired_events.append(
                    events.sla_warning(
                        case,
                        target=trigger.target,
                        round=trigger.round,
                        due=target_due,
                        at=trigger.at,
                        save=False,
                    )
                )
            elif trigger.kind == "breached":
                self.report.breaches += 1
                webhooks.emit("sla.breached", case, now=now)
                fired_events.append(
                    events.sla_breached(
                        case,
                        target=trigger.target,
                        round=trigger.round,
                        due=target_due,
                        at=trigger.at,
                        save=False,
                    )
                )
            else:
                level = ctx.level_rows[trigger.level]
                escalation = Escalation(
                    case=case,
                    target=trigger.target,
                    round=trigger.round,
                    level=trigger.level,
                    trigger=level.trigger,
                    policy=ctx.policy,
                    triggered_at=trigger.at,
                    created_at=now,
                    actions=[],
                )
                escalations.append((escalation, level, case, target_due))
                case.escalation_level = max(case.escalation_level, trigger.level)
        case.sla_marks = marks
        case.sla_check_at = sla.next_check_at(triggers, marks)
        if due:
            case.updated_at = now
            case.version += 1
        return fired_events, escalations

    def _notify(self, escalation: Escalation, level: EscalationLevel, case: Case, due: datetime):
        """In-app (and e-mail) notifications of a level, unsaved."""
        users: dict[int, User | int] = {}
        if level.notify_assignee:
            if case.assignee_id:
                users[case.assignee_id] = case.assignee_id
                escalation.actions.append(f"notified_assignee:{case.assignee_id}")
            else:
                escalation.actions.append("notified_assignee:none")
        if level.notify_supervisors:
            supervisors = self.supervisors(case.queue_id)
            for user in supervisors:
                users.setdefault(user.pk, user)
            escalation.actions.append(
                "notified_supervisors:" + ",".join(str(u.pk) for u in supervisors)
            )
        kind = (
            Notification.Kind.SLA_WARNING
            if level.trigger == sla.ON_WARNING
            else Notification.Kind.SLA_BREACHED
        )
        data = {
            "reference": case.reference,
            "target": escalation.target,
            "level": escalation.level,
            "trigger": escalation.trigger,
            "due": due.isoformat(),
        }
        return [
            Notification(
                user_id=user_id,
                kind=kind,
                case=case,
                escalation=escalation,
                data=data,
                created_at=self.now,
            )
            for user_id in users
        ]

    def _act(self, escalation: Escalation, level: EscalationLevel, case: Case) -> bool:
        """The level's actions that change the case, through the case services.

        Each runs in its own savepoint: one refused action (a rule never lowers a
        priority; a reassignee outside the queue) does not undo the others.
        """
        from . import services

        reason = f"escalation:L{level.level}:{escalation.target}"
        planned = []
        if level.raise_priority:
            planned.append("priority")
        if level.move_to_queue_id:
            planned.append("queue")
        if level.reassign:
            planned.append("reassign")
        for action in planned:
            fresh = Case.objects.get(pk=case.pk)
            try:
                with transaction.atomic():
                    if action == "priority":
                        new = sla.raised(fresh.priority)
                        if new == fresh.priority:
                            escalation.actions.append(f"priority:{new}:unchanged")
                            continue
                        services.case_set_priority(
                            case=fresh,
                            priority=new,
                            actor=None,
                            actor_kind="system",
                            reason=reason,
                            now=self.now,
                        )
                        escalation.actions.append(f"priority:{fresh.priority}>{new}")
                    elif action == "queue":
                        queue = Queue.objects.get(pk=level.move_to_queue_id)
                        services.case_change_queue(
                            case=fresh,
                            queue=queue,
                            actor=None,
                            actor_kind="system",
                            reason=reason,
                            now=self.now,
                        )
                        escalation.actions.append(f"queue:{queue.slug}")
                    else:
                        assignee = level.reassign_to if level.reassign_to_id else None
                        services.case_assign(
                            case=fresh,
                            assignee=assignee,
                            actor=None,
                            actor_kind="system",
                            how="escalation",
                            now=self.now,
                        )
                        escalation.actions.append(f"reassigned:{level.reassign_to_id or ''}")
                self.report.actions += 1
            except CaseError as error:
                escalation.actions.append(f"{action}:refused:{error.code}")
                logger.warning("escalation %s: %s refused: %s", escalation.pk, action, error)
            except Exception:
                escalation.actions.append(f"{action}:failed")
                logger.exception("escalation %s: %s failed", escalation.pk, action)
                self.report.errors += 1
        return bool(planned)


# --- Escalations by hand, and their acknowledgement -------------------------------


@transaction.atomic
def case_escalate(
    *,
    case: Case,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Escalation:
    """An agent escalates a case by hand, with a reason.

    - A reason is required; the case must be open.
    - The actor must be the assignee, a member of the case's queue, or a supervisor.
    - The case goes one level up; the queue's supervisors are notified.
    """
    from . import services

    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("A reason is required to escalate a case.")
    case = services._locked(case, expected_version)
    if not case.is_open:
        raise InvalidTransition("Only an open case can be escalated.", reference=case.reference)
    if not (
        actor.is_supervisor
        or case.assignee_id == actor.pk
        or case.queue.members.filter(pk=actor.pk).exists()
    ):
        raise NotPermitted("Only the case's team or a supervisor can escalate it.")
    level = case.escalation_level + 1
    round_ = case.escalations.filter(target=Escalation.Target.MANUAL).count() + 1
    escalation = Escalation.objects.create(
        case=case,
        target=Escalation.Target.MANUAL,
        round=round_,
        level=level,
        trigger="manual",
        policy_id=case.sla_policy_id,
        reason=reason[:1000],
        raised_by=actor,
        triggered_at=now,
        created_at=now,
    )
    supervisors = [u for u in QueueSupervisors().of(case.queue_id) if u.pk != actor.pk]
    escalation.actions = ["notified_supervisors:" + ",".join(str(u.pk) for u in supervisors)]
    escalation.save(update_fields=["actions"])
    notifications.notifications_create(
        [
            Notification(
                user=user,
                kind=Notification.Kind.ESCALATED,
                case=case,
                escalation=escalation,
                data={"reference": case.reference, "level": level, "reason": reason[:1000]},
                created_at=now,
            )
            for user in supervisors
        ]
    )
    case = services._update(case, now, escalation_level=level)
    with log_context(
        case=case.reference,
        account=lambda: case.account.handle if case.account_id else "",
    ):
        logger.info("escalated by hand to level %s by user %s", level, actor.pk)
    webhooks.emit("case.escalated", case, now=now)
    events.escalated(
        case,
        escalation_id=escalation.pk,
        level=level,
        target=escalation.target,
        trigger="manual",
        actions=escalation.actions,
        actor=actor,
        reason=reason[:1000],
        at=now,
    )
    return escalation


@transaction.atomic
def escalation_acknowledge(
    *, escalation: Escalation, actor: User, now: datetime | None = None
) -> Escalation:
    """A supervisor takes note of an escalation (who, when).

    - Supervisors only. The first acknowledgement stands; acknowledging again
      changes nothing.
    - The acknowledging supervisor's notifications of it are marked read.
    """
    now = now or timezone.now()
    if not actor.is_supervisor:
        raise NotPermitted("Only a supervisor can acknowledge an escalation.")
    rows = Escalation.objects.filter(pk=escalation.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=actor, acknowledged_at=now
    )
    escalation.refresh_from_db()
    if rows:
        events.escalation_acknowledged(
            escalation.case,
            escalation_id=escalation.pk,
            level=escalation.level,
            actor=actor,
            at=now,
        )
        Notification.objects.filter(escalation=escalation, user=actor, read_at__isnull=True).update(
            read_at=now
        )
    return escalation
