"""Eight agents taking cases from one queue at once, beside the bare
SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1 + UPDATE loop on one connection. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench --scenario take_next

The queue is filled with the SLA sweep's generate_series builder (unassigned open
cases) in the shared bench database; every case taken is handed back afterwards
(assignee cleared, its 'assigned' events deleted) so the next run finds the queue full.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from bench.common import report, setup

AGENTS = 8


def _agents(queue):
    from cases.models import User

    agents = []
    for i in range(AGENTS):
        user, _ = User.objects.get_or_create(username=f"bench_agent_{i}")
        user.queues.add(queue)
        agents.append(user)
    return agents


def _reset(ids: list[int]) -> None:
    """Hand the taken cases back. Their 'assigned' events stay: cases_caseevent is
    append-only (a trigger refuses DELETE), so each run checks only the events
    written after it started."""
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


def _threaded(agents, per_agent: int) -> tuple[float, list[int], list[str]]:
    from django.db import connection

    from cases.services import case_take_next

    taken: list[list[int]] = [[] for _ in agents]
    errors: list[str] = []
    barrier = threading.Barrier(len(agents) + 1)

    def work(i, agent):
        try:
            connection.ensure_connection()
            barrier.wait()
            for _ in range(per_agent):
                taken[i].append(case_take_next(agent=agent).pk)
        except Exception as exc:  # reported, not hidden
            errors.append(f"{agent.username}: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(agents)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return elapsed, [pk for ids in taken for pk in ids], errors


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

    from bench.sla_sweep import build_cases
    from cases.models import Case, CaseEvent, Queue

    n = n or (5_000 if quick else 100_000)
    build_seconds = build_cases(n)
    queue = Queue.objects.get(slug="general")
    agents = _agents(queue)
    _release_all(agents)
    waiting = Case.objects.filter(
        queue=queue, assignee__isnull=True, status__in=Case.OPEN_STATUSES
    ).count()
    total = min(2_000, waiting // 2)
    per_agent = total // AGENTS

    last_event = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    elapsed, ids, errors = _threaded(agents, per_agent)
    counts = Counter(ids)
    twice_in_threads = sum(1 for c in counts.values() if c > 1)
    events = Counter(
        CaseEvent.objects.filter(
            pk__gt=last_event, case_id__in=list(counts), kind="assigned"
        ).values_list("case_id", flat=True)
    )
    not_one_event = sum(1 for pk in counts if events.get(pk, 0) != 1)
    assignees = dict(Case.objects.filter(pk__in=list(counts)).values_list("pk", "assignee_id"))
    unassigned = sum(1 for pk in counts if assignees.get(pk) is None)
    _reset(list(counts))

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
        "double_assignments": twice_in_threads + not_one_event,
        "taken_twice": twice_in_threads,
        "cases_without_exactly_one_assigned_event": not_one_event,
        "taken_but_unassigned_in_db": unassigned,
        "errors": errors[:5],
        "baseline": "raw SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1 + UPDATE, one connection",
        "baseline_rows_per_s": round(base_rate, 1),
        "ratio": round(base_rate / rate, 2) if rate else None,
    }
    report(result)
    return result
