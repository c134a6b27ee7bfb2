"""Calendars and policies edited in the admin; escalations acknowledged there."""

from datetime import date

import pytest
import time_machine
from django.contrib import admin

import cases.admin_sla  # noqa: F401 - registers the SLA admin (cases/admin.py imports it too)
from cases.models import BusinessCalendar, Escalation, SlaPolicy, User
from tests.cases.test_sla_services import make_policy, open_case_at, riyadh


@pytest.fixture
def admin_client_(client, django_user_model, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def test_the_sla_models_are_registered():
    for model in (BusinessCalendar, SlaPolicy, Escalation):
        assert admin.site.is_registered(model)


def test_calendar_page_previews_two_weeks_and_lists_estimated_holidays(admin_client_):
    saudi = BusinessCalendar.objects.get(name="Saudi government")
    url = f"/admin/cases/businesscalendar/{saudi.pk}/change/"
    root = User.objects.get(username="root")
    with time_machine.travel(riyadh(2026, 3, 15, 12, 0), tick=False):
        arabic = admin_client_.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        root.language = "en"
        root.save()
        response = admin_client_.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "عيد الفطر" in arabic
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "2026-03-15" in page
        and "2026-03-28" in page
        and "2026-03-29" not in page.split("sla-preview")[1].split("</table>")[0]
    )
    assert "08:00-15:00" in page  # Sunday 15 March
    assert "Eid al-Fitr" in page and "estimated" in page.lower()


def test_a_calendar_with_a_bad_zone_or_overlapping_hours_is_refused(admin_client_):
    def post(zone, periods):
        data = {
            "name": "Night desk",
            "time_zone": zone,
            "holiday_country": "",
            "holiday_subdivision": "",
            "holiday_categories": "public",
            "periods-TOTAL_FORMS": str(len(periods)),
            "periods-INITIAL_FORMS": "0",
            "overrides-TOTAL_FORMS": "1",
            "overrides-INITIAL_FORMS": "0",
            "overrides-0-name": "Ramadan",
            "overrides-0-start_date": "2026-02-18",
            "overrides-0-end_date": "2026-03-16",
            "overrides-0-hours": "10:00-15:00",
            "overrides-0-weekdays": ["6", "0", "1", "2", "3"],
            "manual_holidays-TOTAL_FORMS": "0",
            "manual_holidays-INITIAL_FORMS": "0",
        }
        for n, (weekday, start, end) in enumerate(periods):
            data.update(
                {
                    f"periods-{n}-weekday": weekday,
                    f"periods-{n}-start": start,
                    f"periods-{n}-end": end,
                }
            )
        return admin_client_.post("/admin/cases/businesscalendar/add/", data)

    assert post("Riyadh", [("6", "08:00", "15:00")]).status_code == 200  # form redisplayed
    overlapping = post("Asia/Riyadh", [("6", "08:00", "15:00"), ("6", "14:00", "16:00")])
    assert overlapping.status_code == 200 and "overlap" in overlapping.content.decode()
    assert not BusinessCalendar.objects.filter(name="Night desk").exists()
    done = post("Asia/Riyadh", [("6", "22:00", "00:00"), ("0", "00:00", "06:00")])
    assert done.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Night desk")
    override = calendar.overrides.get()
    assert override.weekdays == [6, 0, 1, 2, 3]
    cal = calendar.to_calendar([2026])
    assert cal.hours_on(date(2026, 2, 22)) == override.to_override().periods


def test_policy_page_and_escalation_acknowledge_action(admin_client_, agent):
    make_policy(first=60)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    from cases.sla_services import case_escalate

    escalation = case_escalate(case=case, actor=agent, reason="press")
    policy = SlaPolicy.objects.get(priority="P1")
    assert admin_client_.get(f"/admin/cases/slapolicy/{policy.pk}/change/").status_code == 200
    assert admin_client_.get("/admin/cases/escalation/?acknowledged=no").status_code == 200
    response = admin_client_.post(
        "/admin/cases/escalation/",
        {"action": "acknowledge", "_selected_action": [escalation.pk]},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by.username == "root" and escalation.acknowledged_at


def test_changing_a_policy_in_the_admin_recomputes_its_open_cases(admin_client_):
    policy = make_policy(first=60)
    case = open_case_at(riyadh(2025, 11, 16, 8, 0))
    data = {
        "name": policy.name,
        "position": "1",
        "is_active": "on",
        "priority": "",
        "queue": str(policy.queue_id),
        "account": "",
        "calendar": str(policy.calendar_id),
        "first_response_minutes": "30",
        "next_response_minutes": "",
        "resolution_minutes": "",
        "warning_percent": "75",
        "levels-TOTAL_FORMS": "0",
        "levels-INITIAL_FORMS": "0",
    }
    with time_machine.travel(riyadh(2025, 11, 16, 8, 5), tick=False):
        response = admin_client_.post(f"/admin/cases/slapolicy/{policy.pk}/change/", data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.first_response_due == riyadh(2025, 11, 16, 8, 30)
