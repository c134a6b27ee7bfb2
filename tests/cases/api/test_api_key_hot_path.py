"""The API-key read path under load (bench api_load): the key, its owner and the
owner's supervisor powers in ONE query, read afresh on every request, and a case
row that reads only the columns it shows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.api.conftest import key_client, make_key, open_case

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("owner", ["agent", "supervisor"])
def test_a_key_call_is_the_key_query_and_the_cases_query(owner, request):
    case = open_case("9001")
    _k, raw = make_key(created_by=request.getfixturevalue(owner))
    client = key_client(raw)
    client.get("/api/v1/me/")  # the first use stamps last_used_at
    listed = _queries(client, "/api/v1/cases/")
    assert len(listed) == 2, listed  # no separate is_supervisor EXISTS
    assert "cases_apikey" in listed[0] and "auth_group" in listed[0]
    detail = _queries(client, f"/api/v1/cases/{case.reference}/")
    assert len(detail) == 3, detail  # key, case, its messages


def test_supervisor_powers_of_a_key_follow_its_owner_at_once(supervisor):
    """Read with the key on each request: nothing cached across requests."""
    open_case("9001")
    hidden = open_case("9002", queue="complaints") if _has_queue("complaints") else None
    _k, raw = make_key(created_by=supervisor)
    client = key_client(raw)
    everything = {row["reference"] for row in client.get("/api/v1/cases/").json()["results"]}
    supervisor.groups.remove(Group.objects.get(name="Supervisors"))
    now = {row["reference"] for row in client.get("/api/v1/cases/").json()["results"]}
    assert everything and now == set()  # no queue of their own, no P1: nothing
    if hidden is not None:
        assert hidden.reference in everything
    supervisor.groups.add(Group.objects.get(name="Supervisors"))
    assert {r["reference"] for r in client.get("/api/v1/cases/").json()["results"]} == everything


def test_a_list_row_reads_no_column_lazily(supervisor):
    """Every field the row shows was fetched: a deferred one would be a query per row."""
    from cases.models import Case

    for n in range(3):
        open_case(str(9100 + n))
    Case.objects.update(tags=["t"], priority_reasons=["r"])
    _k, raw = make_key(created_by=supervisor)
    client = key_client(raw)
    client.get("/api/v1/me/")
    for ordering in ("-created", "due", "priority", "updated"):
        # page_size=1: the next link reads the sort keys of the last row too.
        queries = _queries(client, f"/api/v1/cases/?ordering={ordering}&page_size=1")
        assert len(queries) == 2, (ordering, queries)


def _has_queue(slug: str) -> bool:
    from cases.models import Queue

    return Queue.objects.filter(slug=slug).exists()
