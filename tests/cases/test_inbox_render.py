"""The shortcuts that make an inbox page cheap to render give what the plain Django
calls give: dates as `date_format` writes them, escaping as `format_html` does, links
as `reverse` builds them, a business calendar as built from its rows (and built
again once edited)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.formats import date_format, get_format
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from hijridate import Gregorian

from cases.cache import config_cache
from cases.models import Case
from cases.models_sla import BusinessCalendar, WorkingPeriod
from cases.selectors_ui import business_calendar
from cases.templatetags import sada
from tests.cases.api.conftest import open_case

FORMATS = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "TIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    r"jS \o\f F Y (l, D) N E b L t W o z w y n m M — a A f g G h H i P s u",
    "c r U e O T Z",  # time-zone characters: the whole format goes through Django
]


def instants():
    """Every hour of a leap year at odd minutes and seconds, and the edges of a day."""
    start = datetime(2028, 1, 1, tzinfo=UTC)
    for i in range(0, 366 * 24, 5):
        yield start + timedelta(hours=i, minutes=i % 60, seconds=i % 59, microseconds=i)
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 26)):
        for clock in (time(0, 0), time(0, 30), time(1, 30), time(11, 59), time(12, 0)):
            yield datetime.combine(day, clock, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["Asia/Riyadh", "Europe/London", "America/St_Johns"])
@pytest.mark.parametrize("language", ["ar", "en"])
def test_datetime_text_is_djangos_date_format(zone, language):
    with translation.override(language), timezone.override(zone):
        for value in instants():
            local = timezone.localtime(value)
            for name in FORMATS:
                fmt = get_format(name)
                assert sada.datetime_text(local, fmt, language) == dateformat.format(local, fmt)


def _former_absolute(value):
    """`absolute` as it was written before the per-day memo (the reference)."""
    local = timezone.localtime(value)
    text = date_format(local, "DATETIME_FORMAT")
    if translation.get_language().startswith("ar"):
        h = Gregorian(local.year, local.month, local.day).to_hijri()
        text = f"{text} ({h.day} {h.month_name('ar')} {h.year} هـ)"
    return text


@pytest.mark.parametrize("language", ["ar", "en"])
def test_absolute_is_the_gregorian_date_and_hijri_as_before(language):
    with translation.override(language), timezone.override("Asia/Riyadh"):
        for value in instants():
            assert sada.absolute(value) == _former_absolute(value)
    assert sada.absolute(None) == ""
    # Outside the Umm al-Qura tables: the Gregorian date alone.
    with translation.override("ar"), timezone.override("Asia/Riyadh"):
        far = datetime(2200, 1, 1, 12, 0, tzinfo=UTC)
        assert sada.absolute(far) == date_format(timezone.localtime(far), "DATETIME_FORMAT")


class Marked:
    """A third-party safe value (the __html__ convention, like markupsafe.Markup)."""

    def __html__(self):
        return "<b>marked</b>"


def test_row_html_escapes_exactly_as_format_html():
    lazy_text = lazy(lambda: "<i>lazy & 'quoted'</i>", str)()
    lazy_safe = lazy(lambda: mark_safe("<em>safe</em>"), str)()
    values = [
        '<script>alert("x")</script>',
        'O\'Brien & "friends"',
        mark_safe("<bdi>already safe</bdi>"),
        lazy_text,
        lazy_safe,
        Marked(),
        42,
        None,
        "انقطاع <b>الكهرباء</b>",
    ]
    for value in values:
        template = '<span title="{}">{}</span>'
        assert sada._html(template, value, value) == format_html(template, value, value)
        assert sada._html("<td>{v}</td>", v=value) == format_html("<td>{v}</td>", v=value)
    assert hasattr(sada._html("{}", "x"), "__html__")


@pytest.mark.django_db
def test_row_links_are_the_reversed_case_url():
    kit = sada._RowKit()
    for reference in ["C-2026-000123", "BENCH-1M-00000001", "C 1", "ج-1", "C?1#2"]:
        assert kit.href(reference) == reverse("case_detail", args=[reference])


@pytest.mark.django_db
def test_rows_share_one_kit_per_rendering(supervisor, monkeypatch):
    for i in range(3):
        open_case(str(9950 + i))
    built = []
    real = sada._RowKit.__init__

    def counting(self):
        built.append(self)
        real(self)

    monkeypatch.setattr(sada._RowKit, "__init__", counting)
    rows = list(Case.objects.select_related("queue", "assignee", "customer"))
    for row in rows:
        row.first_text = "hello"
    template = Template("{% load sada %}{% for case in rows %}{% inbox_row case now %}{% endfor %}")
    template.render(Context({"rows": rows, "now": timezone.now()}))
    assert len(rows) == 3 and len(built) == 1
    template.render(Context({"rows": rows, "now": timezone.now()}))
    assert len(built) == 2  # a new rendering reads the language and zone again


@pytest.mark.django_db
def test_business_calendar_is_built_once_per_version(django_assert_num_queries):
    config_cache.clear()
    calendar = BusinessCalendar.objects.filter(always_open=False).first()
    if calendar is None:
        pytest.skip("no working-hours calendar in the defaults")
    years = range(2026, 2029)
    first = business_calendar(calendar, years)
    with django_assert_num_queries(0):
        assert business_calendar(calendar, years) is first
    # Editing one of its parts stamps the calendar: the next use builds it again.
    period = WorkingPeriod.objects.filter(calendar=calendar).first()
    period.end = time(14, 0) if period.end != time(14, 0) else time(13, 0)
    period.save()
    calendar.refresh_from_db()
    rebuilt = business_calendar(calendar, years)
    assert rebuilt is not first
    assert rebuilt == calendar.to_calendar(years)


def test_changed_formats_or_translations_are_not_served_from_the_memo(settings):
    value = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    with translation.override("en"), timezone.override("Asia/Riyadh"):
        sada.absolute(value)
        assert sada._day_texts.cache_info().currsize > 0
        settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]
        assert sada._day_texts.cache_info().currsize == 0
        assert sada.absolute(value) == _former_absolute(value)
