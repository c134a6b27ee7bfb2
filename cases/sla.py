"""SLA rules: which policy applies, where a case's clocks stand, what the ladder does next.

Pure: no ORM and no clock. Every instant, "now" included, is an argument; the
business-time arithmetic is `cases.businesstime`. `cases.sla_services` stores what
these functions compute; `cases.selectors_sla.with_sla_state` is the SQL twin of
`sla_state` (tests check that both agree).

The three targets of a case
---------------------------
* ``first_response``: from when the citizen wrote (the post's ``created_at``) to our
  first reply delivered on the platform. Never paused.
* ``next_response``: from a customer message that arrives after our first reply to
  our next reply delivered. Each such target is a new *round*, so its ladder can
  fire again.
* ``resolution``: from when the citizen wrote to resolved/closed, paused while the
  case is ``pending`` (waiting on the customer). Stored as what happened: the
  running segments, the seconds they add up to, and when the current one started.

A target is *breached* strictly after its due instant (a reply at 08:50 on a target
due at 08:50 is on time) and in *warning* from its warning instant on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from .businesstime import MIDNIGHT, Calendar, Period, add_business_time, business_seconds_between

FIRST_RESPONSE = "first_response"
NEXT_RESPONSE = "next_response"
RESOLUTION = "resolution"
TARGETS = (FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION)

OK = "ok"
WARNING = "warning"
BREACHED = "breached"
PAUSED = "paused"
MET = "met"
STATES = (OK, WARNING, BREACHED, PAUSED, MET)

OPEN_STATUSES = frozenset({"new", "open", "pending"})
PENDING = "pending"

# Ladder triggers.
ON_WARNING = "warning"
ON_BREACH = "breach"
AFTER_BREACH = "breach_after"
ANY_TARGET = "any"

_ONE_MICROSECOND = timedelta(microseconds=1)


# --- Policy choice -------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRule:
    """The conditions of an SLA policy; empty conditions match anything."""

    id: int
    priority: str = ""
    queue_id: int | None = None
    account_id: int | None = None

    def matches(self, *, priority: str, queue_id: int | None, account_id: int | None) -> bool:
        return (
            (not self.priority or self.priority == priority)
            and (self.queue_id is None or self.queue_id == queue_id)
            and (self.account_id is None or self.account_id == account_id)
        )


def select_policy(
    rules: Iterable[PolicyRule], *, priority: str, queue_id: int | None, account_id: int | None
) -> PolicyRule | None:
    """The first rule, in the order given, whose conditions all match; None if none does."""
    for rule in rules:
        if rule.matches(priority=priority, queue_id=queue_id, account_id=account_id):
            return rule
    return None


# --- Deadlines -----------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    warn_at: datetime
    due: datetime


def deadline(
    cal: Calendar,
    start: datetime,
    target_seconds: int,
    *,
    warning_percent: int,
    elapsed: int | float = 0,
) -> Deadline:
    """When a target clock running from ``start``, with ``elapsed`` business seconds
    already used, reaches its warning share and its end.

    * Time already used beyond the warning share (or the whole target) puts that
      instant at ``start``: it has passed by the time the clock runs again.
    """
    remaining = max(target_seconds - elapsed, 0)
    warn_remaining = max(target_seconds * warning_percent / 100 - elapsed, 0)
    return Deadline(
        warn_at=add_business_time(cal, start, warn_remaining),
        due=add_business_time(cal, start, remaining),
    )


def measure_segments(cal: Calendar, segments: Iterable[Sequence[datetime]]) -> int:
    """Whole business seconds in the closed running segments of a clock."""
    return int(sum(business_seconds_between(cal, start, end) for start, end in segments))


# --- sla_state: the one rule (its SQL twin is selectors_sla.with_sla_state) ------------


def running_deadlines(case: Any) -> dict[str, tuple[datetime | None, datetime]]:
    """The targets whose clock is running now: ``{target: (warn_at, due)}``.

    ``case`` is anything with the Case's SLA attributes (a model instance, a
    SimpleNamespace in tests). Nothing runs on a resolved or closed case; the
    resolution clock does not run while pending (its due instant is then None).
    """
    if case.status not in OPEN_STATUSES:
        return {}
    running = {}
    if case.first_response_due is not None and case.first_responded_at is None:
        running[FIRST_RESPONSE] = (case.first_response_warn_at, case.first_response_due)
    if case.next_response_due is not None:
        running[NEXT_RESPONSE] = (case.next_response_warn_at, case.next_response_due)
    if case.resolution_due is not None and case.resolution_running_since is not None:
        running[RESOLUTION] = (case.resolution_warn_at, case.resolution_due)
    return running


def sla_state(case: Any, now: datetime) -> str:
    """``ok``, ``warning``, ``breached``, ``paused`` or ``met``, the first that holds:

    1. ``breached``: a running target is past its due instant, or a target of this
       case was missed (``*_met`` is False) — a missed promise stays visible.
    2. ``warning``: a running target is past its warning instant.
    3. ``paused``: pending (waiting on the customer) with no target running.
    4. ``met``: resolved or closed, or no target running and one met.
    5. ``ok``.
    """
    running = running_deadlines(case)
    missed = False in (case.first_response_met, case.next_response_met, case.resolution_met)
    if missed or any(due < now for _warn, due in running.values()):
        return BREACHED
    if any(warn is not None and warn <= now for warn, _due in running.values()):
        return WARNING
    if not running:
        if case.status == PENDING:
            return PAUSED
        if case.status not in OPEN_STATUSES or True in (
            case.first_response_met,
            case.next_response_met,
            case.resolution_met,
        ):
            return MET
    return OK


def with_sla_state(queryset, now: datetime):
    """The SQL twin of `sla_state`, kept with the other selectors (this module
    has no ORM); importable from here so both readings live under one name."""
    from .selectors_sla import with_sla_state as annotate

    return annotate(queryset, now)


# --- The escalation ladder ---------------------------------------------------------


@dataclass(frozen=True)
class LadderLevel:
    level: int
    trigger: str  # ON_WARNING, ON_BREACH or AFTER_BREACH
    minutes: int = 0  # business minutes after the breach, for AFTER_BREACH
    applies_to: str = ANY_TARGET

    def applies(self, target: str) -> bool:
        return self.applies_to in (ANY_TARGET, target)


@dataclass(frozen=True)
class Running:
    """A running target clock of a case, as the ladder sees it."""

    target: str
    round: int
    warn_at: datetime | None
    due: datetime


@dataclass(frozen=True)
class Trigger:
    """Something the sweep does once per case, target and round.

    ``kind`` is "warning" or "breached" (the milestones, always recorded) or
    "level" (a ladder level). ``at`` is when it happened. A breach happens strictly
    after the due instant, so a ``strict`` trigger fires from the next microsecond.
    """

    at: datetime
    kind: str
    target: str
    round: int
    level: int = 0
    strict: bool = False

    @property
    def fires_at(self) -> datetime:
        return self.at + _ONE_MICROSECOND if self.strict else self.at

    @property
    def mark(self) -> str:
        """What the case remembers once this has fired (its `sla_marks`)."""
        what = f"L{self.level}" if self.kind == "level" else self.kind
        return f"{self.target}:{self.round}:{what}"

    def sort_key(self) -> tuple:
        # Milestones before levels at the same instant; levels in ladder order.
        rank = {"warning": 0, "breached": 1}.get(self.kind, 2)
        return (self.fires_at, rank, self.level, TARGETS.index(self.target))


def ladder_triggers(
    running: Iterable[Running], levels: Iterable[LadderLevel], cal: Calendar
) -> list[Trigger]:
    """Every milestone and ladder level of the running targets, in firing order.

    * Each running target has a "warning" and a "breached" milestone.
    * A level fires at its target's warning instant, just after its due instant,
      or ``minutes`` business minutes (on the policy's calendar) after it.
    """
    levels = tuple(levels)
    triggers = []
    for clock in running:
        warn_at = clock.warn_at or clock.due
        triggers.append(Trigger(warn_at, "warning", clock.target, clock.round))
        triggers.append(Trigger(clock.due, "breached", clock.target, clock.round, strict=True))
        for level in levels:
            if not level.applies(clock.target):
                continue
            if level.trigger == ON_WARNING:
                at, strict = warn_at, False
            elif level.trigger == ON_BREACH:
                at, strict = clock.due, True
            elif level.trigger == AFTER_BREACH:
                at = add_business_time(cal, clock.due, level.minutes * 60)
                strict = level.minutes == 0
            else:
                raise ValueError(f"unknown ladder trigger {level.trigger!r}")
            triggers.append(
                Trigger(at, "level", clock.target, clock.round, level=level.level, strict=strict)
            )
    return sorted(triggers, key=Trigger.sort_key)


def due_triggers(triggers: Iterable[Trigger], marks: Iterable[str], now: datetime) -> list[Trigger]:
    """The triggers that have come and not yet fired, in firing order."""
    done = set(marks)
    return [t for t in triggers if t.fires_at <= now and t.mark not in done]


def next_check_at(triggers: Iterable[Trigger], marks: Iterable[str]) -> datetime | None:
    """The first instant the sweep has something to do for this case; None for never."""
    done = set(marks)
    pending = [t.fires_at for t in triggers if t.mark not in done]
    return min(pending) if pending else None


def first_check_at(running: Iterable[Running]) -> datetime | None:
    """`next_check_at` of clocks nothing has fired for yet, without building the ladder:
    a clock's warning milestone (its warning instant, or its due instant) comes no
    later than any of its levels (on warning, on breach, or business minutes after)."""
    return min((clock.warn_at or clock.due for clock in running), default=None)


def running_clocks(case: Any) -> list[Running]:
    """`running_deadlines` with the round of each target, for the ladder."""
    rounds = {FIRST_RESPONSE: 0, NEXT_RESPONSE: case.next_response_round, RESOLUTION: 0}
    return [
        Running(target, rounds[target], warn_at, due)
        for target, (warn_at, due) in running_deadlines(case).items()
    ]


def marks_of_round(marks: Iterable[str], target: str, round_: int) -> list[str]:
    """Marks kept when ``target`` starts ``round_``: the older rounds of it are done."""
    prefix = f"{target}:"
    return [m for m in marks if not m.startswith(prefix) or m.startswith(f"{target}:{round_}:")]


def raised(priority: str) -> str:
    """One step more urgent: P3 -> P2; P1 stays P1."""
    number = int(priority[1:])
    return f"P{max(number - 1, 1)}"


# --- Opening hours written as text (calendar overrides in the admin) ---------------

_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*$")


def parse_periods(text: str) -> tuple[Period, ...]:
    """Opening hours from text: "10:00-15:00, 20:00-24:00"; "" is none (closed).

    24:00 (or 00:00 as an end) means midnight, the end of the day.

    Raises ValueError with a readable message for anything else.
    """
    periods = []
    for chunk in filter(None, (part.strip() for part in re.split(r"[,;]", text or ""))):
        match = _PERIOD.match(chunk)
        if not match:
            raise ValueError(f"{chunk!r} is not a period like 10:00-15:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValueError(f"{chunk!r} is not a valid time range")
        end = MIDNIGHT if h2 == 24 else time(h2, m2)
        periods.append((time(h1, m1), end))
    return tuple(periods)


def format_periods(periods: Iterable[Period]) -> str:
    """The inverse of `parse_periods`."""
    return ", ".join(
        f"{start:%H:%M}-{'24:00' if end == MIDNIGHT else format(end, '%H:%M')}"
        for start, end in periods
    )
