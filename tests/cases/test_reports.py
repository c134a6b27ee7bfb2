"""Report figures (cases/reports.py) against hand-computed fixtures, on SQLite and PostgreSQL."""

import math
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from cases import events, reports, services
from cases.models import Case, Escalation, Message, Queue
from cases.models_public import SatisfactionRating
from cases.reports import ReportScope
from social_ingest.models import InboundEvent, SocialAccount
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet

RIYADH = ZoneInfo("Asia/Riyadh")
START = datetime(2026, 11, 1, tzinfo=RIYADH)
END = datetime(2026, 11, 8, tzinfo=RIYADH)
NOW = END + timedelta(days=1)
PG = "postgresql"


def riyadh(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=RIYADH)


def make_case(ref: str, created: datetime, queue: Queue, **fields) -> Case:
    fields.setdefault("status", "open")
    return Case.objects.create(
        reference=ref, queue=queue, created_at=created, opened_at=created, **fields
    )


def reply_message(case: Case, author, written: datetime, delivered: datetime | None) -> Message:
    return Message.objects.create(
        case=case,
        direction="out",
        author=author,
        text="شكراً",
        created_at=written,
        received_at=written,
        delivery="sent" if delivered else "queued",
        delivered_at=delivered,
    )


@pytest.fixture
def world(db, agent, agent2):
    """Five cases in the period (Riyadh days 1–7 November 2026) and some around it.

    See each figure's hand computation in the tests below.
    """
    general = Queue.objects.get(slug="general")
    complaints = Queue.objects.get(slug="complaints")
    account = SocialAccount.objects.create(handle="SadaMinistry")
    other_account = SocialAccount.objects.create(handle="OtherMinistry")
    h = 3600
    # A: exactly at the start (21:00 UTC on 31 October): inside the half-open period.
    a = make_case(
        "A", START, general, account=account, category="complaint", language="ar",
        priority="P2", status="resolved",
        first_responded_at=START + timedelta(seconds=600), first_response_seconds=600,
        first_response_met=True, resolved_at=START + timedelta(seconds=2 * h),
        resolution_seconds=h, resolution_met=True,
    )  # fmt: skip
    # B: 01:30 Riyadh on 2 November is still 1 November in UTC: days are Riyadh days.
    b_created = riyadh(2026, 11, 2, 1, 30)
    b = make_case(
        "B", b_created, general, account=account, category="inquiry", language="en",
        priority="P3", first_responded_at=b_created + timedelta(seconds=1800),
        first_response_seconds=1200, first_response_met=True,
        resolution_due=NOW + timedelta(days=3),
    )  # fmt: skip
    c_created = riyadh(2026, 11, 3, 10)
    c = make_case(
        "C", c_created, general, account=account, category="complaint", language="ar",
        priority="P3", status="closed",
        first_responded_at=c_created + timedelta(seconds=2 * h), first_response_seconds=2 * h,
        first_response_met=False, resolved_at=c_created + timedelta(days=1),
        closed_at=c_created + timedelta(days=1), resolution_seconds=7 * h,
        resolution_met=False,
    )  # fmt: skip
    d_created = riyadh(2026, 11, 4, 12)
    d = make_case(
        "D", d_created, general, account=account, category="complaint", language="ar",
        priority="P2", first_response_due=d_created + timedelta(hours=1),
    )  # fmt: skip
    e_created = riyadh(2026, 11, 5, 12)
    e = make_case(
        "E", e_created, general, account=account, language="ar", priority="P3",
        status="closed", resolution="not_a_case", resolved_at=e_created + timedelta(minutes=1),
        closed_at=e_created + timedelta(minutes=1),
    )  # fmt: skip
    # F: opened before the period, resolved on 2 November: in the backlog until then.
    make_case(
        "F", riyadh(2026, 10, 31, 23), general, account=account, status="resolved",
        resolved_at=riyadh(2026, 11, 2, 10),
    )  # fmt: skip
    # G: exactly at the end: outside. X: another queue and account.
    make_case("G", END, general, account=account)
    x = make_case("X", riyadh(2026, 11, 3, 9), complaints, account=other_account)

    # Replies: Amal answered A first (and again later) and C first; Badr answered B first.
    reply_message(a, agent, START + timedelta(seconds=500), a.first_responded_at)
    reply_message(a, agent, START + timedelta(seconds=900), START + timedelta(seconds=950))
    reply_message(c, agent, c.first_responded_at - timedelta(seconds=30), c.first_responded_at)
    reply_message(b, agent2, b.first_responded_at - timedelta(seconds=10), b.first_responded_at)
    reply_message(x, agent2, riyadh(2026, 11, 3, 9, 5), riyadh(2026, 11, 3, 9, 6))

    # Amal resolved A and C; C was reopened later (and closed again).
    events.record(a, "status_changed", actor=agent, at=a.resolved_at, old="open", new="resolved")
    events.record(c, "status_changed", actor=agent, at=c_created + timedelta(hours=3), old="open",
                  new="resolved")  # fmt: skip
    events.record(c, "reopened", at=c_created + timedelta(hours=5), previous_status="resolved")
    events.record(e, "status_changed", actor=agent2, at=e.closed_at, old="new", new="closed",
                  resolution="not_a_case", reason="spam")  # fmt: skip
    events.record(x, "status_changed", actor=agent2, at=riyadh(2026, 11, 3, 9, 7), old="new",
                  new="closed", resolution="not_a_case", reason="duplicate")  # fmt: skip

    def escalate(case, level, created, acked=None, target="first_response"):
        Escalation.objects.create(
            case=case, target=target, level=level, trigger="breach", triggered_at=created,
            created_at=created, acknowledged_at=acked,
        )  # fmt: skip

    escalate(c, 1, riyadh(2026, 11, 3, 11), riyadh(2026, 11, 3, 11, 10))
    escalate(d, 1, riyadh(2026, 11, 4, 13), riyadh(2026, 11, 4, 13, 30))
    escalate(d, 2, riyadh(2026, 11, 4, 14))
    escalate(x, 1, riyadh(2026, 11, 3, 10), riyadh(2026, 11, 3, 12))

    for i, (reason, received) in enumerate(
        [
            ("retweet", riyadh(2026, 11, 2, 8)),
            ("retweet", riyadh(2026, 11, 6, 8)),
            ("own_post", riyadh(2026, 11, 6, 9)),
            ("retweet", END),  # outside
        ]
    ):
        InboundEvent.objects.create(
            external_id=f"n{i}", account=account, source="poll", payload={}, state="not_a_case",
            reason=reason, received_at=received,
        )  # fmt: skip

    SatisfactionRating.objects.create(case=a, score=5, created_at=riyadh(2026, 11, 2, 9))
    SatisfactionRating.objects.create(case=c, score=2, created_at=riyadh(2026, 11, 5, 9))
    SatisfactionRating.objects.create(case=x, score=1, created_at=riyadh(2026, 11, 5, 9))
    return {"general": general, "account": account, "agent": agent, "agent2": agent2}


