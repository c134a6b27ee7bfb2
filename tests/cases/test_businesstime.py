"""Business calendars and business-time arithmetic (pure: no database, no clock)."""

import math
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.businesstime import (
    MIDNIGHT,
    SAUDI_GOV_WEEKLY,
    SUNDAY_TO_THURSDAY,
    UAE_FEDERAL_WEEKLY,
    Calendar,
    Override,
    add_business_time,
    always_open,
    business_seconds_between,
    holiday_dates,
    working_periods,
)

RIYADH = ZoneInfo("Asia/Riyadh")
DUBAI = ZoneInfo("Asia/Dubai")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

HOUR = 3600
MINUTE = 60
NAIVE = datetime(2025, 1, 1)  # noqa: DTZ001 - the mistake the API must reject


def at(zone: ZoneInfo, *fields: int) -> datetime:
    return datetime(*fields, tzinfo=zone)


def every_day(*periods: tuple[time, time]) -> dict[int, tuple[tuple[time, time], ...]]:
    return {weekday: periods for weekday in range(7)}


SAUDI = Calendar("Asia/Riyadh", SAUDI_GOV_WEEKLY)

# Ramadan 1447 and the Eid al-Fitr break as a ministry would announce them: the break
# (17-29 March) is longer than the package's Eid dates (19-24 March). The package's
# holidays stay on top, so Founding Day (Sunday 22 February) is closed inside Ramadan.
SAUDI_2026 = Calendar(
    "Asia/Riyadh",
    SAUDI_GOV_WEEKLY,
    overrides=(
        Override(
            date(2026, 2, 18),
            date(2026, 3, 16),
            ((time(10), time(15)),),
            weekdays=SUNDAY_TO_THURSDAY,
        ),
        Override(date(2026, 3, 17), date(2026, 3, 29)),
    ),
    holidays=frozenset(holiday_dates("SA", [2026])),
)

UAE = Calendar("Asia/Dubai", UAE_FEDERAL_WEEKLY)
SPLIT_DAY = Calendar("Asia/Riyadh", every_day((time(8), time(12)), (time(13), time(17))))
NIGHTS = Calendar("Asia/Riyadh", every_day((MIDNIGHT, time(6)), (time(22), MIDNIGHT)))
# One night shift a week, Thursday 22:00 to Friday 06:00.
THURSDAY_NIGHT = Calendar("Asia/Riyadh", {3: ((time(22), MIDNIGHT),), 4: ((MIDNIGHT, time(6)),)})
# Sunday 01:30-03:30 spans both 2025 US transitions (9 March, 2 November).
NEW_YORK_SUNDAY_NIGHT = Calendar("America/New_York", {6: ((time(1, 30), time(3, 30)),)})
LONDON_ALL_DAY = Calendar("Europe/London", every_day((MIDNIGHT, MIDNIGHT)))


