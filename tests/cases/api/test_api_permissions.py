"""Persona × endpoint × action: who gets what. An outsider (an agent of another
queue, a key restricted to another queue) gets 404 everywhere, exactly like a
case that does not exist."""

import pytest
from rest_framework.test import APIClient

from cases import services, sla_services
from cases.models import Case, Escalation
from tests.cases.api.conftest import key_client, make_key, open_case, session_client

pytestmark = pytest.mark.django_db

READS = ["", "messages/", "events/"]
# action -> (setup(case), body(agent, case, other))
ACTIONS = {
    "assign": lambda ctx: {"assignee": ctx["agent"].username},
    "reply": lambda ctx: {"text": "نعتذر عن التأخير"},
    "note": lambda ctx: {"text": "checked with the call centre"},
    "set-priority": lambda ctx: {"priority": "P2", "reason": "many followers"},
    "resolve": lambda ctx: {},
    "reopen": lambda ctx: {},
    "mark-not-a-case": lambda ctx: {"reason": "spam"},
    "merge": lambda ctx: {"into": ctx["twin"].reference},
    "escalate": lambda ctx: {"reason": "no answer from the field team"},
    "acknowledge": lambda ctx: {},
}
# Escalating and acknowledging are a person's acts: a key made in the shell (no
# user) may not; acknowledging is for supervisors.
OVERRIDES = {
    ("escalate", "key_act_only"): 403,
    ("escalate", "key_read_act"): 403,
    ("escalate", "key_queue_general"): 403,
    ("acknowledge", "agent"): 403,
    ("acknowledge", "key_act_only"): 403,
    ("acknowledge", "key_read_act"): 403,
    ("acknowledge", "key_queue_general"): 403,
}


@pytest.fixture
def ctx(agent, other_agent, supervisor):
    case = open_case("9001", author_id="555")
    # Another post of the same customer in another conversation: a merge target.
    twin = open_case("9002", author_id="555")
    return {
        "agent": agent,
        "other_agent": other_agent,
        "supervisor": supervisor,
        "case": case,
        "twin": twin,
    }


def client_for(persona: str, ctx) -> APIClient:
    if persona == "anonymous":
        return APIClient()
    if persona in ("agent", "other_agent", "supervisor"):
        return session_client(ctx[persona])
    scopes, queue = {
        "key_read": (("read",), ""),
        "key_act_only": (("act",), ""),
        "key_read_act": (("read", "act"), ""),
        "key_queue_general": (("read", "act"), "general"),
        "key_queue_complaints": (("read", "act"), "complaints"),
    }[persona]
    _key, raw = make_key(scopes=scopes, queue=queue)
    return key_client(raw)


READ_EXPECTED = {
    "anonymous": 401,
    "agent": 200,
    "other_agent": 404,
    "supervisor": 200,
    "key_read": 200,
    "key_act_only": 403,
    "key_read_act": 200,
    "key_queue_general": 200,
    "key_queue_complaints": 404,
}
ACT_EXPECTED = {
    "anonymous": 401,
    "agent": "ok",
    "other_agent": 404,
    "supervisor": "ok",
    "key_read": 403,
    "key_act_only": "ok",
    "key_read_act": "ok",
    "key_queue_general": "ok",
    "key_queue_complaints": 404,
}


@pytest.mark.parametrize("persona", list(READ_EXPECTED))
@pytest.mark.parametrize("endpoint", READS)
def test_reads(persona, endpoint, ctx):
    client = client_for(persona, ctx)
    response = client.get(f"/api/v1/cases/{ctx['case'].reference}/{endpoint}")
    assert response.status_code == READ_EXPECTED[persona], response.content
    if response.status_code != 200:
        assert set(response.json()) >= {"code", "detail"}


