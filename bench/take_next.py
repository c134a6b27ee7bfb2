"""Eight agents taking cases at once from one queue of 100,000, beside the bare
SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1 + UPDATE loop on one connection. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench --scenario take_next

The queue is the bench queue of 100,000 open unassigned cases (bench/data.py). Each
agent is a process of its own with its own connection (on 2 cores, threads of one
process would mostly wait for the GIL, not for PostgreSQL). Every case taken is handed
back afterwards (assignee cleared) so the next run finds the queue full; the
'assigned' events stay (append-only), so each run checks only the events it wrote.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter

from bench.common import QueryCounter, report, setup

AGENTS = 8


def _agents(size: int):
    from bench.data import bench_agent

    return [bench_agent(size, i) for i in range(AGENTS)]


def _reset(ids: list[int]) -> None:
    """Hand the taken cases back (a plain UPDATE: the bench's own data)."""
    from django.db import connection

    from cases.models import Case

    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Case._meta.db_table} SET assignee_id = NULL, status = 'open' WHERE id = ANY(%s)",
            [ids],
        )


def _release_all(agents) -> None:
    """Cases left with the bench agents by an interrupted earlier run."""
    from cases.models import Case

    _reset(list(Case.objects.filter(assignee__in=agents).values_list("pk", flat=True)))


def _agent_process(agent_id: int, takes: int, barrier, results) -> None:
    from django.db import connection

    from cases.models import User
    from cases.services import case_take_next

    connection.close()  # never share the parent's socket
    agent = User.objects.get(pk=agent_id)
    taken, errors = [], []
    barrier.wait()
    for _ in range(takes):
        try:
            taken.append(case_take_next(agent=agent).pk)
        except Exception as exc:  # reported, not hidden
            errors.append(repr(exc))
            break
    connection.close()
    results.put((taken, errors))


def _processes(agents, per_agent: int) -> tuple[float, list[int], list[str]]:
    from django.db import connection

    connection.close()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(agents) + 1)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_agent_process, args=(a.pk, per_agent, barrier, results)) for a in agents
    ]
    for w in workers:
        w.start()
    barrier.wait()
    started = time.perf_counter()
    collected = [results.get(timeout=600) for _ in workers]
    elapsed = time.perf_counter() - started
    for w in workers:
        w.join()
    ids = [pk for taken, _ in collected for pk in taken]
    errors = [e for _, errs in collected for e in errs]
    return elapsed, ids, errors


def _baseline(queue, agent, takes: int) -> tuple[float, list[int]]:
    from django.db import connection

    from cases.models import Case

    table = Case._meta.db_table
    select = (
        f"SELECT id FROM {table} WHERE status IN ('new', 'open', 'pending') AND assignee_id IS NULL "
        "AND queue_id = %s AND merged_into_id IS NULL "
        "ORDER BY priority, first_response_due ASC NULLS LAST, created_at, id "
        "LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    update = f"UPDATE {table} SET assignee_id = %s, updated_at = now() WHERE id = %s"
    connection.ensure_connection()
    raw = connection.connection
    ids = []
    started = time.perf_counter()
    for _ in range(takes):
        with raw.cursor() as cursor:
            cursor.execute(select, [queue.pk])
            (pk,) = cursor.fetchone()
            cursor.execute(update, [agent.pk, pk])
        raw.commit()
        ids.append(pk)
    return time.perf_counter() - started, ids


def run(quick: bool = False, n: int | None = None) -> dict:
    setup()
    from django.db import connection

    from bench.data import bench_queue, build_queue
    from cases.models import Case, CaseEvent

    size = 100_000
    build_seconds = build_queue(size)
    queue = bench_queue(size)
    agents = _agents(size)
    _release_all(agents)
    waiting = Case.objects.filter(
        queue=queue, assignee__isnull=True, status__in=Case.OPEN_STATUSES
    ).count()
    total = min(n or (800 if quick else 4_000), waiting // 2)
    per_agent = total // AGENTS

    last_event = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    elapsed, ids, errors = _processes(agents, per_agent)
    counts = Counter(ids)
    taken_twice = sum(1 for c in counts.values() if c > 1)
    events = Counter(
        CaseEvent.objects.filter(
            pk__gt=last_event, case_id__in=list(counts), kind="assigned"
        ).values_list("case_id", flat=True)
    )
    not_one_event = sum(1 for pk in counts if events.get(pk, 0) != 1)
    assignees = dict(Case.objects.filter(pk__in=list(counts)).values_list("pk", "assignee_id"))
    unassigned = sum(1 for pk in counts if assignees.get(pk) is None)
    _reset(list(counts))

    # Statements per take, as a warm server process runs it (BEGIN and COMMIT included).
    from cases.services import case_take_next

    probe = [case_take_next(agent=agents[0]).pk]
    with QueryCounter() as counted:
        probe.append(case_take_next(agent=agents[0]).pk)
    _reset(probe)

    base_elapsed, base_ids = _baseline(queue, agents[0], len(ids) or total)
    _reset(base_ids)
    connection.close()

    rate = len(ids) / elapsed if elapsed else 0
    base_rate = len(base_ids) / base_elapsed
    result = {
        "scenario": "take_next",
        "n": waiting,
        "build_seconds": round(build_seconds, 1),
        "agents": AGENTS,
        "takes": len(ids),
        "seconds": round(elapsed, 3),
        "rows_per_s": round(rate, 1),
        "queries": counted.count,
        "double_assignments": taken_twice + not_one_event,
        "taken_twice": taken_twice,
        "cases_without_exactly_one_assigned_event": not_one_event,
        "taken_but_unassigned_in_db": unassigned,
        "errors": errors[:5],
        "baseline": "raw SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1 + UPDATE, one connection",
        "baseline_rows_per_s": round(base_rate, 1),
        "ratio": round(base_rate / rate, 2) if rate else None,
    }
    report(result)
    return result