@pytest.mark.parametrize(
    ("cal", "start", "seconds", "due"),
    [
        pytest.param(
            SAUDI,
            at(RIYADH, 2025, 11, 13, 14, 50),
            HOUR,
            at(RIYADH, 2025, 11, 16, 8, 50),
            id="thursday-afternoon-rolls-over-the-weekend-to-sunday",
        ),
        pytest.param(
            SAUDI,
            at(RIYADH, 2025, 11, 13, 14, 0),
            HOUR,
            at(RIYADH, 2025, 11, 13, 15, 0),
            id="ends-exactly-at-closing-time-not-next-opening",
        ),
        pytest.param(
            SAUDI,
            at(RIYADH, 2025, 11, 14, 20, 0),
            HOUR,
            at(RIYADH, 2025, 11, 16, 9, 0),
            id="opened-on-friday-starts-at-sunday-opening",
        ),
        pytest.param(
            SAUDI,
            at(RIYADH, 2025, 11, 16, 8, 0),
            5 * 7 * HOUR,
            at(RIYADH, 2025, 11, 20, 15, 0),
            id="a-full-working-week",
        ),
        pytest.param(
            SAUDI_2026,
            at(RIYADH, 2026, 2, 19, 14, 0),
            2 * HOUR,
            at(RIYADH, 2026, 2, 23, 11, 0),
            id="ramadan-hours-and-founding-day-inside-ramadan",
        ),
        pytest.param(
            SAUDI_2026,
            at(RIYADH, 2026, 2, 21, 9, 0),
            30 * MINUTE,
            at(RIYADH, 2026, 2, 23, 10, 30),
            id="ramadan-override-does-not-open-saturdays",
        ),
        pytest.param(
            SAUDI_2026,
            at(RIYADH, 2026, 2, 23, 8, 30),
            HOUR,
            at(RIYADH, 2026, 2, 23, 11, 0),
            id="ramadan-opening-is-10",
        ),
        pytest.param(
            SAUDI_2026,
            at(RIYADH, 2026, 3, 16, 14, 30),
            HOUR,
            at(RIYADH, 2026, 3, 30, 8, 30),
            id="eid-break-longer-than-the-holidays",
        ),
        pytest.param(
            SAUDI_2026,
            at(RIYADH, 2026, 3, 20, 12, 0),
            7 * HOUR,
            at(RIYADH, 2026, 3, 30, 15, 0),
            id="opened-during-eid-break",
        ),
        pytest.param(
            SAUDI_2026,
            at(RIYADH, 2026, 9, 22, 14, 30),
            HOUR,
            at(RIYADH, 2026, 9, 24, 8, 30),
            id="national-day-from-the-package-is-closed",
        ),
        pytest.param(
            UAE,
            at(DUBAI, 2025, 11, 14, 11, 30),
            HOUR,
            at(DUBAI, 2025, 11, 17, 8, 0),
            id="uae-friday-half-day",
        ),
        pytest.param(
            UAE,
            at(DUBAI, 2025, 11, 13, 15, 0),
            HOUR,
            at(DUBAI, 2025, 11, 14, 8, 0),
            id="uae-thursday-into-friday",
        ),
        pytest.param(
            always_open("Asia/Riyadh"),
            at(RIYADH, 2025, 11, 14, 3, 0),
            15 * MINUTE,
            at(RIYADH, 2025, 11, 14, 3, 15),
            id="always-open-friday-night",
        ),
        pytest.param(
            SPLIT_DAY,
            at(RIYADH, 2025, 11, 13, 11, 30),
            HOUR,
            at(RIYADH, 2025, 11, 13, 13, 30),
            id="lunch-break-is-skipped",
        ),
        pytest.param(
            SPLIT_DAY,
            at(RIYADH, 2025, 11, 13, 12, 0),
            HOUR,
            at(RIYADH, 2025, 11, 13, 14, 0),
            id="opened-during-lunch",
        ),
        pytest.param(
            NIGHTS,
            at(RIYADH, 2025, 11, 13, 23, 30),
            HOUR,
            at(RIYADH, 2025, 11, 14, 0, 30),
            id="night-shift-runs-across-midnight",
        ),
        pytest.param(
            NIGHTS,
            at(RIYADH, 2025, 11, 13, 5, 30),
            HOUR,
            at(RIYADH, 2025, 11, 13, 22, 30),
            id="morning-end-of-night-shift-to-evening-start",
        ),
        pytest.param(
            THURSDAY_NIGHT,
            at(RIYADH, 2025, 11, 13, 23, 0),
            2 * HOUR,
            at(RIYADH, 2025, 11, 14, 1, 0),
            id="weekly-night-shift-thursday-into-friday",
        ),
        pytest.param(
            THURSDAY_NIGHT,
            at(RIYADH, 2025, 11, 13, 23, 0),
            8 * HOUR,
            at(RIYADH, 2025, 11, 20, 23, 0),
            id="weekly-night-shift-into-next-week",
        ),
        pytest.param(
            NEW_YORK_SUNDAY_NIGHT,
            at(NEW_YORK, 2025, 3, 9, 1, 30),
            30 * MINUTE,
            datetime(2025, 3, 9, 7, 0, tzinfo=UTC),  # 03:00 EDT: 02:00 never shows
            id="spring-forward-half-hour-reaches-the-jump",
        ),
        pytest.param(
            NEW_YORK_SUNDAY_NIGHT,
            at(NEW_YORK, 2025, 3, 9, 1, 30),
            2 * HOUR,
            # One real hour that night, the other from 01:30 EDT the next Sunday.
            datetime(2025, 3, 16, 6, 30, tzinfo=UTC),
            id="spring-forward-period-lasts-one-real-hour",
        ),
        pytest.param(
            NEW_YORK_SUNDAY_NIGHT,
            datetime(2025, 11, 2, 5, 30, tzinfo=UTC),
            2 * HOUR,
            datetime(2025, 11, 2, 7, 30, tzinfo=UTC),  # 01:30 EDT + 2 h = 02:30 EST
            id="fall-back-period-lasts-three-real-hours",
        ),
        pytest.param(
            LONDON_ALL_DAY,
            at(LONDON, 2025, 3, 29, 23, 0),
            2 * HOUR,
            at(LONDON, 2025, 3, 30, 2, 0),  # 00:00 GMT + 1 h is 02:00 BST
            id="london-full-days-across-spring-forward",
        ),
    ],
)
def test_add_business_time_examples(cal, start, seconds, due):
    result = add_business_time(cal, start, seconds)
    assert result == due
    assert result.tzinfo is UTC
    assert business_seconds_between(cal, start, result) == seconds