@pytest.fixture
def scope(world):
    return ReportScope(START, END, queue_id=world["general"].pk)


def test_scope_refuses_naive_and_backwards_periods():
    with pytest.raises(ValueError):
        ReportScope(datetime(2026, 11, 1), datetime(2026, 11, 8))  # noqa: DTZ001
    with pytest.raises(ValueError):
        ReportScope(END, START)


def test_volume_counts_the_half_open_period_in_riyadh_days_and_hours(scope):
    assert reports.volume_total(scope) == 5  # A B C D E; not F (before), G (at the end), X
    days = reports.volume_by_day(scope)
    assert [d["day"] for d in days] == [date(2026, 11, i) for i in range(1, 8)]
    assert [d["count"] for d in days] == [1, 1, 1, 1, 1, 0, 0]
    hours = {h["hour"]: h["count"] for h in reports.volume_by_hour(scope)}
    assert len(hours) == 24
    assert {h: n for h, n in hours.items() if n} == {0: 1, 1: 1, 10: 1, 12: 2}
    assert reports.volume_by_category(scope) == [
        {"category": "complaint", "count": 3},
        {"category": "inquiry", "count": 1},
        {"category": "other", "count": 1},
    ]
    assert reports.volume_by_language(scope) == [
        {"language": "ar", "count": 4},
        {"language": "en", "count": 1},
    ]
    assert reports.volume_by_month(scope) == [{"month": date(2026, 11, 1), "count": 5}]


def test_filters_by_queue_and_account(world):
    everything = ReportScope(START, END)
    assert reports.volume_total(everything) == 6
    assert reports.volume_total(ReportScope(START, END, account_id=world["account"].pk)) == 5
    assert reports.volume_total(ReportScope(START, END, queue_id=999999)) == 0


def test_answered_share_excludes_not_a_case(scope):
    assert reports.answered_share(scope) == {"cases": 4, "answered": 3, "share": 0.75}


