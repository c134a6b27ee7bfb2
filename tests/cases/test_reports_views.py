"""The /reports/ page and its CSV exports: access, period form, charts, CSV safety."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from cases import events
from cases.models import Case, Queue
from cases.report_charts import bar_list, column_chart, line_chart
from cases.views_reports import csv_cell
from tests.cases.test_reports import RIYADH, make_case

NOW = datetime(2026, 11, 20, 12, tzinfo=RIYADH)


@pytest.fixture
def cases(db, agent):
    general = Queue.objects.get(slug="general")
    a = make_case("A-1", NOW - timedelta(days=2), general, category="complaint", language="ar")
    b = make_case(
        "B-1", NOW - timedelta(days=1), general, category="inquiry", language="en",
        status="closed", resolution="not_a_case",
        resolved_at=NOW - timedelta(hours=20), closed_at=NOW - timedelta(hours=20),
    )  # fmt: skip
    events.record(b, "status_changed", actor=agent, at=NOW - timedelta(hours=20), old="new",
                  new="closed", resolution="not_a_case",
                  reason='=HYPERLINK("http://evil.example","x") <script>')  # fmt: skip
    return a, b


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_agents_get_403_and_strangers_the_login_page(client, agent, frozen):
    assert client.get("/reports/").status_code == 302
    client.force_login(agent)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/volume_by_day.csv").status_code == 403


def test_supervisor_sees_every_section_in_arabic_by_default(client, supervisor, cases, frozen):
    client.force_login(supervisor)
    response = client.get("/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html
    for table in ("summary", "volume_by_day", "volume_by_hour", "volume_by_category",
                  "volume_by_language", "response_times", "sla_compliance", "escalations",
                  "backlog", "agents", "not_a_case", "satisfaction"):  # fmt: skip
        assert reverse("report_csv", args=[table]) in html, table
    assert html.count("<svg") >= 5
    # People's reasons are shown escaped; the strict CSP allows no inline style.
    assert "<script>" not in html.split("<body", 1)[1].replace('<script src="', "")
    assert "&lt;script&gt;" in html
    assert ' style="' not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'href="/reports/"' in html  # the navigation link


def test_the_day_axis_is_mirrored_in_arabic(client, supervisor, cases, frozen):
    client.force_login(supervisor)

    def first_and_last_bar(language):
        supervisor.language = language
        supervisor.save(update_fields=["language"])
        html = client.get("/reports/?preset=7d").content.decode()
        svg = html.split('aria-labelledby="c-day-title"', 1)[1].split("</svg>", 1)[0]
        xs = [float(x) for x in re.findall(r'<rect class="bar" x="([\d.]+)"', svg)]
        assert len(xs) == 7
        return xs[0], xs[-1]

    first, last = first_and_last_bar("en")
    assert first < last
    first, last = first_and_last_bar("ar")
    assert first > last


def test_query_count_of_the_page_does_not_grow_with_the_data(client, supervisor, cases, frozen):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Escalation, User
    from tests.cases.test_reports import reply_message

    client.force_login(supervisor)
    general = Queue.objects.get(slug="general")

    def add(first: int, how_many: int) -> None:
        for i in range(first, first + how_many):
            agent = User.objects.create_user(f"extra{i}")
            agent.groups.add(Group.objects.get(name="Agents"))
            created = NOW - timedelta(hours=i + 2)
            case = make_case(
                f"Q-{i}", created, general, first_responded_at=created + timedelta(minutes=9)
            )
            reply_message(case, agent, created + timedelta(minutes=8), case.first_responded_at)
            Escalation.objects.create(
                case=case, target="first_response", level=1 + i % 3, trigger="breach",
                triggered_at=created, created_at=created + timedelta(hours=1),
            )  # fmt: skip

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/reports/?preset=30d").status_code == 200
        return len(captured)

    add(0, 2)
    client.get("/reports/")
    few = count()
    add(2, 40)  # 20 times the cases, agents and escalations
    # PostgreSQL: the period's counts in case_overview's two queries (SQLite: seven),
    # and SET LOCAL work_mem before response_times and agents.
    assert count() == few == (22 if connection.vendor == "postgresql" else 28)


def test_bad_periods_get_400_with_the_reason(client, supervisor, frozen):
    client.force_login(supervisor)
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    response = client.get("/reports/?preset=custom&start=2026-11-10&end=2026-11-01")
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    response = client.get("/reports/?preset=custom")
    assert response.status_code == 400
    response = client.get("/reports/backlog.csv?preset=custom&start=2020-01-01&end=2026-11-01")
    assert response.status_code == 400
    assert "at most" in response.content.decode()
    assert client.get("/reports/?preset=custom&start=yesterday&end=x").status_code == 400
    assert client.get("/reports/?queue=abc").status_code == 400
    assert client.get("/reports/nope.csv").status_code == 404


def test_csv_export_has_the_figures_and_is_safe_in_spreadsheets(client, supervisor, cases, frozen):
    client.force_login(supervisor)
    response = client.get("/reports/volume_by_category.csv?preset=7d")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["category", "count"], ["complaint", "1"], ["inquiry", "1"]]
    rows = list(csv.reader(io.StringIO(
        client.get("/reports/not_a_case.csv?preset=7d").content.decode("utf-8-sig")
    )))  # fmt: skip
    assert rows[1][0] == "person"
    assert rows[1][1].startswith("'=HYPERLINK")
    custom = client.get(
        "/reports/volume_by_day.csv?preset=custom&start=2026-11-18&end=2026-11-19"
    ).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(custom))) == [
        ["day", "count"], ["2026-11-18", "1"], ["2026-11-19", "1"],
    ]  # fmt: skip


def test_queue_filter_applies_to_the_csv(client, supervisor, cases, frozen):
    client.force_login(supervisor)
    complaints = Queue.objects.get(slug="complaints")
    body = client.get(f"/reports/summary.csv?preset=7d&queue={complaints.pk}").content
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1][0] == "0"
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    "value, expected",
    [("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\t=1", "'\t=1"), ("plain", "plain"), (5, 5), (None, "")],
)  # fmt: skip
def test_csv_cells_starting_like_a_formula_get_a_quote(value, expected):
    assert csv_cell(value) == expected


def test_charts_mirror_in_rtl_and_scale_to_the_largest_value():
    points = [("a", 1), ("b", 4), ("c", 0)]
    ltr, rtl = column_chart(points, rtl=False), column_chart(points, rtl=True)
    assert ltr["bars"][0].x < ltr["bars"][2].x and rtl["bars"][0].x > rtl["bars"][2].x
    assert ltr["bars"][1].height > ltr["bars"][0].height > ltr["bars"][2].height == 0
    line = line_chart(points, rtl=True)
    assert line["dots"][0]["x"] > line["dots"][-1]["x"]
    bars = bar_list([("x", 10), ("y", 5)], rtl=True)
    assert bars["bars"][0]["width"] == 2 * bars["bars"][1]["width"]
    assert column_chart([], rtl=False)["bars"] == []