@pytest.mark.parametrize(
    ("cal", "start", "end", "seconds"),
    [
        pytest.param(
            NEW_YORK_SUNDAY_NIGHT,
            at(NEW_YORK, 2025, 3, 9),
            at(NEW_YORK, 2025, 3, 10),
            HOUR,
            id="new-york-spring-forward-night-is-one-hour",
        ),
        pytest.param(
            NEW_YORK_SUNDAY_NIGHT,
            at(NEW_YORK, 2025, 11, 2),
            at(NEW_YORK, 2025, 11, 3),
            3 * HOUR,
            id="new-york-fall-back-night-is-three-hours",
        ),
        pytest.param(
            LONDON_ALL_DAY,
            at(LONDON, 2025, 3, 30),
            at(LONDON, 2025, 3, 31),
            23 * HOUR,
            id="london-spring-forward-day-is-23-hours",
        ),
        pytest.param(
            LONDON_ALL_DAY,
            at(LONDON, 2025, 10, 26),
            at(LONDON, 2025, 10, 27),
            25 * HOUR,
            id="london-fall-back-day-is-25-hours",
        ),
        pytest.param(
            SAUDI,
            at(RIYADH, 2025, 11, 16),
            at(RIYADH, 2025, 11, 23),
            35 * HOUR,
            id="saudi-week",
        ),
        pytest.param(
            SAUDI_2026,
            at(RIYADH, 2026, 2, 22),
            at(RIYADH, 2026, 3, 1),
            4 * 5 * HOUR,
            id="ramadan-week-with-founding-day",
        ),
        pytest.param(
            SAUDI_2026,
            at(RIYADH, 2026, 3, 17),
            at(RIYADH, 2026, 3, 30),
            0,
            id="eid-break",
        ),
        pytest.param(
            UAE,
            at(DUBAI, 2025, 11, 17),
            at(DUBAI, 2025, 11, 24),
            4 * 8 * HOUR + 4.5 * HOUR,
            id="uae-week",
        ),
        pytest.param(
            NIGHTS,
            at(RIYADH, 2025, 11, 13, 23),
            at(RIYADH, 2025, 11, 14, 1),
            2 * HOUR,
            id="across-midnight",
        ),
        pytest.param(
            SAUDI,
            at(RIYADH, 2025, 11, 13, 10),
            at(RIYADH, 2025, 11, 13, 9),
            0,
            id="end-before-start-is-zero",
        ),
        pytest.param(
            SAUDI,
            at(RIYADH, 2025, 11, 13, 10),
            at(RIYADH, 2025, 11, 13, 10, 0, 0, 500_000),
            0.5,
            id="sub-second-span-is-a-float",
        ),
    ],
)
def test_business_seconds_between_examples(cal, start, end, seconds):
    assert business_seconds_between(cal, start, end) == seconds


