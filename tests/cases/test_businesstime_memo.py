"""The working intervals a calendar remembers per date change no answer: the same
instants as a calendar that has never computed anything (pure memoisation)."""

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from cases import businesstime
from cases.businesstime import add_business_time, business_seconds_between
from tests.cases.test_businesstime import PROPERTY_SETTINGS, calendars, durations, instants


def _fresh(cal: businesstime.Calendar) -> businesstime.Calendar:
    return dataclasses.replace(cal)  # a new instance: nothing remembered


@PROPERTY_SETTINGS
@given(cal=calendars, starts=st.lists(instants, min_size=1, max_size=5), seconds=durations)
def test_a_warm_calendar_answers_as_a_fresh_one(cal, starts, seconds):
    for start in starts:  # earlier starts warm the memory used by later ones
        due = add_business_time(cal, start, seconds)
        assert due == add_business_time(_fresh(cal), start, seconds)
        assert business_seconds_between(cal, start, due) == business_seconds_between(
            _fresh(cal), start, due
        )


def test_the_memory_is_per_calendar_and_bounded(monkeypatch):
    monkeypatch.setattr(businesstime, "_INTERVALS_KEPT", 3)
    cal = businesstime.Calendar("Asia/Riyadh", businesstime.SAUDI_GOV_WEEKLY)
    other = _fresh(cal)
    start = businesstime.datetime(2026, 11, 22, 5, tzinfo=businesstime.UTC)
    add_business_time(cal, start, 10 * 3600)  # Sunday to Monday: two dates
    assert len(cal._intervals) == 2 and not other._intervals
    add_business_time(cal, start, 40 * 3600)  # a week's worth: starts again when full
    assert 0 < len(cal._intervals) <= 3
