"""The cases admin as the supervisors' console: actions through the services,
read-only workflow fields, roles, and a changelist that stays cheap at any size."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services, sla_services
from cases.models import Case, CaseEvent, Escalation, Message, Queue
from tests.cases.test_services import open_case

CHANGELIST = reverse("admin:cases_case_changelist")


@pytest.fixture
def staff(client, supervisor):
    supervisor.is_staff = True
    supervisor.language = "en"  # messages asserted in English; Arabic has its own test
    supervisor.save(update_fields=["is_staff", "language"])
    client.force_login(supervisor)
    return client


def act(client, action: str, cases, **data):
    """Post an admin action (with `apply` for the intermediate forms)."""
    payload = {"action": action, "_selected_action": [c.pk for c in cases], **data}
    if data:
        payload["apply"] = "1"
    return client.post(CHANGELIST, payload, follow=True)


def texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def kinds(case: Case) -> list[str]:
    return list(case.events.values_list("kind", flat=True))


def bulk_cases(n: int, start: int = 0) -> None:
    queue = Queue.objects.get(slug="general")
    now = timezone.now()
    Case.objects.bulk_create(
        [
            Case(
                reference=f"C-2026-{900000 + start + i}",
                queue=queue,
                created_at=now,
                first_response_due=now,
            )
            for i in range(n)
        ]
    )


# --- Actions -------------------------------------------------------------------------


def test_take_assigns_to_the_supervisor_and_writes_the_event(staff, supervisor):
    case = open_case()
    response = act(staff, "take", [case])
    case.refresh_from_db()
    assert case.assignee == supervisor and case.status == "open"
    assert case.events.get(kind="assigned").actor == supervisor
    assert any(case.reference in t for t in texts(response))


def test_assign_to_shows_a_form_then_assigns_through_the_service(staff, agent):
    case = open_case()
    page = staff.post(CHANGELIST, {"action": "assign_to", "_selected_action": [case.pk]})
    assert page.status_code == 200 and b'name="assignee"' in page.content
    act(staff, "assign_to", [case], assignee=agent.pk)
    case.refresh_from_db()
    assert case.assignee == agent and "assigned" in kinds(case)


def test_assigning_to_an_outsider_is_refused_and_reported(staff, other_agent):
    case = open_case()
    response = act(staff, "assign_to", [case], assignee=other_agent.pk)
    case.refresh_from_db()
    assert case.assignee is None and "assigned" not in kinds(case)
    assert any("refused" in t and "not a member" in t for t in texts(response))


def test_set_priority_needs_a_reason_and_logs_it(staff):
    case = open_case()
    page = act(staff, "set_priority", [case], priority="P1", reason="")
    assert page.status_code == 200 and page.context["form"].errors
    act(staff, "set_priority", [case], priority="P1", reason="a fire")
    case.refresh_from_db()
    event = case.events.get(kind="priority_changed")
    assert case.priority == "P1" and event.data["reason"] == "a fire"


def test_change_queue_through_the_service(staff):
    case = open_case()
    act(staff, "change_queue", [case], queue=Queue.objects.get(slug="complaints").pk, reason="x")
    case.refresh_from_db()
    assert case.queue.slug == "complaints" and "queue_changed" in kinds(case)


def test_escalate_then_acknowledge(staff, supervisor):
    case = open_case()
    act(staff, "escalate", [case], reason="minister asked")
    case.refresh_from_db()
    assert case.escalation_level == 1 and "escalated" in kinds(case)
    act(staff, "acknowledge_escalation", [case])
    escalation = Escalation.objects.get(case=case)
    assert escalation.acknowledged_by == supervisor
    response = act(staff, "acknowledge_escalation", [case])
    assert any("refused" in t for t in texts(response))


def test_resolve_and_reopen_report_refusals_per_case(staff):
    first, second = open_case("9001"), open_case("9002", author_id="501")
    services.case_resolve(case=second, actor=None)
    response = act(staff, "resolve", [first, second])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "resolved" and second.status == "resolved"
    messages = texts(response)
    assert any(first.reference in t and "resolved" in t for t in messages)
    assert any(second.reference in t and "refused" in t for t in messages)
    act(staff, "reopen", [first])
    first.refresh_from_db()
    assert first.status == "open" and "reopened" in kinds(first)


def test_mark_not_a_case_with_a_reason(staff):
    case = open_case()
    act(staff, "mark_not_a_case", [case], reason="spam")
    case.refresh_from_db()
    assert case.status == "closed" and case.resolution == "not_a_case"


def test_merge_into_a_case_of_the_same_customer(staff):
    source, target = open_case("9001"), open_case("9002", conversation_id="777")
    if source.pk == target.pk:
        pytest.skip("threaded into one case")
    act(staff, "merge", [source], into=target.reference)
    source.refresh_from_db()
    assert source.merged_into == target and "merged" in kinds(source)


def test_event_log_is_rendered_in_the_readers_language(staff, supervisor):
    case = open_case()
    services.case_set_priority(case=case, priority="P1", actor=supervisor, reason="حريق")
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = staff.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "priority P3 → P1 (حريق)" in page
    assert f"/cases/{case.reference}/" in page


def test_arabic_changelist_and_change_page_render(staff, supervisor):
    case = open_case()
    sla_services.case_escalate(case=case, actor=supervisor, reason="x")
    supervisor.language = "ar"
    supervisor.save(update_fields=["language"])
    assert staff.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="ar").status_code == 200
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = staff.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in page and 'dir="auto"' in page
    assert "صُعّدت إلى المستوى 1" in page and "استلام (إسناد إليّ)" in page
    services.case_resolve(case=case, actor=supervisor)
    response = act(staff, "resolve", [case])
    assert any("رُفض" in t for t in texts(response))


# --- Read-only, roles -----------------------------------------------------------------


def test_a_crafted_post_cannot_change_status_or_priority(staff):
    case = open_case()
    url = reverse("admin:cases_case_change", args=[case.pk])
    management = {}
    for prefix in ("messages", "events", "escalations"):
        management |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    forged = {"status": "closed", "priority": "P4", "reference": "X", "assignee": "1"}
    response = staff.post(url, {**management, **forged, "_save": "1"})
    assert response.status_code == 302  # "saved": nothing it could write
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.priority, fresh.reference, fresh.version) == (
        case.status,
        case.priority,
        case.reference,
        case.version,
    )
    assert set(kinds(fresh)) <= {"created", "message_received", "sla_policy_changed"}


def test_no_adding_or_deleting_cases(staff):
    case = open_case()
    assert staff.get(reverse("admin:cases_case_add")).status_code == 403
    assert staff.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403


def test_agents_do_not_use_the_admin(client, agent):
    client.force_login(agent)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/login/" in response["Location"]
    case = open_case()
    client.post(CHANGELIST, {"action": "resolve", "_selected_action": [case.pk]})
    case.refresh_from_db()
    assert case.status == "new"


def test_the_event_log_is_read_only_even_for_superusers(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(root)
    event = CaseEvent.objects.filter(case=open_case()).first()
    url = reverse("admin:cases_caseevent_change", args=[event.pk])
    client.post(url, {"kind": "forged"})
    event.refresh_from_db()
    assert event.kind != "forged"
    assert client.get(reverse("admin:cases_caseevent_delete", args=[event.pk])).status_code == 403


# --- The changelist at size -------------------------------------------------------------


def changelist_queries(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_changelist_query_count_is_the_same_for_10_and_1000_cases(staff):
    bulk_cases(10)
    small = changelist_queries(staff)
    bulk_cases(990, start=10)
    large = changelist_queries(staff)
    assert len(small) == len(large)
    filtered = changelist_queries(staff, sla="breached", escalation="unacknowledged", lang="ar")
    assert len(filtered) <= len(large)


def test_changelist_never_counts_the_whole_case_table(staff, settings):
    bulk_cases(1200)
    for params in ({}, {"status__exact": "new"}, {"q": "C-2026-900001"}):
        for sql in changelist_queries(staff, **params):
            if re.search(r"COUNT\(", sql, re.IGNORECASE) and '"cases_case"' in sql:
                assert "LIMIT" in sql.upper(), sql


def test_past_the_cap_the_list_says_at_least(staff, monkeypatch):
    from cases.admin import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 60)
    bulk_cases(75)
    response = staff.get(CHANGELIST)
    assert response.context["cl"].result_count == 60
    assert "at least 60" in response.content.decode()


def test_unfiltered_list_on_postgresql_shows_the_planners_estimate(
    staff, monkeypatch, postgres_only
):
    from cases.admin import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 100)
    bulk_cases(500)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    queries = changelist_queries(staff)
    assert not any("COUNT(" in sql.upper() and '"cases_case"' in sql for sql in queries)
    response = staff.get(CHANGELIST)
    assert response.context["cl"].count_kind == "estimate"
    assert "about" in response.content.decode()
    filtered = staff.get(CHANGELIST, {"status__exact": "new"})
    assert filtered.context["cl"].count_kind == "at_least"


def test_a_staff_agent_sees_the_list_but_cannot_act(client, agent):
    agent.is_staff = True  # a misconfiguration: the Agents group still grants no change
    agent.save(update_fields=["is_staff"])
    client.force_login(agent)
    case = open_case()
    client.post(CHANGELIST, {"action": "resolve", "_selected_action": [case.pk]})
    case.refresh_from_db()
    assert case.status == "new" and "status_changed" not in kinds(case)


def test_search_by_reference_and_handle(staff):
    case = open_case()
    bulk_cases(5)
    by_reference = staff.get(CHANGELIST, {"q": case.reference.lower()})
    assert [c.pk for c in by_reference.context["cl"].result_list] == [case.pk]
    by_handle = staff.get(CHANGELIST, {"q": f"@{case.customer.handle}"})
    assert [c.pk for c in by_handle.context["cl"].result_list] == [case.pk]


def test_supervisor_answers_an_incident_from_the_admin(client, supervisor):
    from django.contrib.admin import helpers

    from cases.models import Incident
    from social_ingest.parsers import parse_document
    from social_ingest.services import pages_ingest
    from tests.factories import page, tweet

    texts = [
        "@SadaMinistry حريق كبير في مبنى الخدمات بحي النسيم",
        "@SadaMinistry فيه حريق في المبنى الحين والدخان كثيف",
        "@SadaMinistry حريق! الناس طالعين من المبنى",
    ]
    tweets = [
        tweet(str(62500 + i), t, author_id=str(450 + i), minutes=i) for i, t in enumerate(texts)
    ]
    pages_ingest(parse_document(page(*tweets)), account=None, source="replay")
    incident = Incident.objects.get()
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    url = "/admin/cases/incident/"
    data = {"action": "reply_to_all", helpers.ACTION_CHECKBOX_NAME: [incident.pk]}
    assert client.post(url, data).status_code == 200  # the form
    client.post(url, {**data, "apply": "1", "text": "الدفاع المدني في الموقع"})
    outbound = Message.objects.filter(direction="out")
    assert outbound.count() == 3 and len(set(outbound.values_list("text", flat=True))) == 3


def test_the_assignee_filter_offers_the_people_who_hold_cases(staff, agent, other_agent):
    case = open_case()
    services.case_assign(case=case, assignee=agent, actor=None)
    page = staff.get(CHANGELIST).content.decode()
    assert f"assignee__id__exact={agent.pk}" in page
    assert f"assignee__id__exact={other_agent.pk}" not in page  # holds no case
    filtered = staff.get(CHANGELIST, {"assignee__id__exact": agent.pk})
    assert list(filtered.context["cl"].result_list) == [case]