def test_whole_second_spans_are_ints():
    assert isinstance(
        business_seconds_between(SAUDI, at(RIYADH, 2025, 11, 16), at(RIYADH, 2025, 11, 17)), int
    )


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        pytest.param(
            ((time(2, 30), time(4)),),
            [(datetime(2025, 3, 9, 7, 0, tzinfo=UTC), datetime(2025, 3, 9, 8, 0, tzinfo=UTC))],
            id="start-in-the-gap-opens-at-the-jump",
        ),
        pytest.param(((time(2, 10), time(2, 50)),), [], id="period-inside-the-gap-never-happens"),
        pytest.param(
            ((time(1), time(2, 30)), (time(2, 45), time(3, 15))),
            [
                (datetime(2025, 3, 9, 6, 0, tzinfo=UTC), datetime(2025, 3, 9, 7, 0, tzinfo=UTC)),
                (datetime(2025, 3, 9, 7, 0, tzinfo=UTC), datetime(2025, 3, 9, 7, 15, tzinfo=UTC)),
            ],
            id="periods-around-the-gap-keep-their-order",
        ),
    ],
)
def test_spring_forward_gap_times_mean_the_transition(periods, expected):
    cal = Calendar("America/New_York", {6: periods})
    day = (at(NEW_YORK, 2025, 3, 9), at(NEW_YORK, 2025, 3, 10))
    assert list(working_periods(cal, *day)) == expected


def test_fall_back_repeated_time_means_its_first_occurrence():
    cal = Calendar("America/New_York", {6: ((MIDNIGHT, time(1, 30)), (time(1, 30), time(2)))})
    assert list(working_periods(cal, at(NEW_YORK, 2025, 11, 2), at(NEW_YORK, 2025, 11, 3))) == [
        (datetime(2025, 11, 2, 4, 0, tzinfo=UTC), datetime(2025, 11, 2, 5, 30, tzinfo=UTC)),
        (datetime(2025, 11, 2, 5, 30, tzinfo=UTC), datetime(2025, 11, 2, 7, 0, tzinfo=UTC)),
    ]


def test_working_periods_are_clipped_utc_intervals():
    periods = list(
        working_periods(SPLIT_DAY, at(RIYADH, 2025, 11, 13, 10), at(RIYADH, 2025, 11, 13, 14))
    )
    assert periods == [
        (datetime(2025, 11, 13, 7, 0, tzinfo=UTC), datetime(2025, 11, 13, 9, 0, tzinfo=UTC)),
        (datetime(2025, 11, 13, 10, 0, tzinfo=UTC), datetime(2025, 11, 13, 11, 0, tzinfo=UTC)),
    ]


@pytest.mark.parametrize(
    ("cal", "day", "hours"),
    [
        pytest.param(SAUDI_2026, date(2026, 2, 22), (), id="holiday-beats-override"),
        pytest.param(
            SAUDI_2026, date(2026, 2, 23), ((time(10), time(15)),), id="override-beats-weekly"
        ),
        pytest.param(SAUDI_2026, date(2026, 2, 20), (), id="override-weekdays-leave-friday-weekly"),
        pytest.param(SAUDI_2026, date(2026, 3, 17), (), id="closing-override"),
        pytest.param(SAUDI_2026, date(2026, 4, 1), ((time(8), time(15)),), id="weekly"),
        pytest.param(
            Calendar(
                "Asia/Riyadh",
                SAUDI_GOV_WEEKLY,
                overrides=(Override(date(2026, 1, 3), date(2026, 1, 3), ((time(9), time(13)),)),),
            ),
            date(2026, 1, 3),
            ((time(9), time(13)),),
            id="override-opens-a-saturday",
        ),
        pytest.param(
            Calendar("Asia/Riyadh", always_open=True, holidays=frozenset({date(2026, 1, 1)})),
            date(2026, 1, 1),
            ((MIDNIGHT, MIDNIGHT),),
            id="always-open-ignores-holidays",
        ),
    ],
)
def test_hours_on_precedence(cal, day, hours):
    assert cal.hours_on(day) == hours


def test_adding_zero_returns_start_even_when_closed():
    friday = at(RIYADH, 2025, 11, 14, 20, 0)
    assert add_business_time(SAUDI, friday, 0) == friday
    assert add_business_time(SAUDI, friday, 0).tzinfo is UTC


