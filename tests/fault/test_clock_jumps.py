"""The clock jumping forward and back (an NTP step, a VM resumed, a wrong clock
corrected): SLA due times are absolute instants stored when the clock started, so
they do not move; the sweep fires exactly the levels whose instant has passed on
the clock it reads, and a jump back never fires one again nor takes one back."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core.management import call_command

from cases.businesstime import business_seconds_between
from cases.models import Case
from cases.models_sla import Escalation, SlaPolicy
from cases.selectors_ui import with_business_remaining, with_sla
from cases.sla_services import sla_sweep
from social_ingest.models import SocialAccount
from tests.factories import ACCOUNT_ID
from tests.fault.invariants import assert_invariants

# Sunday 22 November 2026, 12:00 in Riyadh: a working day on the default calendar.
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
DUE_FIELDS = ("first_response_due", "next_response_due", "resolution_due")
TEXTS = [
    "@SadaMinistry متى يصدر الترخيص؟",
    "@SadaMinistry the portal rejects my document upload",
    "@SadaMinistry حريق في المبنى الآن ساعدونا",  # an emergency: P1, the 24/7 calendar
    "@SadaMinistry شكوى: لم يرد أحد على طلبي منذ أسبوع",
    "@SadaMinistry how do I renew my licence?",
]
# Forward, back, forward again past the same instants, far ahead, and back to the start.
JUMPS = [
    timedelta(minutes=30),
    timedelta(days=3),
    timedelta(hours=1),
    timedelta(days=3, minutes=5),
    timedelta(days=40),
    timedelta(0),
]


def due_times() -> dict:
    return {c.pk: tuple(getattr(c, f) for f in DUE_FIELDS) for c in Case.objects.all()}


def remaining(now: datetime) -> dict:
    rows = with_business_remaining(list(with_sla(Case.objects.all(), now)), now)
    return {r.pk: (r.due_at, getattr(r, "sla_remaining_seconds", None)) for r in rows}


def test_clock_jumps_fire_exactly_what_is_due_and_never_twice(live_x, x_server, db):
    SocialAccount.objects.create(handle="SadaMinistry", external_id=ACCOUNT_ID)
    with time_machine.travel(T0, tick=False):
        for i, text in enumerate(TEXTS):
            live_x.add_mention(text, author_id=str(300 + i))
        call_command("poll_mentions", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    stored = due_times()  # as computed at intake
    assert len(stored) == len(TEXTS) and all(any(d) for d in stored.values())
    assert len({c.priority for c in Case.objects.all()}) > 1, "one calendar only: weak test"
    calendars = {p.pk: p.calendar.to_calendar(range(2025, 2029)) for p in SlaPolicy.objects.all()}

    first_seen: dict[tuple, int] = {}
    retimed: dict[int, int] = {}  # case -> first step whose ladder re-timed it
    for step, jump in enumerate(JUMPS):
        now = T0 + jump
        with time_machine.travel(now, tick=False):
            before = due_times()
            sla_sweep()
            for e in Escalation.objects.all():
                key = (e.case_id, e.target, e.round, e.level)
                first_seen.setdefault(key, step)
                # Nothing fires before its instant on the clock the sweep reads.
                assert e.triggered_at <= T0 + JUMPS[first_seen[key]], (key, e.triggered_at)
            # Due times are stored instants: a jump never moves them. Only a ladder
            # action of this very sweep (raising the priority re-times the clock) does.
            acted = {
                e.case_id
                for e in Escalation.objects.all()
                if first_seen[(e.case_id, e.target, e.round, e.level)] == step
                and any(a.startswith("priority:") for a in e.actions)
            }
            after = due_times()
            for pk in after:
                if after[pk] != before[pk]:
                    assert pk in acted, f"case {pk}: due times moved with the clock alone"
                    retimed.setdefault(pk, step)
            for pk, (due, left) in remaining(now).items():
                case = Case.objects.get(pk=pk)
                if left is None or due is None or due <= now:
                    continue
                cal = calendars[case.sla_policy_id]
                assert left >= 0
                assert left == business_seconds_between(cal, now, due)
    assert stored.keys() == due_times().keys()
    # Every level whose instant had passed at a step was fired by that step's sweep,
    # not later - unless a ladder action re-timed its case in between (its new
    # levels could not be known before).
    for e in Escalation.objects.all():
        key = (e.case_id, e.target, e.round, e.level)
        due_step = next(i for i, j in enumerate(JUMPS) if e.triggered_at <= T0 + j)
        if retimed.get(e.case_id, len(JUMPS)) < first_seen[key]:
            assert first_seen[key] >= due_step
        else:
            assert first_seen[key] == due_step, (key, e.triggered_at, first_seen[key], due_step)
    fired_by_step = [sum(1 for s in first_seen.values() if s == i) for i in range(len(JUMPS))]
    # The jumps back (steps 2 and 5) fire nothing; the first jump forward does.
    assert fired_by_step[0] > 0 and fired_by_step[1] > 0
    assert fired_by_step[2] == fired_by_step[5] == 0
    totals = assert_invariants(served=x_server.served)
    print(f"\nclock jumps: {len(TEXTS)} cases, escalations per step {fired_by_step}, {totals}")