def test_response_times_median_is_percentile_disc(scope):
    found = reports.response_times(scope)
    # First response, wall: A 600, B 1800, C 7200 -> median ceil(1.5)=2nd, p90 ceil(2.7)=3rd.
    # Business: A 600, B 1200, C 7200. D has no reply: unanswered, not in the statistics.
    assert found["first_response"] == {
        "n": 3,
        "n_business": 3,
        "unanswered": 1,
        "median_wall": 1800.0,
        "p90_wall": 7200.0,
        "median_business": 1200.0,
        "p90_business": 7200.0,
    }
    # Resolution: A (wall 7200, business 3600) and C (86400, 25200): an even count
    # takes the lower middle value.
    assert found["resolution"] == {
        "n": 2,
        "n_business": 2,
        "unresolved": 2,
        "median_wall": 7200.0,
        "p90_wall": 86400.0,
        "median_business": 3600.0,
        "p90_business": 25200.0,
    }


def test_response_times_of_an_empty_period_are_none(db):
    found = reports.response_times(ReportScope(START, END))
    assert found["first_response"]["n"] == 0
    assert found["first_response"]["median_wall"] is None
    assert reports.answered_share(ReportScope(START, END))["share"] is None


def test_sla_compliance_counts_recorded_and_running_breaches(scope):
    rows = {(r["target"], r["priority"]): r for r in reports.sla_compliance(scope, now=NOW)}
    assert len(rows) == 8
    # P2: A met; D has no reply and is past its due time now.
    assert rows["first_response", "P2"] == {
        "target": "first_response", "priority": "P2", "met": 1, "breached": 1, "share": 0.5,
    }  # fmt: skip
    assert rows["first_response", "P3"]["met"] == 1  # B
    assert rows["first_response", "P3"]["breached"] == 1  # C (recorded as missed)
    assert rows["resolution", "P2"] == {
        "target": "resolution", "priority": "P2", "met": 1, "breached": 0, "share": 1.0,
    }  # fmt: skip
    # C missed; B still running and on time: in neither.
    assert (rows["resolution", "P3"]["met"], rows["resolution", "P3"]["breached"]) == (0, 1)
    assert rows["first_response", "P1"]["share"] is None
    # Before D's due time, D is not breached yet.
    early = {
        (r["target"], r["priority"]): r
        for r in reports.sla_compliance(scope, now=riyadh(2026, 11, 4, 12, 30))
    }
    assert early["first_response", "P2"]["breached"] == 0
    assert reports.sla_totals(rows.values())["first_response"] == {
        "met": 2, "breached": 2, "share": 0.5,
    }  # fmt: skip


def test_escalations_by_level_with_acknowledgement_times(scope):
    assert reports.escalations_by_level(scope) == [
        # C acknowledged after 600 s, D after 1800 s; X is another queue.
        {"level": 1, "count": 2, "acknowledged": 2, "median_ack": 600.0, "p90_ack": 1800.0},
        {"level": 2, "count": 1, "acknowledged": 0, "median_ack": None, "p90_ack": None},
    ]


def test_backlog_is_open_cases_at_the_end_of_each_riyadh_day(scope):
    backlog = reports.backlog_by_day(scope)
    # Start: F. 1st: +A -A. 2nd: +B -F. 3rd: +C. 4th: +D -C. 5th: +E -E.
    assert [row["open"] for row in backlog] == [1, 1, 2, 2, 2, 2, 2]
    assert backlog[0]["day"] == date(2026, 11, 1)


def test_backlog_agrees_with_a_direct_count_at_each_day_end(scope):
    for row in reports.backlog_by_day(scope):
        boundary = datetime.combine(row["day"] + timedelta(days=1), datetime.min.time(), RIYADH)
        direct = (
            Case.objects.filter(queue_id=scope.queue_id, created_at__lt=boundary)
            .exclude(resolved_at__lt=boundary)
            .count()
        )
        assert row["open"] == direct, row["day"]


def test_per_agent_figures(scope, world):
    rows = {r["agent_id"]: r for r in reports.agents(scope)}
    amal, badr = rows[world["agent"].pk], rows[world["agent2"].pk]
    assert amal["cases_handled"] == 2 and amal["replies"] == 3
    assert amal["first_responses"] == 2
    # A (600, 600) and C (7200, 7200): the lower middle value.
    assert amal["median_first_response_business"] == 600.0
    assert amal["median_first_response_wall"] == 600.0
    assert (amal["resolved"], amal["reopened"], amal["reopen_rate"]) == (2, 1, 0.5)
    # Badr: B only (X is another queue); he resolved nothing.
    assert badr["cases_handled"] == 1 and badr["first_responses"] == 1
    assert badr["median_first_response_business"] == 1200.0
    assert badr["median_first_response_wall"] == 1800.0
    assert badr["reopen_rate"] is None
    assert list(rows) == [world["agent"].pk, world["agent2"].pk]  # busiest first