def test_long_durations_match_a_count_of_open_dates():
    holidays = frozenset(holiday_dates("SA", range(2025, 2031)))
    cal = Calendar("Asia/Riyadh", SAUDI_GOV_WEEKLY, holidays=holidays)
    open_dates = [
        day
        for day in (date(2025, 1, 1) + timedelta(days=offset) for offset in range(800))
        if day.weekday() in SUNDAY_TO_THURSDAY and day not in holidays
    ]
    # From 09:00 on the first open date, every 7 hours lands on 09:00 of the next one.
    for working_days in (1, 20, 250, 400):
        due = add_business_time(cal, at(RIYADH, 2025, 1, 1, 9), working_days * 7 * HOUR)
        assert due == datetime.combine(open_dates[working_days], time(9), tzinfo=RIYADH)


def test_float_durations_keep_microseconds():
    start = at(RIYADH, 2025, 11, 13, 9)
    assert add_business_time(SAUDI, start, 1.25) == start + timedelta(seconds=1.25)


# --- holidays from the package ---------------------------------------------------------


def test_saudi_holidays_from_package():
    found = holiday_dates("SA", [2025, 2030], language="en_US")
    assert found[date(2025, 9, 23)] == ("National Day Holiday", False)
    assert found[date(2025, 2, 22)] == ("Founding Day Holiday", False)
    # Eid al-Fitr 2025 is confirmed in holidays 0.109; 2030 is a computed estimate.
    assert found[date(2025, 3, 30)] == ("Eid al-Fitr Holiday", False)
    assert found[date(2030, 2, 3)] == ("Eid al-Fitr Holiday (estimated)", True)


def test_estimated_flag_survives_hidden_labels_and_other_languages():
    labelled = holiday_dates("SA", [2030], language="en_US")
    hidden = holiday_dates("SA", [2030], language="en_US", show_estimated=False)
    arabic = holiday_dates("SA", [2030], language="ar")
    assert hidden[date(2030, 2, 3)] == ("Eid al-Fitr Holiday", True)
    flags = {day: estimated for day, (_, estimated) in labelled.items()}
    assert flags == {day: estimated for day, (_, estimated) in hidden.items()}
    assert flags == {day: estimated for day, (_, estimated) in arabic.items()}
    assert any(flags.values()) and not all(flags.values())


def test_uae_ministries_need_government_category():
    public = holiday_dates("AE", [2023], language="en_US")
    government = holiday_dates("AE", [2023], categories=("public", "government"), language="en_US")
    assert date(2023, 12, 4) not in public
    assert government[date(2023, 12, 4)] == ("National Day", False)


def test_unknown_country_is_a_value_error():
    with pytest.raises(ValueError, match="no calendar"):
        holiday_dates("XX", [2025])


