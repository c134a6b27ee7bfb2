import re

import pytest

from cases import services
from cases.models import Case
from tests.cases.api.conftest import open_case

pytestmark = pytest.mark.django_db

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ROW_FIELDS = {
    "reference",
    "status",
    "priority",
    "queue",
    "category",
    "assignee",
    "customer",
    "channel",
    "language",
    "tags",
    "created_at",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "resolved_at",
    "sla_state",
    "escalation_level",
    "version",
    "updated_at",
}


def test_list_rows_show_every_contract_field_with_utc_timestamps(supervisor_api):
    case = open_case("9001", author_id="501")
    body = supervisor_api.get("/api/v1/cases/").json()
    [row] = body["results"]
    assert ROW_FIELDS <= set(row)
    assert row["reference"] == case.reference and row["version"] == case.version
    assert set(row["customer"]) >= {"handle", "name", "followers", "verified"}
    assert row["customer"]["handle"] == "user501"
    assert ISO_UTC.match(row["created_at"]) and ISO_UTC.match(row["updated_at"])
    assert row["sla_state"] in {"ok", "warning", "breached", "paused", "met"}
    assert "messages" not in row
    assert body["next"] is None and body["previous"] is None


def test_detail_by_reference_has_its_messages(supervisor_api, agent):
    case = open_case("9001")
    services.case_add_note(case=case, author=agent, text="internal")
    body = supervisor_api.get(f"/api/v1/cases/{case.reference}/").json()
    assert ROW_FIELDS <= set(body)
    assert [m["direction"] for m in body["messages"]] == ["in", "note"]
    assert body["messages"][1]["author"] == agent.username
    assert ISO_UTC.match(body["messages"][0]["created_at"])


