import pytest

from cases import services
from cases.models import Case, Message
from tests.cases.api.conftest import open_case

pytestmark = pytest.mark.django_db


def post(client, case, action, body=None):
    return client.post(f"/api/v1/cases/{case.reference}/{action}/", body or {}, format="json")


def test_stale_expected_version_is_a_409_with_the_current_case(agent_api, agent):
    case = open_case()
    stale = case.version
    services.case_add_tags(case=case, tags=["billing"], actor=agent)
    response = post(agent_api, case, "resolve", {"expected_version": stale})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_case" and body["detail"]
    assert body["current"]["reference"] == case.reference
    assert body["current"]["version"] == stale + 1 and body["current"]["tags"] == ["billing"]
    assert Case.objects.get(pk=case.pk).status == "new"


@pytest.mark.parametrize(
    "action,body",
    [
        ("assign", {"assignee": "agent_amal"}),
        ("reply", {"text": "hello"}),
        ("note", {"text": "hello"}),
        ("set-priority", {"priority": "P2", "reason": "x"}),
        ("resolve", {}),
        ("mark-not-a-case", {"reason": "spam"}),
    ],
)
def test_every_action_checks_the_expected_version(agent_api, agent, action, body):
    case = open_case()
    services.case_add_tags(case=case, tags=["x"], actor=agent)
    assert post(agent_api, case, action, {**body, "expected_version": 1}).status_code == 409
    fresh = Case.objects.get(pk=case.pk)
    ok = post(agent_api, case, action, {**body, "expected_version": fresh.version})
    assert ok.status_code in (200, 201), ok.json()


def test_version_goes_up_and_is_returned(agent_api):
    case = open_case()
    response = post(agent_api, case, "assign", {"assignee": "agent_amal", "expected_version": 1})
    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["status"] == "open"


def test_invalid_transition_is_a_409_with_the_current_case(agent_api):
    case = open_case()
    post(agent_api, case, "resolve")
    response = post(agent_api, case, "resolve")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["current"]["status"] == "resolved"