def test_no_years_no_holidays():
    assert holiday_dates("SA", []) == {}


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: Calendar("Asia/Riyad", SAUDI_GOV_WEEKLY), "unknown time zone", id="typo-zone"
        ),
        pytest.param(lambda: Calendar("../etc/passwd"), "unknown time zone", id="path-zone"),
        pytest.param(lambda: Calendar(""), "unknown time zone", id="empty-zone"),
        pytest.param(
            lambda: Calendar("UTC", {0: ((time(15), time(8)),)}),
            "must start before",
            id="reversed-period",
        ),
        pytest.param(
            lambda: Calendar("UTC", {0: ((time(8), time(8)),)}),
            "must start before",
            id="empty-period",
        ),
        pytest.param(
            lambda: Calendar("UTC", {0: ((time(8), time(12)), (time(11), time(15)))}),
            "overlap",
            id="overlapping-periods",
        ),
        pytest.param(
            lambda: Calendar("UTC", {0: ((time(8), time(12, tzinfo=UTC)),)}),
            "tzinfo",
            id="aware-time",
        ),
        pytest.param(
            lambda: Calendar("UTC", {7: ((time(8), time(12)),)}), "weekday", id="weekday-7"
        ),
        pytest.param(
            lambda: Calendar("UTC", holidays=frozenset({datetime(2025, 1, 1, tzinfo=UTC)})),
            "datetime.date",
            id="datetime-holiday",
        ),
        pytest.param(
            lambda: Override(date(2025, 3, 2), date(2025, 3, 1)),
            "before it starts",
            id="reversed-override",
        ),
        pytest.param(
            lambda: Override(date(2025, 3, 1), date(2025, 3, 2), weekdays=frozenset()),
            "weekdays",
            id="empty-weekdays",
        ),
        pytest.param(
            lambda: Calendar(
                "UTC",
                overrides=(
                    Override(date(2025, 3, 1), date(2025, 3, 31), ((time(10), time(15)),)),
                    Override(date(2025, 3, 30), date(2025, 4, 5)),
                ),
            ),
            "both cover 2025-03-30",
            id="overlapping-overrides",
        ),
    ],
)
def test_invalid_calendars_are_rejected(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_overrides_on_disjoint_weekdays_may_share_dates():
    cal = Calendar(
        "UTC",
        overrides=(
            Override(date(2025, 3, 1), date(2025, 3, 31), ((time(10), time(15)),), weekdays={0, 1}),
            Override(date(2025, 3, 1), date(2025, 3, 31), ((time(9), time(12)),), weekdays={2}),
        ),
    )
    assert cal.hours_on(date(2025, 3, 5)) == ((time(9), time(12)),)  # a Wednesday


def test_calendars_are_hashable_values():
    assert Calendar("Asia/Riyadh", dict(SAUDI_GOV_WEEKLY)) == SAUDI
    assert len({SAUDI, Calendar("Asia/Riyadh", dict(SAUDI_GOV_WEEKLY))}) == 1


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param(lambda: add_business_time(SAUDI, NAIVE, 60), ValueError, id="naive-start"),
        pytest.param(
            lambda: business_seconds_between(SAUDI, at(RIYADH, 2025, 1, 1), NAIVE),
            ValueError,
            id="naive-end",
        ),
        pytest.param(
            lambda: working_periods(SAUDI, NAIVE, at(RIYADH, 2025, 1, 2)),
            ValueError,
            id="naive-working-periods-fails-before-iterating",
        ),
        pytest.param(
            lambda: add_business_time(SAUDI, at(RIYADH, 2025, 1, 1), -1), ValueError, id="negative"
        ),
        pytest.param(
            lambda: add_business_time(SAUDI, at(RIYADH, 2025, 1, 1), math.nan), ValueError, id="nan"
        ),
        pytest.param(
            lambda: add_business_time(SAUDI, at(RIYADH, 2025, 1, 1), math.inf), ValueError, id="inf"
        ),
        pytest.param(
            lambda: add_business_time(SAUDI, at(RIYADH, 2025, 1, 1), "60"), TypeError, id="string"
        ),
    ],
)
def test_bad_arguments_are_rejected(call, error):
    with pytest.raises(error):
        call()


@pytest.mark.parametrize(
    "cal",
    [
        pytest.param(Calendar("Asia/Riyadh"), id="no-hours-at-all"),
        pytest.param(
            Calendar(
                "Asia/Riyadh",
                SAUDI_GOV_WEEKLY,
                overrides=(Override(date(2025, 1, 1), date(2029, 12, 31)),),
            ),
            id="closed-for-five-years",
        ),
    ],
)
def test_calendar_that_never_opens_is_an_error_not_a_hang(cal):
    with pytest.raises(ValueError, match="no working time"):
        add_business_time(cal, at(RIYADH, 2025, 1, 1), HOUR)


# --- properties ------------------------------------------------------------------------

ZONES = [
    "Asia/Riyadh",
    "Asia/Dubai",
    "America/New_York",
    "Europe/London",
    "America/Santiago",
    "UTC",
]


