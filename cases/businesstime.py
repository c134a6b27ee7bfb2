"""Business calendars and business-time arithmetic for SLA clocks.

Pure: no ORM and no clock. Callers pass every instant (including "now") as an
aware datetime; results are aware datetimes in UTC.

How a calendar reads
--------------------
* Opening hours are wall-clock times in the calendar's IANA zone. A period is a
  ``(start, end)`` pair of ``datetime.time`` with ``start < end``; an end of
  ``MIDNIGHT`` (``time(0, 0)``) means 24:00, the end of that day, so
  ``(MIDNIGHT, MIDNIGHT)`` is the whole day. A night shift crossing midnight is
  two periods: ``(22:00, MIDNIGHT)`` on one weekday and ``(MIDNIGHT, 06:00)`` on
  the next; the working time is continuous across midnight.
* Precedence for a date: ``always_open`` (24/7, everything else ignored) >
  ``holidays`` (closed all day, even inside an override such as Ramadan hours,
  because a public holiday inside Ramadan is still a day off) > the override
  covering that date > the weekly hours of its weekday. To work on a holiday,
  leave the date out of ``holidays``.
* No two overrides may claim the same date (checked; overrides limited to
  disjoint ``weekdays`` may share a date range), so the order in which they
  are given never matters.

Daylight saving time
--------------------
A wall time ``t`` on date ``d`` means the first instant at which the zone's
clock reads ``d t`` or later. For ordinary times that is the only instant; in a
fall-back repeated hour it is the first occurrence (zoneinfo's ``fold=0``); in a
spring-forward gap, where the clock never shows ``t``, it is the transition
itself (a period starting 02:30 on the day New York jumps from 02:00 to 03:00
starts at 03:00 EDT). This mapping never goes backwards, so periods keep their
order and a period spanning a transition lasts its real elapsed time: 01:30-03:30
is one hour on a spring-forward day and three hours on a fall-back day.
"""

from __future__ import annotations

import inspect
import math
from calendar import FRIDAY, MONDAY, SUNDAY, THURSDAY, TUESDAY, WEDNESDAY
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_pkg

Period = tuple[time, time]

MIDNIGHT = time(0)
"""As a period's start: 00:00. As a period's end: 24:00, the end of the day."""

# A calendar that stays closed this long is treated as never opening, so an
# empty or mistyped calendar fails loudly instead of looping forever.
MAX_CLOSED_DAYS = 3 * 366

_ONE_DAY = timedelta(days=1)
_DAY_MICROSECONDS = 86_400_000_000