def test_not_a_case_reasons_from_intake_and_people(world):
    everything = reports.not_a_case_reasons(ReportScope(START, END))
    assert everything == [
        {"source": "intake", "reason": "retweet", "count": 2},
        {"source": "intake", "reason": "own_post", "count": 1},
        {"source": "person", "reason": "duplicate", "count": 1},
        {"source": "person", "reason": "spam", "count": 1},
    ]
    # Intake decisions have no queue: a queue filter leaves them out.
    general = reports.not_a_case_reasons(ReportScope(START, END, queue_id=world["general"].pk))
    assert general == [{"source": "person", "reason": "spam", "count": 1}]


def test_satisfaction_count_average_and_distribution(scope):
    assert reports.satisfaction(scope) == {
        "count": 2,
        "average": 3.5,
        "distribution": {1: 0, 2: 1, 3: 0, 4: 0, 5: 1},
    }


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 9, 10, 11, 19, 20, 21, 57])
def test_percentiles_pick_the_value_at_ceil_p_n(db, n):
    general = Queue.objects.get(slug="general")
    values = random.Random(n).sample(range(1, 100_000), n)
    for i, value in enumerate(values):
        make_case(
            f"P{i}", START + timedelta(minutes=i), general,
            first_responded_at=START + timedelta(minutes=i, seconds=value),
            first_response_seconds=value,
        )  # fmt: skip
    ordered = sorted(values)
    found = reports.response_times(ReportScope(START, END))["first_response"]
    assert found["median_business"] == ordered[math.ceil(n * 0.5) - 1]
    assert found["p90_business"] == ordered[math.ceil(n * 0.9) - 1]
    assert found["median_wall"] == ordered[math.ceil(n * 0.5) - 1]
    assert found["p90_wall"] == ordered[math.ceil(n * 0.9) - 1]


def test_query_counts_are_fixed(scope, django_assert_num_queries):
    pg = connection.vendor == PG
    with django_assert_num_queries(1):
        reports.volume_by_day(scope)
    with django_assert_num_queries(1):
        reports.answered_share(scope)
    with django_assert_num_queries(2):  # PostgreSQL: SET LOCAL work_mem, then one query
        reports.response_times(scope)
    with django_assert_num_queries(1):
        reports.sla_compliance(scope, now=NOW)
    with django_assert_num_queries(1 if pg else 2):
        reports.escalations_by_level(scope)
    with django_assert_num_queries(4):
        reports.backlog_by_day(scope)
    with django_assert_num_queries(3):
        reports.backlog_by_day(scope, created={})
    with django_assert_num_queries(2 if pg else 7):
        reports.case_overview(scope, now=NOW)
    with django_assert_num_queries(5):  # PostgreSQL: SET LOCAL work_mem, then four
        reports.agents(scope)
    with django_assert_num_queries(2):
        reports.not_a_case_reasons(ReportScope(START, END))
    with django_assert_num_queries(1):
        reports.satisfaction(scope)


def test_business_first_response_across_a_holiday_comes_from_the_sla_clock(db, agent):
    """Tuesday 22 September 2026 14:00 Riyadh, answered Thursday 09:00: Wednesday 23rd
    is Saudi National Day. Business: 14:00–15:00 + 08:00–09:00 = 2 h; wall 43 h."""
    written = riyadh(2026, 9, 22, 14)
    with time_machine.travel(written + timedelta(seconds=20), tick=False):
        pages_ingest(
            parse_document(page(tweet("7001", "@SadaMinistry سؤال عن الخدمة",
                                      created_at=written.astimezone(UTC)))),
            account=None, source="replay",
        )  # fmt: skip
    case = Case.objects.get(messages__platform_id="7001")
    assert case.priority != "P1"  # on the Saudi government calendar
    at = riyadh(2026, 9, 24, 9)
    message = services.case_reply(case=case, author=agent, text="نعمل على طلبك", now=at)
    services.reply_delivered(message_id=message.pk, platform_id="7002", at=at)
    period = ReportScope(riyadh(2026, 9, 1), riyadh(2026, 10, 1))
    found = reports.response_times(period)["first_response"]
    assert found["median_business"] == 2 * 3600
    assert found["median_wall"] == 43 * 3600
    assert reports.agents(period)[0]["median_first_response_business"] == 2 * 3600


