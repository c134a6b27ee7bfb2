"""SLA rules (cases/sla.py): pure, no database, no clock."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import sla
from cases.businesstime import (
    SAUDI_GOV_WEEKLY,
    UAE_FEDERAL_WEEKLY,
    Calendar,
    Override,
    always_open,
    business_seconds_between,
)

RIYADH = ZoneInfo("Asia/Riyadh")
DUBAI = ZoneInfo("Asia/Dubai")
SAUDI = Calendar("Asia/Riyadh", SAUDI_GOV_WEEKLY)
UAE = Calendar("Asia/Dubai", UAE_FEDERAL_WEEKLY)
ALWAYS = always_open("Asia/Riyadh")
HOUR = 3600


def riyadh(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=RIYADH)


# --- Policy choice --------------------------------------------------------------

RULES = [
    sla.PolicyRule(1, priority="P1", account_id=7),
    sla.PolicyRule(2, priority="P1"),
    sla.PolicyRule(3, queue_id=5),
    sla.PolicyRule(4),
]


@pytest.mark.parametrize(
    ("priority", "queue_id", "account_id", "chosen"),
    [
        ("P1", 1, 7, 1),  # the most specific rule comes first
        ("P1", 5, 8, 2),  # first match wins, though rule 3 matches too
        ("P3", 5, None, 3),
        ("P3", 6, None, 4),  # the catch-all
    ],
)
def test_first_matching_policy_wins(priority, queue_id, account_id, chosen):
    rule = sla.select_policy(RULES, priority=priority, queue_id=queue_id, account_id=account_id)
    assert rule.id == chosen


def test_no_matching_policy_is_none():
    rules = [sla.PolicyRule(1, priority="P1")]
    assert sla.select_policy(rules, priority="P2", queue_id=1, account_id=None) is None


# --- Deadlines -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cal", "start", "seconds", "due", "warn_at"),
    [
        pytest.param(
            SAUDI,
            riyadh(2025, 11, 13, 14, 50),
            HOUR,
            riyadh(2025, 11, 16, 8, 50),
            riyadh(2025, 11, 16, 8, 35),  # 45 minutes: 10 on Thursday, 35 on Sunday
            id="thursday-1450-one-business-hour-is-sunday-0850",
        ),
        pytest.param(
            ALWAYS,
            riyadh(2025, 11, 14, 3, 0),
            15 * 60,
            riyadh(2025, 11, 14, 3, 15),
            riyadh(2025, 11, 14, 3, 11, 15),
            id="p1-at-0300-friday-on-24-7-is-0315",
        ),
        pytest.param(
            UAE,
            datetime(2025, 11, 14, 11, 30, tzinfo=DUBAI),
            HOUR,
            datetime(2025, 11, 17, 8, 0, tzinfo=DUBAI),
            datetime(2025, 11, 17, 7, 45, tzinfo=DUBAI),
            id="uae-friday-half-day-then-monday",
        ),
    ],
)
def test_deadline(cal, start, seconds, due, warn_at):
    found = sla.deadline(cal, start, seconds, warning_percent=75)
    assert found.due == due and found.warn_at == warn_at


def test_deadline_of_a_resumed_clock_counts_the_time_already_used():
    # 2 of 4 hours used before a pause; resumed Tuesday 09:00 -> due 11:00, warning 10:00.
    found = sla.deadline(
        SAUDI, riyadh(2025, 11, 18, 9), 4 * HOUR, warning_percent=75, elapsed=2 * HOUR
    )
    assert found.due == riyadh(2025, 11, 18, 11) and found.warn_at == riyadh(2025, 11, 18, 10)


def test_deadline_of_an_overdue_clock_is_its_restart():
    start = riyadh(2025, 11, 18, 9)
    found = sla.deadline(SAUDI, start, HOUR, warning_percent=75, elapsed=2 * HOUR)
    assert found.due == start and found.warn_at == start


def test_measure_segments_adds_business_time_only():
    segments = [
        (riyadh(2025, 11, 13, 14), riyadh(2025, 11, 14, 12)),  # Thu 14:00 -> Fri: 1 h
        (riyadh(2025, 11, 16, 7), riyadh(2025, 11, 16, 9)),  # Sun 07:00-09:00: 1 h
    ]
    assert sla.measure_segments(SAUDI, segments) == 2 * HOUR


# --- sla_state -------------------------------------------------------------------

NOW = datetime(2025, 11, 16, 10, 0, tzinfo=UTC)
PAST, SOON, LATER = NOW - timedelta(minutes=5), NOW + timedelta(minutes=5), NOW + timedelta(hours=1)


def case(**fields) -> SimpleNamespace:
    base = dict(
        status="open",
        first_response_due=None,
        first_response_warn_at=None,
        first_responded_at=None,
        first_response_met=None,
        next_response_due=None,
        next_response_warn_at=None,
        next_response_met=None,
        resolution_due=None,
        resolution_warn_at=None,
        resolution_running_since=None,
        resolution_met=None,
    )
    return SimpleNamespace(**{**base, **fields})


def first(warn, due, **more):
    return dict(first_response_warn_at=warn, first_response_due=due, **more)


def resolution(warn, due, **more):
    return dict(resolution_warn_at=warn, resolution_due=due, resolution_running_since=PAST, **more)


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        pytest.param(first(SOON, LATER), "ok", id="running-before-warning"),
        pytest.param(first(NOW, LATER), "warning", id="warning-from-its-instant"),
        pytest.param(first(PAST, NOW), "warning", id="not-breached-at-the-due-instant"),
        pytest.param(first(PAST, PAST), "breached", id="breached-after-due"),
        pytest.param(
            {**first(PAST, PAST), "first_responded_at": PAST, "first_response_met": True},
            "met",
            id="answered-in-time-nothing-else-running",
        ),
        pytest.param(
            {**first(PAST, PAST), "first_responded_at": PAST, "first_response_met": False},
            "breached",
            id="answered-late-stays-breached",
        ),
        pytest.param(
            {"first_response_met": True, **resolution(SOON, LATER)},
            "ok",
            id="resolution-running-after-first-response",
        ),
        pytest.param(
            {"status": "pending", "first_response_met": True, "resolution_due": None},
            "paused",
            id="pending-pauses",
        ),
        pytest.param(
            {"status": "pending", **first(PAST, LATER)},
            "warning",
            id="pending-but-first-response-still-owed",
        ),
        pytest.param(
            {"status": "pending", **first(SOON, LATER)},
            "ok",
            id="pending-with-a-running-clock-is-not-paused",
        ),
        pytest.param(
            {"status": "resolved", **first(PAST, PAST), "resolution_met": True},
            "met",
            id="resolved-in-time",
        ),
        pytest.param({"status": "closed", "resolution_met": False}, "breached", id="resolved-late"),
        pytest.param({"status": "closed"}, "met", id="closed-owing-nothing"),
        pytest.param({}, "ok", id="no-policy"),
        pytest.param(
            {"next_response_due": PAST, "next_response_warn_at": PAST, "first_response_met": True},
            "breached",
            id="next-response-late",
        ),
        pytest.param(
            {"resolution_due": PAST, "resolution_warn_at": PAST, "resolution_running_since": None},
            "ok",
            id="a-stopped-resolution-clock-is-not-running",
        ),
    ],
)
def test_sla_state(fields, state):
    assert sla.sla_state(case(**fields), NOW) == state


# --- The ladder --------------------------------------------------------------

LADDER = [
    sla.LadderLevel(1, sla.ON_WARNING),
    sla.LadderLevel(2, sla.ON_BREACH),
    sla.LadderLevel(3, sla.AFTER_BREACH, minutes=30),
]


def test_ladder_triggers_in_order_with_business_minutes_after_breach():
    clock = sla.Running(
        sla.FIRST_RESPONSE, 0, riyadh(2025, 11, 13, 14, 40), riyadh(2025, 11, 13, 14, 50)
    )
    triggers = sla.ladder_triggers([clock], LADDER, SAUDI)
    assert [(t.kind, t.level) for t in triggers] == [
        ("warning", 0),
        ("level", 1),
        ("breached", 0),
        ("level", 2),
        ("level", 3),
    ]
    # 30 business minutes after a breach at 14:50 on Thursday: 10 today, 20 on Sunday.
    assert triggers[-1].at == riyadh(2025, 11, 16, 8, 20)
    # A breach happens strictly after the due instant.
    assert triggers[2].fires_at == riyadh(2025, 11, 13, 14, 50) + timedelta(microseconds=1)
    assert [t.mark for t in triggers] == [
        "first_response:0:warning",
        "first_response:0:L1",
        "first_response:0:breached",
        "first_response:0:L2",
        "first_response:0:L3",
    ]


def test_levels_limited_to_a_target_fire_only_for_it():
    clock = sla.Running(sla.RESOLUTION, 0, riyadh(2025, 11, 13, 9), riyadh(2025, 11, 13, 10))
    ladder = [sla.LadderLevel(1, sla.ON_BREACH, applies_to=sla.FIRST_RESPONSE)]
    assert [t.kind for t in sla.ladder_triggers([clock], ladder, SAUDI)] == [
        "warning",
        "breached",
    ]


def test_due_triggers_fire_once_and_next_check_moves_on():
    clock = sla.Running(sla.FIRST_RESPONSE, 0, riyadh(2025, 11, 16, 9), riyadh(2025, 11, 16, 10))
    triggers = sla.ladder_triggers([clock], LADDER, SAUDI)
    now = riyadh(2025, 11, 16, 10)  # the due instant itself: warning only
    due = sla.due_triggers(triggers, [], now)
    assert [t.mark for t in due] == ["first_response:0:warning", "first_response:0:L1"]
    marks = [t.mark for t in due]
    assert sla.due_triggers(triggers, marks, now) == []
    assert sla.next_check_at(triggers, marks) == riyadh(2025, 11, 16, 10) + timedelta(
        microseconds=1
    )
    every = [t.mark for t in triggers]
    assert sla.next_check_at(triggers, every) is None


def test_marks_of_a_new_next_response_round_drop_the_older_rounds():
    marks = ["first_response:0:L1", "next_response:1:warning", "next_response:2:L1"]
    assert sla.marks_of_round(marks, sla.NEXT_RESPONSE, 3) == ["first_response:0:L1"]


@settings(max_examples=200, deadline=None)
@given(
    due_offset=st.integers(min_value=0, max_value=7 * 24 * 60),
    warn_share=st.integers(min_value=0, max_value=100),
    sweeps=st.lists(st.integers(min_value=0, max_value=9 * 24 * 60), min_size=1, max_size=8),
)
def test_what_fires_does_not_depend_on_when_sweeps_run(due_offset, warn_share, sweeps):
    """Sweeping at any instants fires each trigger once, exactly those due by the last one."""
    start = riyadh(2025, 11, 16, 8)
    due = start + timedelta(minutes=due_offset)
    warn = start + timedelta(minutes=due_offset * warn_share // 100)
    triggers = sla.ladder_triggers([sla.Running(sla.RESOLUTION, 0, warn, due)], LADDER, SAUDI)
    marks: list[str] = []
    for minute in sorted(sweeps):
        now = start + timedelta(minutes=minute)
        fired = sla.due_triggers(triggers, marks, now)
        marks += [t.mark for t in fired]
        check = sla.next_check_at(triggers, marks)
        assert check is None or check > now
    last = start + timedelta(minutes=max(sweeps))
    assert len(marks) == len(set(marks))
    assert set(marks) == {t.mark for t in triggers if t.fires_at <= last}


@settings(max_examples=200, deadline=None)
@given(
    start_minutes=st.integers(min_value=0, max_value=60 * 24 * 30),
    target_minutes=st.integers(min_value=1, max_value=60 * 40),
    percent=st.integers(min_value=1, max_value=100),
)
def test_warning_comes_before_due_and_due_is_target_business_time_away(
    start_minutes, target_minutes, percent
):
    start = riyadh(2026, 1, 1) + timedelta(minutes=start_minutes)
    found = sla.deadline(SAUDI, start, target_minutes * 60, warning_percent=percent)
    assert start <= found.warn_at <= found.due
    assert business_seconds_between(SAUDI, start, found.due) == target_minutes * 60


def test_ramadan_override_and_eid_break_push_the_due_time():
    ramadan_and_eid = Calendar(
        "Asia/Riyadh",
        SAUDI_GOV_WEEKLY,
        overrides=(
            Override(
                date(2026, 2, 18),
                date(2026, 3, 16),
                ((time(10), time(15)),),
                weekdays=frozenset({6, 0, 1, 2, 3}),
            ),
            Override(date(2026, 3, 17), date(2026, 3, 29)),
        ),
    )
    found = sla.deadline(ramadan_and_eid, riyadh(2026, 3, 16, 14, 30), HOUR, warning_percent=75)
    assert found.due == riyadh(2026, 3, 30, 8, 30)


# --- Small helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        ("10:00-15:00", ((time(10), time(15)),)),
        ("8:00–12:00, 21:00-24:00", ((time(8), time(12)), (time(21), time(0)))),
        ("", ()),
    ],
)
def test_parse_periods(text, periods):
    assert sla.parse_periods(text) == periods
    assert sla.parse_periods(sla.format_periods(periods)) == periods


@pytest.mark.parametrize("text", ["10-15", "25:00-26:00", "10:00-24:30", "ten to three"])
def test_parse_periods_refuses_nonsense(text):
    with pytest.raises(ValueError):
        sla.parse_periods(text)


@pytest.mark.parametrize(("old", "new"), [("P4", "P3"), ("P2", "P1"), ("P1", "P1")])
def test_raising_priority_never_lowers_it(old, new):
    assert sla.raised(old) == new


@settings(max_examples=300, deadline=None)
@given(
    clocks=st.lists(
        st.tuples(
            st.sampled_from(sla.TARGETS),
            st.integers(min_value=0, max_value=14 * 24 * 60),  # due, minutes from the start
            st.one_of(st.none(), st.integers(min_value=0, max_value=100)),  # warning share
        ),
        max_size=3,
    ),
    ladder=st.lists(
        st.tuples(
            st.sampled_from([sla.ON_WARNING, sla.ON_BREACH, sla.AFTER_BREACH]),
            st.integers(min_value=0, max_value=600),
            st.sampled_from([sla.ANY_TARGET, *sla.TARGETS]),
        ),
        max_size=4,
    ),
)
def test_first_check_without_the_ladder_is_the_ladders_first_trigger(clocks, ladder):
    """The shortcut for clocks nothing has fired for gives what the whole ladder gives."""
    start = riyadh(2025, 11, 13, 13)
    running = [
        sla.Running(
            target,
            0,
            None if share is None else start + timedelta(minutes=due * share // 100),
            start + timedelta(minutes=due),
        )
        for target, due, share in clocks
    ]
    levels = [
        sla.LadderLevel(number, trigger, minutes=minutes, applies_to=applies)
        for number, (trigger, minutes, applies) in enumerate(ladder, start=1)
    ]
    triggers = sla.ladder_triggers(running, levels, SAUDI)
    assert sla.first_check_at(running) == sla.next_check_at(triggers, [])