def _half_hour(mark: int) -> time:
    return MIDNIGHT if mark == 48 else time(mark // 2, 30 * (mark % 2))


@st.composite
def random_calendars(draw):
    weekly = {}
    for weekday in range(7):
        # Sorted distinct half-hour marks, paired up, are disjoint periods.
        marks = sorted(draw(st.sets(st.integers(0, 48), max_size=6)))
        weekly[weekday] = tuple(
            (_half_hour(opens), _half_hour(closes))
            for opens, closes in zip(marks[::2], marks[1::2], strict=False)
        )
    if not any(weekly.values()):
        # Rather than filtering out closed weeks (slow), open one day.
        weekly[draw(st.integers(0, 6))] = ((time(9), time(17)),)
    days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))
    holidays = draw(st.frozensets(days, max_size=20))
    overrides = ()
    if draw(st.booleans()):
        first = draw(days)
        length = draw(st.integers(0, 40))
        marks = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
        periods = tuple(
            (_half_hour(a), _half_hour(b)) for a, b in zip(marks[::2], marks[1::2], strict=False)
        )
        overrides = (Override(first, first + timedelta(days=length), periods),)
    return Calendar(draw(st.sampled_from(ZONES)), weekly, overrides=overrides, holidays=holidays)


calendars = st.one_of(
    st.sampled_from(
        [
            SAUDI,
            SAUDI_2026,
            UAE,
            SPLIT_DAY,
            NIGHTS,
            THURSDAY_NIGHT,
            NEW_YORK_SUNDAY_NIGHT,
            LONDON_ALL_DAY,
            always_open(),
        ]
    ),
    random_calendars(),
)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
durations = st.integers(0, 20 * 8 * HOUR)

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(cal=calendars, start=instants, seconds=durations)
def test_between_measures_what_add_added(cal, start, seconds):
    assert business_seconds_between(cal, start, add_business_time(cal, start, seconds)) == seconds


@PROPERTY_SETTINGS
@given(cal=calendars, start=instants, seconds=st.floats(0, 20 * 8 * HOUR))
def test_between_measures_float_durations_to_the_microsecond(cal, start, seconds):
    measured = business_seconds_between(cal, start, add_business_time(cal, start, seconds))
    assert measured == pytest.approx(seconds, abs=1e-6)


@PROPERTY_SETTINGS
@given(cal=calendars, start=instants, first=durations, second=durations)
def test_add_is_monotonic(cal, start, first, second):
    shorter, longer = sorted((first, second))
    assert start <= add_business_time(cal, start, shorter) <= add_business_time(cal, start, longer)


@PROPERTY_SETTINGS
@given(cal=calendars, start=instants, first=durations, second=durations)
def test_add_is_additive(cal, start, first, second):
    in_two_steps = add_business_time(cal, add_business_time(cal, start, first), second)
    assert in_two_steps == add_business_time(cal, start, first + second)


@PROPERTY_SETTINGS
@given(cal=calendars, points=st.lists(instants, min_size=3, max_size=3))
def test_between_is_additive_over_a_split_point(cal, points):
    start, middle, end = sorted(points)
    parts = business_seconds_between(cal, start, middle) + business_seconds_between(
        cal, middle, end
    )
    # Microsecond spans come back as floats, whose sums may differ in the last bit.
    assert parts == pytest.approx(business_seconds_between(cal, start, end), abs=1e-6)


@PROPERTY_SETTINGS
@given(cal=calendars, points=st.lists(instants, min_size=2, max_size=2))
def test_between_never_exceeds_elapsed_time(cal, points):
    start, end = sorted(points)
    assert 0 <= business_seconds_between(cal, start, end) <= (end - start).total_seconds()


@PROPERTY_SETTINGS
@given(cal=calendars, start=instants, seconds=st.integers(1, 20 * 8 * HOUR))
def test_due_time_is_never_inside_closed_time(cal, start, seconds):
    due = add_business_time(cal, start, seconds)
    # `due` ends some working interval: it lies in (opens, closes] of one of them.
    nearby = working_periods(cal, due - timedelta(days=2), due + timedelta(seconds=1))
    assert any(opens < due <= closes for opens, closes in nearby)


@PROPERTY_SETTINGS
@given(cal=calendars, start=instants, length=st.timedeltas(timedelta(0), timedelta(days=60)))
def test_working_periods_are_ordered_disjoint_and_inside_the_window(cal, start, length):
    end = start + length
    periods = list(working_periods(cal, start, end))
    assert all(start <= opens < closes <= end for opens, closes in periods)
    assert all(closes1 <= opens2 for (_, closes1), (opens2, _) in pairwise(periods))
