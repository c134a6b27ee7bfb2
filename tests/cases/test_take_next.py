"""case_take_next: what it takes, and what it costs per take (issue 9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.cache import config_cache
from cases.exceptions import NothingToTake
from cases.models import Case, CaseEvent, Queue
from tests.cases.test_services import open_case


def _statements(captured) -> list[str]:
    """The SQL that does work: not the BEGIN/SAVEPOINT bookkeeping of atomic()."""
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(skip)]


def test_take_next_is_one_statement_claiming_and_writing_the_event(agent, postgres_only, settings):
    settings.SADA_RULES_TTL_SECONDS = 60  # as in a server: config is re-checked now and then
    # ... so no entry cached by an earlier test (its rows rolled back) may be trusted.
    config_cache.clear()
    open_case("9701")
    open_case("9702", author_id="702")
    services.case_take_next(agent=agent)  # warms the per-process webhook config cache
    with CaptureQueriesContext(connection) as captured:
        case = services.case_take_next(agent=agent)
    statements = _statements(captured)
    assert len(statements) == 1, statements
    sql = statements[0].lstrip()
    assert sql.startswith("WITH taken AS (UPDATE") and "SKIP LOCKED" in sql
    assert "INSERT INTO cases_caseevent" in sql
    assert case.assignee_id == agent.pk
    event = CaseEvent.objects.get(case=case, kind="assigned")
    assert (event.actor_id, event.actor_kind) == (agent.pk, "user")
    assert event.data == {"old": None, "new": agent.pk, "how": "take_next"}
    assert event.created_at >= case.updated_at


def test_take_next_returns_the_case_as_stored(agent):
    case = open_case("9711")
    before = Case.objects.get(pk=case.pk)
    taken = services.case_take_next(agent=agent)
    stored = Case.objects.get(pk=case.pk)
    assert taken.pk == case.pk
    assert (taken.assignee_id, taken.status, taken.version, taken.updated_at) == (
        stored.assignee_id,
        stored.status,
        stored.version,
        stored.updated_at,
    )
    assert stored.version == before.version + 1 and stored.assignee_id == agent.pk
    event = CaseEvent.objects.get(case=case, kind="assigned")
    assert event.actor == agent
    assert event.data == {"old": None, "new": agent.pk, "how": "take_next"}


def test_take_next_opens_a_new_case_and_keeps_a_pending_one_pending(agent):
    first = open_case("9721")
    second = open_case("9722", author_id="722")
    Case.objects.filter(pk=first.pk).update(status="new", priority="P1")
    Case.objects.filter(pk=second.pk).update(status="pending", priority="P2")
    assert services.case_take_next(agent=agent).status == "open"
    assert services.case_take_next(agent=agent).status == "pending"


def test_take_next_skips_assigned_merged_and_closed_cases(agent, agent2):
    assigned = open_case("9731")
    merged = open_case("9732", author_id="732")
    closed = open_case("9733", author_id="733")
    waiting = open_case("9734", author_id="734")
    Case.objects.filter(pk__in=[assigned.pk, merged.pk, closed.pk]).update(priority="P1")
    Case.objects.filter(pk=assigned.pk).update(assignee=agent2)
    Case.objects.filter(pk=merged.pk).update(merged_into=waiting)
    Case.objects.filter(pk=closed.pk).update(status="closed")
    assert services.case_take_next(agent=agent) == waiting
    with pytest.raises(NothingToTake):
        services.case_take_next(agent=agent)


def test_agent_of_two_queues_takes_the_most_urgent_of_both(agent):
    in_general = open_case("9741")
    in_other = open_case("9742", author_id="742")
    other = Queue.objects.exclude(pk=in_general.queue_id).order_by("pk").first()
    agent.queues.add(other)
    Case.objects.filter(pk=in_other.pk).update(queue=other, priority="P1")
    Case.objects.filter(pk=in_general.pk).update(priority="P2")
    assert services.case_take_next(agent=agent) == in_other
    # The general queue's candidate was looked at, not kept: it is still there to take.
    assert Case.objects.get(pk=in_general.pk).assignee_id is None
    assert services.case_take_next(agent=agent) == in_general


def test_take_next_pick_is_served_by_its_partial_index(agent, postgres_only):
    open_case("9751")
    with CaptureQueriesContext(connection) as captured:
        services.case_take_next(agent=agent)
    claim = _statements(captured)[0]
    with connection.cursor() as cursor:
        # A test table is tiny: forbid the sequential scan a real table would never get.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + claim)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_take_next" in plan, plan
    assert "Sort Key: cases_case" not in plan  # the inner pick reads in index order
