"""social_ingest.polling: ids, the overlap window, back-off and gaps. Pure, no database."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from social_ingest import polling

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OVERLAP = timedelta(minutes=5)
ids = st.integers(min_value=1, max_value=10**25).map(str)


@given(ids, ids)
def test_id_order_is_numeric_order_without_turning_ids_into_floats(a, b):
    assert polling.id_newer(a, b) == (int(a) > int(b))


@given(ids)
def test_id_before_is_the_previous_number(tweet_id):
    before = polling.id_before(tweet_id)
    assert before == ("" if tweet_id == "1" else str(int(tweet_id) - 1))


@pytest.mark.parametrize(
    ("a", "b", "newer"),
    [("10", "9", True), ("9", "10", False), ("1", "", True), ("", "1", False), ("5", "5", False)],
)
def test_id_newer_table(a, b, newer):
    assert polling.id_newer(a, b) is newer


def test_id_before_borrows_and_keeps_big_ids_exact():
    assert polling.id_before("1929473068234027700") == "1929473068234027699"
    assert polling.id_before("1000") == "999"
    assert polling.id_before("") == ""


def test_newest_and_oldest_of_ids():
    assert polling.newest_id("", "99", "100", "7") == "100"
    assert polling.oldest_id(["99", "100", "", "7"]) == "7"


def at(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat()


@pytest.mark.parametrize(
    ("history", "since_id", "floor"),
    [
        ([], "500", "500"),  # no history: the watermark itself
        ([["", None], ["500", at(1)]], "500", ""),  # first watermark is recent: read all
        ([["", None], ["500", at(10)]], "500", "500"),  # old enough: no overlap needed
        ([["300", at(20)], ["400", at(4)], ["500", at(1)]], "500", "300"),
        ([["300", at(20)], ["400", at(6)], ["500", at(1)]], "500", "400"),
        ([["300", at(20)], ["400", at(6)], ["500", at(5.5)]], "500", "500"),
        ([["garbage"], ["400", "not a time"]], "500", "500"),  # unreadable rows ignored
    ],
)
def test_overlap_floor_is_the_watermark_as_it_stood_overlap_ago(history, since_id, floor):
    assert polling.overlap_floor(history, since_id, now=NOW, overlap=OVERLAP) == floor


def test_history_keeps_only_what_the_floor_can_still_need():
    history = []
    moments = [30, 20, 4, 2]
    values = ["100", "200", "300", "400"]
    old = ""
    for minutes_ago, value in zip(moments, values, strict=True):
        history = polling.history_after_advance(
            history,
            old=old,
            new=value,
            now=NOW - timedelta(minutes=minutes_ago),
            overlap=OVERLAP,
        )
        old = value
    # At NOW: 300 and 400 are inside the window; 200 stood at its start.
    assert [v for v, _t in history] == ["200", "300", "400"]
    assert polling.overlap_floor(history, "400", now=NOW, overlap=OVERLAP) == "200"


def test_first_advance_remembers_that_nothing_stood_before():
    history = polling.history_after_advance([], old="", new="900", now=NOW, overlap=OVERLAP)
    assert history[0] == ["", None]
    assert (
        polling.overlap_floor(history, "900", now=NOW + timedelta(minutes=1), overlap=OVERLAP) == ""
    )
    assert (
        polling.overlap_floor(history, "900", now=NOW + timedelta(minutes=6), overlap=OVERLAP)
        == "900"
    )


@pytest.mark.parametrize(
    ("failures", "seconds"), [(1, 15), (2, 30), (3, 60), (6, 480), (7, 900), (50, 900)]
)
def test_backoff_doubles_up_to_the_cap(failures, seconds):
    assert polling.backoff_delay(failures, base=15, cap=900) == timedelta(seconds=seconds)


def fetched(first: int, count: int, start: datetime, step: timedelta):
    return [(str(first + i), start + i * step) for i in range(count)]


def test_no_gap_when_the_old_watermark_was_met():
    rows = fetched(1000, 800, NOW, timedelta(seconds=1))  # ids 1000..1799, watermark 1000
    assert (
        polling.detect_gap(watermark="1000", watermark_at=NOW, fetched=rows, threshold=750) is None
    )


def test_no_gap_below_the_threshold_even_if_the_watermark_tweet_was_deleted():
    rows = fetched(2000, 20, NOW, timedelta(seconds=1))
    assert (
        polling.detect_gap(watermark="1000", watermark_at=NOW, fetched=rows, threshold=750) is None
    )


def test_no_gap_on_a_first_poll():
    rows = fetched(2000, 800, NOW, timedelta(seconds=1))
    assert polling.detect_gap(watermark="", watermark_at=None, fetched=rows, threshold=750) is None


def test_gap_when_800_were_read_without_reaching_the_watermark():
    start = NOW - timedelta(minutes=20)
    rows = fetched(5000, 800, start + timedelta(minutes=10), timedelta(milliseconds=750))
    gap = polling.detect_gap(watermark="1000", watermark_at=start, fetched=rows, threshold=750)
    assert gap.after_id == "1000" and gap.before_id == "5000"
    assert gap.from_time == start and gap.to_time == start + timedelta(minutes=10)
    # 800 mentions in ~10 minutes read; the 10 minutes before them were not: ~800 lost.
    assert 780 <= gap.estimated_count <= 820


def test_gap_without_times_has_no_estimate():
    rows = [(str(5000 + i), None) for i in range(800)]
    gap = polling.detect_gap(watermark="1000", watermark_at=None, fetched=rows, threshold=750)
    assert gap is not None and gap.estimated_count is None