@pytest.mark.parametrize(
    "action,body,bad",
    [
        ("assign", {"assignee": "agent_amal", "status": "closed"}, {"status"}),
        ("resolve", {"priority": "P1"}, {"priority"}),
        ("reply", {"text": "hi", "version": 3}, {"version"}),
        ("note", {"text": "hi", "author": 1}, {"author"}),
        ("reopen", {"expected_verison": 1}, {"expected_verison"}),
        ("take-next", {"queue": "general"}, {"queue"}),
        # Types as the schema says: 5 is not a string, "3" and true are not integers.
        ("note", {"text": 5}, {"text"}),
        (
            "set-priority",
            {"priority": "P2", "reason": "x", "expected_version": "3"},
            {"expected_version"},
        ),
        ("resolve", {"expected_version": True}, {"expected_version"}),
    ],
)
def test_unknown_fields_and_wrong_types_are_rejected_not_ignored(agent_api, action, body, bad):
    case = open_case()
    url = (
        "/api/v1/cases/take-next/"
        if action == "take-next"
        else f"/api/v1/cases/{case.reference}/{action}/"
    )
    response = agent_api.post(url, body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid_input" and set(data["errors"]) == bad
    assert Case.objects.get(pk=case.pk).version == case.version


def test_body_must_be_a_json_object(agent_api):
    case = open_case()
    response = agent_api.post(
        f"/api/v1/cases/{case.reference}/note/", "[1, 2]", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    broken = agent_api.post(
        f"/api/v1/cases/{case.reference}/note/", "{not json", content_type="application/json"
    )
    assert broken.status_code == 400 and broken.json()["code"] == "parse_error"
    form = agent_api.post(
        f"/api/v1/cases/{case.reference}/note/",
        "text=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"


def test_missing_required_fields(agent_api):
    case = open_case()
    response = post(agent_api, case, "set-priority", {"priority": "P2"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"reason"}
    blank = post(agent_api, case, "mark-not-a-case", {"reason": "   "})
    assert blank.status_code == 400


def test_reply_is_queued_and_returns_the_message(agent_api, agent):
    case = open_case()
    response = post(agent_api, case, "reply", {"text": "نعتذر، تم رفع طلبك"})
    assert response.status_code == 201
    body = response.json()
    assert body["message"]["direction"] == "out" and body["message"]["delivery"] == "queued"
    assert body["message"]["author"] == agent.username
    assert body["case"]["status"] == "open"
    assert Message.objects.filter(case=case, direction="out").count() == 1


def test_reply_too_long_for_x_is_a_400_with_its_context(agent_api):
    case = open_case()
    # 200 characters, but CJK weighs 2 as X counts: 400 > 280.
    response = post(agent_api, case, "reply", {"text": "漢" * 200})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input" and body["weighted_length"] > body["limit"] == 280


def test_note_and_priority_and_resolution(agent_api, agent):
    case = open_case()
    note = post(agent_api, case, "note", {"text": "called them"})
    assert note.status_code == 201 and note.json()["message"]["direction"] == "note"
    priority = post(agent_api, case, "set-priority", {"priority": "P2", "reason": "minister"})
    assert priority.json()["priority"] == "P2"
    resolved = post(agent_api, case, "resolve", {"resolution": "duplicate"})
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolution"] == "duplicate"
    assert resolved.json()["resolved_at"].endswith("Z")
    reopened = post(agent_api, case, "reopen")
    assert reopened.json()["status"] == "open" and reopened.json()["resolved_at"] is None


def test_only_a_supervisor_reopens_a_closed_case(agent_api, supervisor_api):
    case = open_case()
    closed = post(agent_api, case, "mark-not-a-case", {"reason": "spam"})
    assert closed.json()["status"] == "closed" and closed.json()["resolution"] == "not_a_case"
    refused = post(agent_api, case, "reopen")
    assert refused.status_code == 403 and refused.json()["code"] == "not_permitted"
    assert post(supervisor_api, case, "reopen").json()["status"] == "open"


def test_merge_returns_the_case_kept(agent_api):
    first = open_case("9001", author_id="555")
    second = open_case("9002", author_id="555")
    response = post(agent_api, second, "merge", {"into": first.reference})
    assert response.status_code == 200 and response.json()["reference"] == first.reference
    assert Case.objects.get(pk=second.pk).merged_into_id == first.pk
    itself = post(agent_api, first, "merge", {"into": first.reference})
    assert itself.status_code == 400


def test_assign_to_unknown_user_and_unassign(supervisor_api, agent):
    case = open_case()
    unknown = post(supervisor_api, case, "assign", {"assignee": "nobody"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert post(supervisor_api, case, "assign", {"assignee": agent.username}).status_code == 200
    unassigned = post(supervisor_api, case, "assign", {"assignee": None})
    assert unassigned.status_code == 200 and unassigned.json()["assignee"] is None


def test_workflow_fields_cannot_be_written_by_any_method(supervisor_api):
    case = open_case()
    url = f"/api/v1/cases/{case.reference}/"
    for method in ("put", "patch", "delete"):
        response = getattr(supervisor_api, method)(url, {"status": "closed"}, format="json")
        assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    assert supervisor_api.post("/api/v1/cases/", {}, format="json").status_code == 405
    assert Case.objects.get(pk=case.pk).status == "new"


def test_escalate_and_acknowledge(agent_api, supervisor_api, agent, supervisor):
    case = open_case()
    refused = post(agent_api, case, "escalate", {"reason": " "})
    assert refused.status_code == 400
    stale = post(agent_api, case, "escalate", {"reason": "stuck", "expected_version": 99})
    assert stale.status_code == 409 and stale.json()["current"]["escalation_level"] == 0
    response = post(agent_api, case, "escalate", {"reason": "no answer from the field team"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["case"]["escalation_level"] == 1
    assert body["escalation"]["raised_by"] == agent.username
    assert body["escalation"]["acknowledged_at"] is None
    escalated = supervisor_api.get("/api/v1/cases/?escalation_level_min=1").json()["results"]
    assert [row["reference"] for row in escalated] == [case.reference]

    assert post(agent_api, case, "acknowledge").json()["code"] == "not_permitted"
    version = body["case"]["version"]
    assert (
        post(supervisor_api, case, "acknowledge", {"expected_version": version + 5}).status_code
        == 409
    )
    ack = post(supervisor_api, case, "acknowledge", {"expected_version": version})
    assert ack.status_code == 200, ack.json()
    assert ack.json()["escalation"]["acknowledged_by"] == supervisor.username
    assert ack.json()["escalation"]["id"] == body["escalation"]["id"]
    nothing_left = post(supervisor_api, case, "acknowledge")
    assert nothing_left.status_code == 409 and nothing_left.json()["code"] == "invalid_transition"
    again = post(supervisor_api, case, "acknowledge", {"escalation": body["escalation"]["id"]})
    assert (
        again.status_code == 200
        and again.json()["escalation"]["acknowledged_by"] == supervisor.username
    )
    other = post(supervisor_api, case, "acknowledge", {"escalation": 999999})
    assert other.status_code == 404