def test_unknown_reference_is_a_json_404(supervisor_api):
    response = supervisor_api.get("/api/v1/cases/C-2026-999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_messages_and_events_of_a_case(supervisor_api, agent):
    case = open_case("9001")
    services.case_assign(case=case, assignee=agent, actor=agent)
    messages = supervisor_api.get(f"/api/v1/cases/{case.reference}/messages/").json()
    assert [m["text"] for m in messages["results"]] == ["@SadaMinistry hello"]
    events = supervisor_api.get(f"/api/v1/cases/{case.reference}/events/").json()
    kinds = [e["kind"] for e in events["results"]]
    assert kinds[0] == "created" and "assigned" in kinds
    assigned = next(e for e in events["results"] if e["kind"] == "assigned")
    assert assigned["actor"] == agent.username and assigned["data"]["new"] == agent.pk


def _refs(client, query=""):
    response = client.get(f"/api/v1/cases/{query}")
    assert response.status_code == 200, response.json()
    return [row["reference"] for row in response.json()["results"]]


def test_filters(supervisor_api, agent):
    a = open_case("9001", lang="en")
    b = open_case("9002", queue="complaints")
    c = open_case("9003")
    services.case_assign(case=a, assignee=agent, actor=agent)
    services.case_set_priority(case=b, priority="P2", actor=agent, reason="angry")
    services.case_add_tags(case=c, tags=["حريق", "outage"], actor=agent)
    services.case_resolve(case=c, actor=agent)
    Case.objects.filter(pk=b.pk).update(escalation_level=2)

    assert set(_refs(supervisor_api, "?status=open")) == {a.reference}
    assert set(_refs(supervisor_api, "?status=new,resolved")) == {b.reference, c.reference}
    assert set(_refs(supervisor_api, "?status=new&status=resolved")) == {
        b.reference,
        c.reference,
    }
    assert _refs(supervisor_api, "?priority=P2") == [b.reference]
    assert _refs(supervisor_api, "?queue=complaints") == [b.reference]
    assert _refs(supervisor_api, "?assignee=agent_amal") == [a.reference]
    assert set(_refs(supervisor_api, "?assignee=none")) == {b.reference, c.reference}
    assert _refs(supervisor_api, "?escalation_level=2") == [b.reference]
    assert _refs(supervisor_api, "?escalation_level_min=1") == [b.reference]
    assert _refs(supervisor_api, "?tag=حريق") == [c.reference]
    assert _refs(supervisor_api, "?tag=outage") == [c.reference]
    rows = supervisor_api.get("/api/v1/cases/").json()["results"]
    by_state: dict[str, set] = {}
    for row in rows:
        by_state.setdefault(row["sla_state"], set()).add(row["reference"])
    for state, refs in by_state.items():
        assert set(_refs(supervisor_api, f"?sla_state={state}")) == refs
    two = list(by_state)[:2]
    assert set(_refs(supervisor_api, f"?sla_state={','.join(two)}")) == set().union(
        *(by_state[s] for s in two)
    )
    assert _refs(supervisor_api, f"?language={a.language}&queue=general&status=open") == [
        a.reference
    ]
    assert _refs(supervisor_api, "?created_after=2999-01-01T00:00:00Z") == []
    assert len(_refs(supervisor_api, "?created_before=2999-01-01T00:00:00Z")) == 3
    assert _refs(supervisor_api, "?updated_before=2000-01-01T00:00:00Z") == []


def test_assignee_me(agent_api, agent):
    a = open_case("9001")
    open_case("9002")
    services.case_assign(case=a, assignee=agent, actor=agent)
    assert _refs(agent_api, "?assignee=me") == [a.reference]


def test_search_by_reference_handle_and_text(supervisor_api):
    a = open_case("9001", text="@SadaMinistry انقطاع الكهرباء في الحي", author_id="601")
    b = open_case("9002", author_id="602")
    assert _refs(supervisor_api, f"?search={a.reference}") == [a.reference]
    assert _refs(supervisor_api, "?search=@user602") == [b.reference]
    assert _refs(supervisor_api, "?search=الكهرباء") == [a.reference]


def test_orderings(supervisor_api, agent):
    first = open_case("9001", minutes=0)
    second = open_case("9002", minutes=5)
    third = open_case("9003", minutes=10)
    services.case_set_priority(case=second, priority="P1", actor=agent, reason="fire")
    assert _refs(supervisor_api) == [third.reference, second.reference, first.reference]
    assert _refs(supervisor_api, "?ordering=created") == [
        first.reference,
        second.reference,
        third.reference,
    ]
    assert _refs(supervisor_api, "?ordering=priority")[0] == second.reference
    assert _refs(supervisor_api, "?ordering=-priority")[-1] == second.reference
    assert len(_refs(supervisor_api, "?ordering=due")) == 3
    assert _refs(supervisor_api, "?ordering=-updated")[0] == second.reference


@pytest.mark.parametrize(
    "query",
    [
        "?status=bogus",
        "?priority=P9",
        "?ordering=random",
        "?page_size=0",
        "?page_size=1000",
        "?created_after=yesterday",
        "?escalation_level=-1",
        "?sla_state=late",
    ],
)
def test_invalid_query_parameters_are_a_400_in_the_error_shape(supervisor_api, query):
    response = supervisor_api.get(f"/api/v1/cases/{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input" and body["detail"] and body["errors"]


@pytest.mark.parametrize(
    "query", ["?page_size=", "?created_after=", "?ordering=", "?escalation_level="]
)
def test_empty_values_of_typed_parameters_are_refused(supervisor_api, query):
    response = supervisor_api.get(f"/api/v1/cases/{query}")
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/", "/api/v1/customers/", "/api/v1/cases/{ref}/messages/"]
)
def test_a_cursor_the_api_did_not_give_is_a_404(supervisor_api, url):
    case = open_case()
    response = supervisor_api.get(url.format(ref=case.reference) + "?cursor=not-a-cursor")
    assert response.status_code == 404 and response.json()["code"] == "invalid_cursor"


def test_customers_and_queues(supervisor_api, agent_api, other_agent_api):
    open_case("9001", author_id="701")
    open_case("9002", author_id="702", queue="complaints")
    handles = {c["handle"] for c in supervisor_api.get("/api/v1/customers/").json()["results"]}
    assert handles == {"user701", "user702"}
    # An agent sees the customers of the cases they can see.
    rows = agent_api.get("/api/v1/customers/").json()["results"]
    assert [c["handle"] for c in rows] == ["user701"]
    hidden = supervisor_api.get("/api/v1/customers/?search=user702").json()["results"][0]
    assert agent_api.get(f"/api/v1/customers/{hidden['id']}/").status_code == 404
    assert other_agent_api.get(f"/api/v1/customers/{hidden['id']}/").status_code == 200

    slugs = [q["slug"] for q in supervisor_api.get("/api/v1/queues/").json()]
    assert {"general", "complaints"} <= set(slugs)
    assert [q["slug"] for q in agent_api.get("/api/v1/queues/").json()] == ["general"]
    assert agent_api.get("/api/v1/queues/complaints/").status_code == 404
    assert agent_api.get("/api/v1/queues/general/").json()["slug"] == "general"


def test_agent_sees_p1_of_other_queues(other_agent_api, agent):
    case = open_case("9001")
    assert other_agent_api.get(f"/api/v1/cases/{case.reference}/").status_code == 404
    services.case_set_priority(case=case, priority="P1", actor=agent, reason="fire")
    assert other_agent_api.get(f"/api/v1/cases/{case.reference}/").status_code == 200


def test_unknown_api_path_is_a_json_404(supervisor_api):
    response = supervisor_api.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
