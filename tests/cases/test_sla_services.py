"""SLA clocks kept by the case services: start, pause, resume, stop, re-selection."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from cases import services, sla
from cases.models import (
    BusinessCalendar,
    CalendarOverride,
    Case,
    EscalationLevel,
    ManualHoliday,
    Queue,
    SlaPolicy,
)
from cases.selectors_sla import sla_summary, with_sla_state
from cases.sla_services import sla_sweep
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet

RIYADH = ZoneInfo("Asia/Riyadh")
DUBAI = ZoneInfo("Asia/Dubai")
HOUR = 3600


def riyadh(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=RIYADH)


def ingest(data: dict, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        pages_ingest(parse_document(page(data)), account=None, source="replay")


def open_case_at(written: datetime, tweet_id: str = "9001", *, received=None, **kw) -> Case:
    """A case from a post written at `written`, ingested a little later (or at `received`)."""
    ingest(
        tweet(tweet_id, created_at=written.astimezone(UTC), **kw),
        received or written + timedelta(seconds=20),
    )
    return Case.objects.get(messages__platform_id=tweet_id)


def customer_writes(case: Case, tweet_id: str, written: datetime) -> Case:
    root = case.conversation_id
    ingest(
        tweet(
            tweet_id,
            "@SadaMinistry any news?",
            conversation_id=root,
            replied_to=root,
            created_at=written.astimezone(UTC),
        ),
        written + timedelta(seconds=20),
    )
    return Case.objects.get(pk=case.pk)


def reply(case: Case, agent, at: datetime, platform_id: str) -> Case:
    message = services.case_reply(case=case, author=agent, text="نعمل على طلبك", now=at)
    services.reply_delivered(message_id=message.pk, platform_id=platform_id, at=at)
    return Case.objects.get(pk=case.pk)


def make_policy(
    *,
    calendar: str = "Saudi government",
    first: int | None = 60,
    next_: int | None = None,
    resolution: int | None = None,
    warning: int = 75,
    position: int = 1,
    queue: str | None = "general",
    priority: str = "",
    levels: list[dict] = (),
) -> SlaPolicy:
    policy = SlaPolicy.objects.create(
        name=f"test {position} {calendar}",
        position=position,
        priority=priority,
        queue=Queue.objects.get(slug=queue) if queue else None,
        calendar=BusinessCalendar.objects.get(name=calendar),
        first_response_minutes=first,
        next_response_minutes=next_,
        resolution_minutes=resolution,
        warning_percent=warning,
    )
    for number, level in enumerate(levels, start=1):
        EscalationLevel.objects.create(policy=policy, level=number, **level)
    return policy


def state(case: Case, now: datetime) -> str:
    """sla_state read both ways; they must agree."""
    case = Case.objects.get(pk=case.pk)
    python = sla.sla_state(case, now)
    sql = with_sla_state(Case.objects.filter(pk=case.pk), now).values_list("sla_state", flat=True)
    assert python == sql.get()
    return python


# --- Defaults from the data migration --------------------------------------------


def test_a_bare_migrate_has_the_calendars_policies_ladders_and_sweep_schedule(db):
    from django_q.models import Schedule

    saudi = BusinessCalendar.objects.get(name="Saudi government")
    assert saudi.time_zone == "Asia/Riyadh" and saudi.holiday_country == "SA"
    assert sorted((p.weekday, str(p.start), str(p.end)) for p in saudi.periods.all()) == [
        (day, "08:00:00", "15:00:00") for day in (0, 1, 2, 3, 6)
    ]
    assert BusinessCalendar.objects.get(name="24/7").always_open
    uae = BusinessCalendar.objects.get(name="UAE federal government")
    assert uae.categories == ("public", "government")
    policies = {p.priority: p for p in SlaPolicy.objects.select_related("calendar")}
    assert policies["P1"].calendar.name == "24/7" and policies["P1"].first_response_minutes == 15
    assert [policies[p].first_response_minutes for p in ("P2", "P3", "P4")] == [60, 240, 420]
    assert all(p.resolution_minutes and p.warning_percent == 75 for p in policies.values())
    for policy in policies.values():
        assert [lvl.trigger for lvl in policy.levels.all()] == ["warning", "breach", "breach_after"]
    assert policies["P1"].levels.get(level=3).move_to_queue.slug == "escalations"
    schedule = Schedule.objects.get(name="sla-sweep")
    assert schedule.func == "cases.tasks.sla_sweep" and schedule.minutes == 1


def test_saudi_holidays_come_from_the_package_with_estimates_marked(db):
    saudi = BusinessCalendar.objects.get(name="Saudi government")
    holidays = saudi.package_holidays([2026])
    assert holidays[date(2026, 9, 23)] == ("National Day Holiday", False)
    name, estimated = holidays[date(2026, 3, 20)]
    assert "Eid al-Fitr" in name and estimated
    assert date(2026, 3, 20) in saudi.to_calendar([2026]).holidays


def test_uae_ministries_get_government_holidays_too(db):
    uae = BusinessCalendar.objects.get(name="UAE federal government")
    public_only = BusinessCalendar(name="x", holiday_country="AE", holiday_categories="public")
    assert set(public_only.package_holidays([2026])) < set(uae.package_holidays([2026]))


# --- Due times ------------------------------------------------------------------


def test_thursday_1450_riyadh_with_one_business_hour_is_due_sunday_0850(db):
    make_policy(first=60)
    case = open_case_at(riyadh(2025, 11, 13, 14, 50))
    assert case.first_response_due == riyadh(2025, 11, 16, 8, 50)
    assert case.first_response_warn_at == riyadh(2025, 11, 16, 8, 35)
    assert case.sla_check_at == case.first_response_warn_at
    assert state(case, riyadh(2025, 11, 16, 8, 34)) == "ok"
    assert state(case, riyadh(2025, 11, 16, 8, 35)) == "warning"
    assert state(case, riyadh(2025, 11, 16, 8, 50)) == "warning"
    assert state(case, riyadh(2025, 11, 16, 8, 51)) == "breached"


def test_default_policies_and_raising_priority_recompute_from_when_the_citizen_wrote(
    db, supervisor
):
    case = open_case_at(riyadh(2025, 11, 13, 14, 50))
    assert case.priority == "P3" and case.sla_policy.name == "P3 normal"
    # P3: four business hours -> 10 minutes on Thursday, 3 h 50 on Sunday.
    assert case.first_response_due == riyadh(2025, 11, 16, 11, 50)
    case = services.case_set_priority(
        case=case, priority="P2", actor=supervisor, reason="angry", now=riyadh(2025, 11, 13, 14, 58)
    )
    assert case.sla_policy.name == "P2 high"
    assert case.first_response_due == riyadh(2025, 11, 16, 8, 50)
    event = case.events.get(kind="sla_policy_changed")
    assert event.data["first_response_due"] == "2025-11-16T05:50:00+00:00"


def test_p1_at_0300_on_a_friday_is_due_0315(db):
    case = open_case_at(riyadh(2025, 11, 14, 3, 0))
    case = services.case_set_priority(
        case=case, priority="P1", actor=None, reason="rule:fire", now=riyadh(2025, 11, 14, 3, 1)
    )
    assert case.sla_policy.calendar.always_open
    assert case.first_response_due == riyadh(2025, 11, 14, 3, 15)
    assert case.resolution_due == riyadh(2025, 11, 14, 7, 0)


def test_ramadan_hours_eid_break_and_founding_day(db):
    make_policy(first=60)
    saudi = BusinessCalendar.objects.get(name="Saudi government")
    CalendarOverride.objects.create(
        calendar=saudi,
        name="Ramadan 1447",
        start_date=date(2026, 2, 18),
        end_date=date(2026, 3, 16),
        hours="10:00-15:00",
        weekdays=[6, 0, 1, 2, 3],
    )
    CalendarOverride.objects.create(
        calendar=saudi,
        name="Eid al-Fitr break",
        start_date=date(2026, 3, 17),
        end_date=date(2026, 3, 29),
    )
    ramadan_morning = open_case_at(riyadh(2026, 2, 19, 9, 0), "9001", author_id="501")
    assert ramadan_morning.first_response_due == riyadh(2026, 2, 19, 11, 0)
    # Half an hour on Thursday; Sunday 22 February is Founding Day; Monday opens at 10:00.
    founding_day = open_case_at(riyadh(2026, 2, 19, 14, 30), "9002", author_id="502")
    assert founding_day.first_response_due == riyadh(2026, 2, 23, 10, 30)
    # Half an hour on the last Ramadan day, then the break (longer than the holidays).
    before_eid = open_case_at(riyadh(2026, 3, 16, 14, 30), "9003", author_id="503")
    assert before_eid.first_response_due == riyadh(2026, 3, 30, 8, 30)


def test_a_manual_holiday_and_a_worked_package_holiday(db):
    make_policy(first=60)
    saudi = BusinessCalendar.objects.get(name="Saudi government")
    ManualHoliday.objects.create(calendar=saudi, date=date(2025, 11, 16), name="Extra day")
    case = open_case_at(riyadh(2025, 11, 13, 14, 50), "9001", author_id="501")
    assert case.first_response_due == riyadh(2025, 11, 17, 8, 50)
    ManualHoliday.objects.create(
        calendar=saudi, date=date(2026, 9, 23), name="Worked", is_working_day=True
    )
    national_day = open_case_at(riyadh(2026, 9, 23, 9, 0), "9002", author_id="502")
    assert national_day.first_response_due == riyadh(2026, 9, 23, 10, 0)


def test_uae_friday_half_day(db):
    make_policy(calendar="UAE federal government", first=60)
    case = open_case_at(datetime(2025, 11, 14, 11, 30, tzinfo=DUBAI))
    assert case.first_response_due == datetime(2025, 11, 17, 8, 0, tzinfo=DUBAI)


def test_the_clock_starts_when_the_citizen_wrote_not_when_sada_noticed(db):
    make_policy(first=60)
    written = riyadh(2025, 11, 16, 8, 0)
    case = open_case_at(written, received=riyadh(2025, 11, 16, 10, 0))
    assert case.created_at == written and case.first_response_due == riyadh(2025, 11, 16, 9, 0)
    assert state(case, riyadh(2025, 11, 16, 10, 0)) == "breached"


def test_first_match_wins_by_queue_and_account(db):
    make_policy(first=30, position=1, queue="complaints")
    make_policy(first=90, position=2, queue="general")
    case = open_case_at(riyadh(2025, 11, 16, 9, 0))
    assert case.first_response_due == riyadh(2025, 11, 16, 10, 30)


# --- Pause, resume, stop -----------------------------------------------------------


def test_pending_pauses_resolution_and_a_customer_reply_resumes_it_with_a_next_response(db, agent):
    make_policy(first=60, next_=120, resolution=21 * 60)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))  # Sunday
    case = reply(case, agent, riyadh(2025, 11, 16, 8, 30), "7001")
    assert case.first_response_met is True and case.first_response_seconds == 30 * 60
    assert case.resolution_due == riyadh(2025, 11, 18, 15, 0)  # 21 business hours
    case = services.case_set_status(
        case=case, status="pending", actor=agent, now=riyadh(2025, 11, 16, 10, 0)
    )
    assert case.resolution_running_since is None and case.resolution_due is None
    assert case.resolution_elapsed_seconds == 2 * HOUR
    assert case.sla_check_at is None
    assert state(case, riyadh(2025, 11, 20, 10, 0)) == "paused"

    case = customer_writes(case, "9002", riyadh(2025, 11, 18, 9, 0))  # Tuesday
    assert case.status == "open"
    assert case.resolution_running_since == riyadh(2025, 11, 18, 9, 0)
    # 19 business hours left from Tuesday 09:00: 6 + 7 + 6 -> Thursday 14:00.
    assert case.resolution_due == riyadh(2025, 11, 20, 14, 0)
    assert case.next_response_started_at == riyadh(2025, 11, 18, 9, 0)
    assert case.next_response_due == riyadh(2025, 11, 18, 11, 0)
    assert case.next_response_round == 1
    assert state(case, riyadh(2025, 11, 18, 10, 0)) == "ok"
    assert state(case, riyadh(2025, 11, 18, 11, 1)) == "breached"

    case = reply(case, agent, riyadh(2025, 11, 18, 10, 0), "7002")
    assert case.next_response_met is True and case.next_response_due is None
    case = services.case_resolve(case=case, actor=agent, now=riyadh(2025, 11, 19, 9, 0))
    # 2 h before the pause, Tuesday 09:00-15:00 and Wednesday 08:00-09:00: 9 h.
    assert case.resolution_seconds == 9 * HOUR and case.resolution_met is True
    assert case.sla_check_at is None
    assert state(case, riyadh(2025, 11, 19, 9, 0)) == "met"


def test_a_second_customer_message_keeps_the_first_next_response_due(db, agent):
    make_policy(first=60, next_=60)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    case = reply(case, agent, riyadh(2025, 11, 16, 8, 10), "7001")
    case = customer_writes(case, "9002", riyadh(2025, 11, 16, 9, 0))
    case = customer_writes(case, "9003", riyadh(2025, 11, 16, 9, 30))
    assert case.next_response_due == riyadh(2025, 11, 16, 10, 0)
    assert case.next_response_round == 1
    case = reply(case, agent, riyadh(2025, 11, 16, 10, 5), "7002")
    assert case.next_response_met is False
    assert state(case, riyadh(2025, 11, 16, 10, 6)) == "breached"
    # A later, timely next response does not undo the miss.
    case = customer_writes(case, "9004", riyadh(2025, 11, 16, 11, 0))
    assert case.next_response_round == 2
    case = reply(case, agent, riyadh(2025, 11, 16, 11, 5), "7003")
    assert case.next_response_met is False


def test_a_late_first_response_is_recorded_as_missed(db, agent):
    make_policy(first=60)
    case = open_case_at(riyadh(2025, 11, 13, 14, 50))
    case = reply(case, agent, riyadh(2025, 11, 16, 9, 0), "7001")
    assert case.first_response_met is False
    assert case.first_response_seconds == 70 * 60  # 10 min Thursday + 60 min Sunday
    assert state(case, riyadh(2025, 11, 16, 9, 0)) == "breached"


def test_a_reply_at_the_due_minute_is_on_time(db, agent):
    make_policy(first=60)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    case = reply(case, agent, riyadh(2025, 11, 16, 9, 0), "7001")
    assert case.first_response_met is True and case.first_response_seconds == HOUR


def test_resolving_late_and_reopening_continues_the_resolution_clock(db, agent, supervisor):
    make_policy(first=60, resolution=120)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    case = reply(case, agent, riyadh(2025, 11, 16, 8, 10), "7001")
    case = services.case_resolve(case=case, actor=agent, now=riyadh(2025, 11, 16, 9, 0))
    assert case.resolution_seconds == HOUR and case.resolution_met is True
    case = services.case_reopen(case=case, actor=agent, now=riyadh(2025, 11, 16, 12, 0))
    assert case.resolution_met is None and case.resolution_running_since == riyadh(
        2025, 11, 16, 12, 0
    )
    assert case.resolution_due == riyadh(2025, 11, 16, 13, 0)  # one hour was left
    case = services.case_set_status(
        case=case, status="closed", actor=agent, now=riyadh(2025, 11, 16, 14, 0)
    )
    assert case.resolution_seconds == 3 * HOUR and case.resolution_met is False
    assert state(case, riyadh(2025, 11, 16, 14, 0)) == "breached"


def test_not_a_case_owes_nothing(db, agent):
    make_policy(first=60, resolution=120)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    case = services.case_mark_not_a_case(case=case, actor=agent, reason="spam")
    assert case.first_response_met is None and case.resolution_met is None
    assert case.sla_check_at is None


def test_moving_to_a_queue_with_its_own_policy_recomputes(db, supervisor):
    make_policy(first=60, queue="complaints", position=1)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    assert case.sla_policy.name == "P3 normal"
    case = services.case_change_queue(
        case=case,
        queue=Queue.objects.get(slug="complaints"),
        actor=supervisor,
        now=riyadh(2025, 11, 16, 8, 30),
    )
    assert case.first_response_due == riyadh(2025, 11, 16, 9, 0)


def test_reporting_fields_are_simple_aggregates(db, agent):
    make_policy(first=60, resolution=120)
    on_time = open_case_at(riyadh(2025, 11, 16, 8, 0), "9001", author_id="501")
    late = open_case_at(riyadh(2025, 11, 16, 8, 0), "9002", author_id="502")
    reply(on_time, agent, riyadh(2025, 11, 16, 8, 30), "7001")
    reply(late, agent, riyadh(2025, 11, 16, 9, 30), "7002")
    services.case_resolve(case=on_time, actor=agent, now=riyadh(2025, 11, 16, 9, 0))
    summary = sla_summary(Case.objects.all())
    assert summary["first_response_measured"] == 2 and summary["first_response_met"] == 1
    assert summary["first_response_avg_seconds"] == 60 * 60
    assert summary["resolution_measured"] == 1 and summary["resolution_met"] == 1


# --- Controlled time ----------------------------------------------------------------


def test_the_clock_jumping_forward_and_back_keeps_due_times_and_fires_once(db, agent):
    make_policy(
        first=60, resolution=4 * 60, levels=[{"trigger": "breach", "notify_assignee": True}]
    )
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    due = case.first_response_due
    with time_machine.travel(riyadh(2025, 11, 16, 12, 5), tick=False):
        report = sla_sweep()
        assert report.breaches == report.escalations == 2  # first response, resolution
    with time_machine.travel(riyadh(2025, 11, 16, 8, 30), tick=False):
        assert (
            sla_sweep().as_dict()
            == sla_sweep().as_dict()
            == {
                "cases": 0,
                "warnings": 0,
                "breaches": 0,
                "escalations": 0,
                "notifications": 0,
                "actions": 0,
                "errors": 0,
            }
        )
        case = Case.objects.get(pk=case.pk)
        assert case.first_response_due == due
        assert state(case, timezone.now()) == "ok"
        case = services.case_set_status(case=case, status="pending", actor=agent)
    assert case.resolution_elapsed_seconds == 30 * 60
    with time_machine.travel(riyadh(2025, 11, 16, 12, 5), tick=False):
        assert sla_sweep().escalations == 0
    # The clock is set back behind the pause: the resumed clock never runs backwards.
    with time_machine.travel(riyadh(2025, 11, 16, 8, 15), tick=False):
        case = services.case_set_status(case=case, status="open", actor=agent)
    assert case.resolution_running_since == riyadh(2025, 11, 16, 8, 30)
    assert case.resolution_due == riyadh(2025, 11, 16, 12, 0)


def test_a_case_closed_by_merge_is_no_longer_watched(db, agent):
    make_policy(first=60)
    first = open_case_at(riyadh(2025, 11, 16, 8, 0), "9001")
    second = open_case_at(riyadh(2025, 11, 16, 8, 5), "9002")
    services.case_merge(case=second, into=first, actor=agent, now=riyadh(2025, 11, 16, 8, 10))
    sla_sweep(now=riyadh(2025, 11, 16, 12, 0))
    second.refresh_from_db()
    assert second.sla_check_at is None and second.escalations.count() == 0


@pytest.mark.parametrize("zone", ["Asia/Riyadh", "Europe/London", "America/New_York"])
def test_calendar_zones_are_validated_iana_names(db, zone):
    from django.core.exceptions import ValidationError

    BusinessCalendar(name="ok", time_zone=zone).full_clean()
    with pytest.raises(ValidationError):
        BusinessCalendar(name="bad", time_zone="GMT+3 Riyadh").full_clean()


def test_editing_a_calendar_moves_the_due_times_of_open_cases(db):
    from cases.sla_services import sla_config_changed

    make_policy(first=60)
    case = open_case_at(riyadh(2025, 11, 13, 14, 50))
    saudi = BusinessCalendar.objects.get(name="Saudi government")
    ManualHoliday.objects.create(calendar=saudi, date=date(2025, 11, 16), name="Announced")
    assert sla_config_changed(calendar_ids=[saudi.pk], now=riyadh(2025, 11, 13, 15, 0)) == 1
    case.refresh_from_db()
    assert case.first_response_due == riyadh(2025, 11, 17, 8, 50)