def _sections(scope: ReportScope, now: datetime) -> dict:
    """What case_overview() must equal: each function of its own."""
    return {
        "total": reports.volume_total(scope),
        "answered_share": reports.answered_share(scope),
        "volume_by_day": reports.volume_by_day(scope),
        "volume_by_hour": reports.volume_by_hour(scope),
        "volume_by_category": reports.volume_by_category(scope),
        "volume_by_language": reports.volume_by_language(scope),
        "sla_compliance": reports.sla_compliance(scope, now=now),
    }


def test_case_overview_has_the_hand_computed_figures(scope):
    found = reports.case_overview(scope, now=NOW)
    assert found["total"] == 5
    assert found["answered_share"] == {"cases": 4, "answered": 3, "share": 0.75}
    assert [d["count"] for d in found["volume_by_day"]] == [1, 1, 1, 1, 1, 0, 0]
    assert {h["hour"]: h["count"] for h in found["volume_by_hour"] if h["count"]} == {
        0: 1, 1: 1, 10: 1, 12: 2,
    }  # fmt: skip
    assert found["volume_by_category"] == [
        {"category": "complaint", "count": 3},
        {"category": "inquiry", "count": 1},
        {"category": "other", "count": 1},
    ]
    assert found["volume_by_language"] == [
        {"language": "ar", "count": 4},
        {"language": "en", "count": 1},
    ]
    sla = {(r["target"], r["priority"]): r for r in found["sla_compliance"]}
    assert (sla["first_response", "P2"]["met"], sla["first_response", "P2"]["breached"]) == (1, 1)
    assert (sla["resolution", "P3"]["met"], sla["resolution", "P3"]["breached"]) == (0, 1)
    assert found["created"] == {date(2026, 11, i): 1 for i in range(1, 6)}


def test_case_overview_equals_each_section_for_every_filter(world):
    for scope in (
        ReportScope(START, END),
        ReportScope(START, END, queue_id=world["general"].pk),
        ReportScope(START, END, account_id=world["account"].pk),
        ReportScope(START, END, queue_id=999999),
        ReportScope(START - timedelta(days=40), NOW),
    ):
        for now in (NOW, riyadh(2026, 11, 4, 12, 30)):
            found = reports.case_overview(scope, now=now)
            assert found.pop("created") == {
                row["day"]: row["count"] for row in found["volume_by_day"] if row["count"]
            }
            assert found == _sections(scope, now), scope


def test_backlog_from_the_overview_counts_equals_its_own(scope):
    created = reports.case_overview(scope, now=NOW)["created"]
    assert reports.backlog_by_day(scope, created=created) == reports.backlog_by_day(scope)


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kolkata", "America/St_Johns"])
def test_case_overview_hours_and_days_across_dst_and_half_hour_zones(db, settings, zone):
    """The overview groups by local hour start; its days and hours must be those of
    TruncDate/ExtractHour in zones with DST changes and half-hour offsets."""
    settings.DISPLAY_TIME_ZONE = zone
    general = Queue.objects.get(slug="general")
    rng = random.Random(zone)
    # Around the European autumn DST change (25 October 2026) and across midnight.
    base = datetime(2026, 10, 24, 12, tzinfo=UTC)
    for i in range(300):
        make_case(
            f"Z{i}", base + timedelta(seconds=rng.randrange(0, 3 * 86400)), general,
            category=rng.choice(["complaint", "inquiry", "other"]),
            language=rng.choice(["ar", "en", ""]), priority=rng.choice(["P1", "P2", "P3"]),
        )  # fmt: skip
    scope = ReportScope(base + timedelta(hours=5), base + timedelta(days=2, hours=17))
    found = reports.case_overview(scope, now=NOW)
    found.pop("created")
    assert found == _sections(scope, NOW)
    assert found["total"] > 200


def test_response_times_raise_work_mem_for_their_own_transaction_only(scope):
    if connection.vendor != PG:
        pytest.skip("work_mem is a PostgreSQL setting")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        reports.response_times(scope)
    assert "set_config('work_mem', '64MB', true)" in captured.captured_queries[0]["sql"]
    assert "percentile_disc" in captured.captured_queries[1]["sql"]


def test_report_covering_indexes_exist_on_postgresql(db):
    """Migration 0020 builds them with raw SQL (PostgreSQL only), outside Django's state."""
    if connection.vendor != PG:
        pytest.skip("covering indexes (INCLUDE) are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE indexname IN ('case_report_cover', 'message_reply_author')"
        )
        found = dict(cursor.fetchall())
    assert "INCLUDE (id, resolution, category" in found["case_report_cover"]
    assert "(author_id, created_at) INCLUDE (case_id)" in found["message_reply_author"]