def _micros(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _end_micros(value: time) -> int:
    return _DAY_MICROSECONDS if value == MIDNIGHT else _micros(value)


def _normalise_periods(periods: Iterable[Period], where: str) -> tuple[Period, ...]:
    result: list[Period] = []
    for period in periods:
        try:
            start, end = period
        except (TypeError, ValueError):
            raise ValueError(f"{where}: a period is a (start, end) pair, got {period!r}") from None
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValueError(f"{where}: period bounds must be datetime.time, got {period!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            # The calendar's zone gives times their meaning; a second zone would be ambiguous.
            raise ValueError(f"{where}: period times must not carry a tzinfo, got {period!r}")
        if _end_micros(end) <= _micros(start):
            raise ValueError(
                f"{where}: period {start:%H:%M}-{end:%H:%M} must start before it ends "
                "(use time(0, 0) as the end for 'until midnight')"
            )
        result.append((start, end))
    result.sort(key=lambda period: _micros(period[0]))
    for (start1, end1), (start2, end2) in pairwise(result):
        if _micros(start2) < _end_micros(end1):
            raise ValueError(
                f"{where}: periods {start1:%H:%M}-{end1:%H:%M} and "
                f"{start2:%H:%M}-{end2:%H:%M} overlap"
            )
    return tuple(result)


def _check_date(value: object, what: str) -> None:
    # datetime is a subclass of date but never equals one, so it would silently never match.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime.date, got {value!r}")


@dataclass(frozen=True)
class Override:
    """Opening hours that replace the weekly hours from ``start`` to ``end`` (inclusive).

    Empty ``periods`` close those dates (an announced Eid break). ``weekdays``
    (0=Monday..6=Sunday) limits the override to those weekdays; the other dates
    in the range keep their weekly hours, so Ramadan hours for Sunday-Thursday
    do not open the office on Fridays. ``None`` means every date in the range.
    """

    start: date
    end: date
    periods: tuple[Period, ...] = ()
    weekdays: frozenset[int] | None = None

    def __post_init__(self) -> None:
        _check_date(self.start, "override start")
        _check_date(self.end, "override end")
        if self.end < self.start:
            raise ValueError(f"override ends ({self.end}) before it starts ({self.start})")
        where = f"override {self.start}..{self.end}"
        object.__setattr__(self, "periods", _normalise_periods(self.periods, where))
        if self.weekdays is not None:
            weekdays = frozenset(self.weekdays)
            if not weekdays or not weekdays <= set(range(7)):
                raise ValueError(f"{where}: weekdays must be a non-empty subset of 0..6")
            object.__setattr__(self, "weekdays", weekdays)

    def applies_to(self, day: date) -> bool:
        return self.start <= day <= self.end and (
            self.weekdays is None or day.weekday() in self.weekdays
        )


@dataclass(frozen=True)
class Calendar:
    """When a team works: weekly hours, dated overrides and holidays in one IANA zone.

    ``weekly`` maps a Python weekday (0=Monday..6=Sunday) to that day's periods;
    a missing weekday is closed. See the module docstring for the precedence
    of holidays, overrides and weekly hours.
    """

    tz: str
    weekly: Mapping[int, tuple[Period, ...]] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    holidays: frozenset[date] = frozenset()
    always_open: bool = False
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _override_hours: Mapping[date, tuple[Period, ...]] = field(
        init=False, repr=False, compare=False
    )
    # date -> its working intervals in UTC: a pure function of the calendar and the
    # date, remembered because every due time of a page asks for the same few days.
    _intervals: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(
                f"unknown time zone {self.tz!r}: use an IANA name such as 'Asia/Riyadh'"
            ) from None
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_intervals", {})

        weekly: dict[int, tuple[Period, ...]] = {}
        for weekday, periods in sorted(self.weekly.items()):
            if weekday not in range(7):
                raise ValueError(
                    f"weekly hours: weekday must be 0 (Monday)..6 (Sunday), got {weekday!r}"
                )
            normalised = _normalise_periods(periods, f"weekday {weekday}")
            if normalised:
                weekly[weekday] = normalised
        object.__setattr__(self, "weekly", MappingProxyType(weekly))

        holiday_set = frozenset(self.holidays)
        for holiday in holiday_set:
            _check_date(holiday, "a holiday")
        object.__setattr__(self, "holidays", holiday_set)

        # One entry per covered date: O(1) look-up per day, and a second override
        # claiming a date is exactly an overlap.
        overrides = tuple(sorted(self.overrides, key=lambda override: override.start))
        hours_by_day: dict[date, tuple[Period, ...]] = {}
        owner: dict[date, Override] = {}
        for override in overrides:
            if not isinstance(override, Override):
                raise ValueError(f"overrides must be Override instances, got {override!r}")
            day = override.start
            while day <= override.end:
                if override.applies_to(day):
                    if day in owner:
                        other = owner[day]
                        raise ValueError(
                            f"overrides {other.start}..{other.end} and "
                            f"{override.start}..{override.end} both cover {day}"
                        )
                    owner[day] = override
                    hours_by_day[day] = override.periods
                day += _ONE_DAY
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "_override_hours", MappingProxyType(hours_by_day))

    def __hash__(self) -> int:
        # Written out because the generated hash would fail on the weekly mapping.
        return hash(
            (self.tz, tuple(self.weekly.items()), self.overrides, self.holidays, self.always_open)
        )

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def hours_on(self, day: date) -> tuple[Period, ...]:
        """The wall-clock periods open on ``day``, after holidays and overrides."""
        if self.always_open:
            return ((MIDNIGHT, MIDNIGHT),)
        if day in self.holidays:
            return ()
        override = self._override_hours.get(day)
        if override is not None:
            return override
        return self.weekly.get(day.weekday(), ())


_SUNDAY_TO_THURSDAY = (SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY)

SUNDAY_TO_THURSDAY: frozenset[int] = frozenset(_SUNDAY_TO_THURSDAY)
"""The Saudi government working week, e.g. for ``Override(weekdays=...)`` in Ramadan."""

SAUDI_GOV_WEEKLY: Mapping[int, tuple[Period, ...]] = MappingProxyType(
    {weekday: ((time(8), time(15)),) for weekday in _SUNDAY_TO_THURSDAY}
)
"""Saudi government hours: Sunday-Thursday 08:00-15:00."""

UAE_FEDERAL_WEEKLY: Mapping[int, tuple[Period, ...]] = MappingProxyType(
    {
        **{weekday: ((time(7, 30), time(15, 30)),) for weekday in range(MONDAY, FRIDAY)},
        FRIDAY: ((time(7, 30), time(12)),),
    }
)
"""UAE federal government hours: Monday-Thursday 07:30-15:30, Friday 07:30-12:00."""


def always_open(tz: str = "UTC") -> Calendar:
    """A 24/7 calendar: business time is elapsed time."""
    return Calendar(tz=tz, always_open=True)


def _first_instant(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the clock in ``zone`` reads ``day wall_time`` or later."""
    wall = datetime.combine(day, wall_time)
    before = zone.utcoffset(wall)  # fold=0: the offset in force before a transition
    after = zone.utcoffset(wall.replace(fold=1))
    if before >= after:
        # An ordinary time, or a fall-back repeated one whose first occurrence we take.
        return (wall - before).replace(tzinfo=UTC)
    # A spring-forward gap: the clock never shows `wall`. It reads `wall - gap` at `low`
    # and `wall + gap` at `high`; the transition between them is the first instant it
    # reads `wall` or later. tzdata transitions fall on whole seconds, so bisect seconds.
    low = math.floor((wall - after).replace(tzinfo=UTC).timestamp())
    high = math.ceil((wall - before).replace(tzinfo=UTC).timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


# Days remembered per calendar; a worker running for years forgets and starts again.
_INTERVALS_KEPT = 4096


def _day_intervals(cal: Calendar, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The working intervals of ``day`` in UTC (remembered per calendar: pure)."""
    found = cal._intervals.get(day)
    if found is None:
        if len(cal._intervals) >= _INTERVALS_KEPT:
            cal._intervals.clear()
        found = cal._intervals[day] = tuple(_day_intervals_computed(cal, day))
    return found


def _day_intervals_computed(cal: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    zone = cal.zone
    intervals = []
    for start, end in cal.hours_on(day):
        opens = _first_instant(day, start, zone)
        if end == MIDNIGHT:
            closes = _first_instant(day + _ONE_DAY, MIDNIGHT, zone)
        else:
            closes = _first_instant(day, end, zone)
        # A period lying wholly inside a spring-forward gap never happens.
        if opens < closes:
            intervals.append((opens, closes))
    return intervals


def _as_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def working_periods(
    cal: Calendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The working intervals intersecting ``[start, end)``, clipped to it, in UTC.

    Intervals come in order and never overlap. Adjacent periods are not merged
    (a shift across midnight yields two intervals that touch).
    """
    # Validate now rather than at the first next(), where the error would surprise.
    start_utc, end_utc = _as_utc(start, "start"), _as_utc(end, "end")
    return _working_periods(cal, start_utc, end_utc)


def _working_periods(
    cal: Calendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    if end <= start:
        return
    if cal.always_open:
        yield start, end
        return
    # Periods of earlier dates end by this date's midnight, which is not after `start`.
    day = start.astimezone(cal.zone).date()
    while _first_instant(day, MIDNIGHT, cal.zone) < end:
        for opens, closes in _day_intervals(cal, day):
            opens, closes = max(opens, start), min(closes, end)
            if opens < closes:
                yield opens, closes
        day += _ONE_DAY


def add_business_time(cal: Calendar, start: datetime, seconds: int | float) -> datetime:
    """The instant at which ``seconds`` of working time have elapsed since ``start``, in UTC.

    * Outside working hours the clock starts at the next opening.
    * Adding 0 returns ``start`` itself (in UTC), even when the office is closed:
      nothing has to elapse.
    * When the time runs out exactly at a closing time, the result is that
      closing time, not the next opening.
    * Floats are honoured to the microsecond.
    * Raises ValueError for a negative or non-finite duration, and when the
      calendar stays closed for ``MAX_CLOSED_DAYS`` days in a row.
    """
    start_utc = _as_utc(start, "start")
    remaining = _duration(seconds)
    if not remaining:
        return start_utc
    if cal.always_open:
        return start_utc + remaining
    day = start_utc.astimezone(cal.zone).date()
    closed_days = 0
    # Day by day, subtracting whole periods: the cost grows with the calendar days
    # crossed, not with the duration's resolution.
    while True:
        worked = False
        for opens, closes in _day_intervals(cal, day):
            opens = max(opens, start_utc)
            if opens >= closes:
                continue
            worked = True
            length = closes - opens
            if remaining <= length:
                return opens + remaining
            remaining -= length
        closed_days = 0 if worked else closed_days + 1
        if closed_days >= MAX_CLOSED_DAYS:
            first_closed = day - timedelta(days=closed_days - 1)
            raise ValueError(
                f"calendar has no working time in the {MAX_CLOSED_DAYS} days from {first_closed}"
            )
        day += _ONE_DAY


def business_seconds_between(cal: Calendar, start: datetime, end: datetime) -> int | float:
    """Seconds of working time in ``[start, end)``; 0 when ``end <= start``.

    An int when the total is a whole number of seconds (the usual case with
    whole-second inputs), else a float with microsecond precision.
    """
    total = timedelta()
    for opens, closes in working_periods(cal, start, end):
        total += closes - opens
    whole, rest = divmod(total, timedelta(seconds=1))
    return whole if not rest else total / timedelta(seconds=1)


def _duration(seconds: int | float) -> timedelta:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError(f"seconds must be a number, got {seconds!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"seconds must be finite and not negative, got {seconds!r}")
    return timedelta(seconds=seconds)


def holiday_dates(
    country: str,
    years: Iterable[int],
    *,
    categories: tuple[str, ...] = ("public",),
    subdiv: str | None = None,
    show_estimated: bool = True,
    language: str | None = None,
) -> dict[date, tuple[str, bool]]:
    """Public holidays from the ``holidays`` package: ``{date: (name, is_estimated)}``.

    * Observed (substitute) days are included: they are days off too.
    * ``is_estimated`` is True for dates the package computes from a lunar
      calendar but has not confirmed (e.g. future Eids in "SA"). It is found by
      building the holidays once with and once without the package's
      ``*_show_estimated`` options and comparing names, so it does not depend
      on the language of the labels.
    * ``show_estimated`` keeps the package's "(estimated)" label in the names;
      the flag is computed either way. (Saudi Arabia hides the label by default.)
    * Ministries in the UAE need ``categories=("public", "government")``.
    * ``language`` is passed to the package. None lets it guess from the
      LANGUAGE/LC_ALL/LC_MESSAGES/LANG environment, which differs between hosts:
      pass "ar" or "en_US" when the names are shown or stored.
    * Raises ValueError for a country the package does not know.
    """
    year_list = sorted(set(years))
    if not year_list:
        return {}
    options = {
        "subdiv": subdiv,
        "years": year_list,
        "categories": categories,
        "language": language,
    }
    try:
        country_class = type(holidays_pkg.country_holidays(country))
    except NotImplementedError:
        raise ValueError(f"the holidays package has no calendar for {country!r}") from None
    # Countries with lunar holidays take e.g. `islamic_show_estimated`; others have none.
    estimate_options = [
        name
        for name in inspect.signature(country_class.__init__).parameters
        if name.endswith("_show_estimated")
    ]
    labelled = holidays_pkg.country_holidays(
        country, **options, **dict.fromkeys(estimate_options, True)
    )
    plain = holidays_pkg.country_holidays(
        country, **options, **dict.fromkeys(estimate_options, False)
    )
    result = {}
    for day in sorted(labelled):
        labelled_name = labelled[day]
        plain_name = plain.get(day, labelled_name)
        name = labelled_name if show_estimated else plain_name
        result[day] = (name, labelled_name != plain_name)
    return result