@pytest.mark.parametrize("persona", list(ACT_EXPECTED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions(persona, action, ctx):
    case = ctx["case"]
    if action == "reopen":
        services.case_resolve(case=case, actor=ctx["supervisor"])
    if action == "acknowledge":
        sla_services.case_escalate(case=case, actor=ctx["agent"], reason="stuck")
    before = Case.objects.get(pk=case.pk).version
    acknowledged = Escalation.objects.filter(acknowledged_at__isnull=False).count()
    client = client_for(persona, ctx)
    response = client.post(
        f"/api/v1/cases/{case.reference}/{action}/", ACTIONS[action](ctx), format="json"
    )
    expected = OVERRIDES.get((action, persona), ACT_EXPECTED[persona])
    if expected == "ok":
        assert response.status_code in (200, 201), response.json()
        if action == "acknowledge":
            assert Escalation.objects.filter(acknowledged_at__isnull=False).count() == 1
        else:
            assert Case.objects.get(pk=case.pk).version > before
    else:
        assert response.status_code == expected, response.content
        assert Case.objects.get(pk=case.pk).version == before
        assert Escalation.objects.filter(acknowledged_at__isnull=False).count() == acknowledged
        # An outsider learns nothing: the same answer as for a case that does not exist.
        if expected == 404:
            missing = client.post(
                f"/api/v1/cases/C-2099-999999/{action}/", ACTIONS[action](ctx), format="json"
            )
            assert missing.status_code == 404 and missing.json() == response.json() | {
                "detail": missing.json()["detail"]
            }


@pytest.mark.parametrize("persona", list(READ_EXPECTED))
def test_case_list_shows_only_visible_cases(persona, ctx):
    hidden = open_case("9003", queue="complaints")
    response = client_for(persona, ctx).get("/api/v1/cases/")
    assert response.status_code == READ_EXPECTED[persona] if READ_EXPECTED[persona] != 404 else 200
    if response.status_code != 200:
        return
    refs = {row["reference"] for row in response.json()["results"]}
    if persona in ("other_agent", "key_queue_complaints"):
        assert refs == {hidden.reference}
    elif persona in ("agent", "key_queue_general"):
        assert refs == {ctx["case"].reference, ctx["twin"].reference}
    else:
        assert hidden.reference in refs and ctx["case"].reference in refs


def test_merge_into_a_case_out_of_reach_is_refused_without_saying_it_exists(agent_api, agent):
    case = open_case("9001", author_id="555")
    elsewhere = open_case("9002", author_id="555", queue="complaints")
    response = agent_api.post(
        f"/api/v1/cases/{case.reference}/merge/", {"into": elsewhere.reference}, format="json"
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    missing = agent_api.post(
        f"/api/v1/cases/{case.reference}/merge/", {"into": "C-2099-000001"}, format="json"
    )
    assert missing.status_code == 404
    # Word for word the same answer, but for the reference the caller sent.
    assert (
        missing.json()["detail"].replace("C-2099-000001", elsewhere.reference)
        == (response.json()["detail"])
    )


def test_session_writes_need_the_csrf_token(agent):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)
    case = open_case("9001")
    response = client.post(f"/api/v1/cases/{case.reference}/note/", {"text": "x"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_agent_cannot_assign_someone_else(agent_api, agent2):
    case = open_case("9001")
    response = agent_api.post(
        f"/api/v1/cases/{case.reference}/assign/", {"assignee": agent2.username}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"


def test_take_next(agent_api, agent, other_agent_api):
    case = open_case("9001")
    response = agent_api.post("/api/v1/cases/take-next/", {}, format="json")
    assert response.status_code == 200 and response.json()["reference"] == case.reference
    assert response.json()["assignee"]["username"] == agent.username
    again = agent_api.post("/api/v1/cases/take-next/")
    assert again.status_code == 404 and again.json()["code"] == "nothing_to_take"
    assert other_agent_api.post("/api/v1/cases/take-next/").status_code == 404


def test_take_next_with_keys(supervisor, agent):
    open_case("9001")
    _k, shell_key = make_key(scopes=("read", "act"))
    assert key_client(shell_key).post("/api/v1/cases/take-next/").status_code == 403
    _k, restricted = make_key(scopes=("read", "act"), queue="general", created_by=agent)
    assert key_client(restricted).post("/api/v1/cases/take-next/").status_code == 403
    _k, owned = make_key(scopes=("read", "act"), created_by=agent)
    response = key_client(owned).post("/api/v1/cases/take-next/")
    assert response.status_code == 200 and response.json()["assignee"]["username"] == "agent_amal"
    event = Case.objects.get(reference=response.json()["reference"]).events.get(kind="assigned")
    assert event.actor == agent


def test_key_actions_are_recorded_as_api(agent):
    case = open_case("9001")
    _k, raw = make_key(scopes=("read", "act"), created_by=agent)
    key_client(raw).post(f"/api/v1/cases/{case.reference}/resolve/", {}, format="json")
    event = case.events.get(kind="status_changed")
    assert event.actor == agent and event.actor_kind == "api"


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/", "/api/v1/customers/", "/api/v1/queues/", "/api/v1/me/"]
)
def test_every_read_needs_authentication_and_the_read_scope(url):
    anonymous = APIClient().get(url)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    _k, act_only = make_key(scopes=("act",))
    refused = key_client(act_only).get(url)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_a_queue_restricted_key_sees_only_its_queue_everywhere(ctx):
    hidden = open_case("9009", author_id="777", queue="complaints")
    _k, raw = make_key(scopes=("read",), queue="general")
    client = key_client(raw)
    assert [q["slug"] for q in client.get("/api/v1/queues/").json()] == ["general"]
    assert client.get("/api/v1/queues/complaints/").status_code == 404
    handles = {c["handle"] for c in client.get("/api/v1/customers/").json()["results"]}
    assert hidden.customer.handle not in handles and "user555" in handles
    assert client.get(f"/api/v1/customers/{hidden.customer_id}/").status_code == 404
    assert client.get(f"/api/v1/cases/?search={hidden.reference}").json()["results"] == []
