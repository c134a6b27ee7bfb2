"""Benchmark of the SLA sweep over 1,000,000 open cases. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench.sla_sweep

Works in its own database, the DATABASE_URL's name + "_sla_bench" (sada_sla_bench),
created and migrated when missing; never the test database, never the app's data.
The cases are made once with INSERT ... SELECT generate_series and kept for the
next run. Prints one JSON object: the idle sweep (nothing due) and a sweep with
1,000 breaches, each beside the raw SQL time of its selecting query measured in
the same run, as median and p95 in milliseconds.

Options: --cases N (1000000), --breaches N (1000), --idle-runs N (200), --runs N (5).
`run()` is the entry of the shared runner (`python -m bench --scenario sla_sweep`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta

from bench.common import cases_insert_series, summary

EXPLAIN = False  # --explain: write the plans of its queries to bench/explain/


def _setup() -> None:
    # Its own database: other benchmarks fill theirs with cases whose clocks run.
    from bench.common import setup

    os.environ.setdefault("SADA_NOTIFY_EMAIL", "1")
    setup("_sla_bench")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _summary(samples: list[float]) -> dict:
    """Median and p95 of samples in seconds (bench.common.summary takes milliseconds)."""
    return {**summary([s * 1000 for s in samples]), "runs": len(samples)}


def build_cases(count: int) -> float:
    """Open cases with running clocks, nothing due for a day: one INSERT ... SELECT."""
    from django.utils import timezone

    from cases.models import Case, Queue, SlaPolicy

    have = Case.objects.filter(reference__startswith="B-").count()
    if have >= count:
        return 0.0
    started = time.perf_counter()
    queue = Queue.objects.get(slug="general")
    policy = SlaPolicy.objects.get(priority="P3", name="P3 normal")
    now = timezone.now()
    expressions = {
        "reference": "'B-' || lpad(g::text, 8, '0')",
        "status": "'open'",
        "priority": "'P3'",
        "queue_id": str(queue.pk),
        "conversation_id": "g::text",
        "created_at": "%(now)s - make_interval(secs => g %% 3600)",
        "opened_at": "%(now)s - make_interval(secs => g %% 3600)",
        "updated_at": "%(now)s",
        "last_customer_message_at": "%(now)s - make_interval(secs => g %% 3600)",
        "sla_policy_id": str(policy.pk),
        "resolution_running_since": "%(now)s - make_interval(secs => g %% 3600)",
        # Due far ahead; the sweep's next look spread over the next days.
        "first_response_warn_at": "%(now)s + interval '2 days'",
        "first_response_due": "%(now)s + interval '3 days'",
        "resolution_warn_at": "%(now)s + interval '5 days'",
        "resolution_due": "%(now)s + interval '6 days'",
        "sla_check_at": "%(now)s + interval '1 day' + make_interval(secs => g)",
    }
    cases_insert_series(expressions, {"now": now}, have + 1, count)
    return time.perf_counter() - started


def _raw(sql: str, *, lock: bool = False) -> float:
    """One execution of captured SQL on the bare psycopg connection."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchall()
    if lock:
        raw.rollback()
    else:
        raw.commit()
    return time.perf_counter() - started


def _captured(callable_) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        callable_()
    return [q["sql"] for q in captured.captured_queries]


def bench_idle(runs: int) -> dict:
    from django.utils import timezone

    from cases.sla_services import sla_sweep

    now = timezone.now()
    queries = _captured(lambda: sla_sweep(now=now))
    assert len(queries) == 1, queries
    if EXPLAIN:
        from bench.explain import explain, write

        title = "SLA sweep, nothing due: its one query; 1,000,000 open cases"
        write("sla_sweep_idle", title, queries[0], explain(queries[0]))
    sweep, raw = [], []
    for _ in range(runs):
        started = time.perf_counter()
        report = sla_sweep(now=now)
        sweep.append(time.perf_counter() - started)
        assert report.cases == 0
        raw.append(_raw(queries[0]))
    result = {"sweep": _summary(sweep), "raw_sql": _summary(raw), "queries": len(queries)}
    result["ratio_to_raw_sql"] = round(statistics.median(sweep) / statistics.median(raw), 2)
    return result


def _make_due(ids: list[int], now) -> None:
    from django.db import connection

    from cases.models import Case, CaseEvent, Escalation, Notification

    Notification.objects.filter(case_id__in=ids).delete()
    Escalation.objects.filter(case_id__in=ids).delete()
    with connection.cursor() as cursor:
        # CaseEvent is append-only (a trigger refuses DELETE); the bench resets its
        # own rows in its own database, with the guard lifted for this statement only.
        table = CaseEvent._meta.db_table
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER sada_caseevent_append_only")
        try:
            cursor.execute(f"DELETE FROM {table} WHERE case_id = ANY(%s)", [ids])
        finally:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER sada_caseevent_append_only")
    Case.objects.filter(pk__in=ids).update(
        first_response_warn_at=now - timedelta(minutes=20),
        first_response_due=now - timedelta(minutes=5),
        sla_check_at=now - timedelta(minutes=20),
        sla_marks=[],
        escalation_level=0,
    )


def bench_breaches(breaches: int, runs: int) -> dict:
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from django_q.models import OrmQ

    from cases.models import Case, User
    from cases.sla_services import sla_sweep

    supervisor, created = User.objects.get_or_create(username="bench_supervisor")
    if created:
        supervisor.groups.add(Group.objects.get(name="Supervisors"))
    ids = list(
        Case.objects.filter(reference__startswith="B-")
        .order_by("pk")
        .values_list("pk", flat=True)[:breaches]
    )
    sweep, raw, reports = [], [], []
    for run in range(runs + 1):  # the first run is a warm-up (holiday tables, caches)
        now = timezone.now()
        _make_due(ids, now)
        if run == 1:
            queries = _captured(lambda at=now: _select_batch(at))
            select_sql = next(q for q in queries if "FOR UPDATE" in q)
            if EXPLAIN:
                from bench.explain import explain, write

                title = f"SLA sweep batch (SELECT ... FOR UPDATE SKIP LOCKED), {breaches:,} due; rolled back"
                write("sla_sweep_batch", title, select_sql, explain(select_sql, rollback=True))
        started = time.perf_counter()
        report = sla_sweep(now=now)
        elapsed = time.perf_counter() - started
        assert report.cases == breaches and report.breaches == breaches, report
        if run:
            sweep.append(elapsed)
            reports.append(report.as_dict())
            _make_due(ids, now)
            raw.append(_raw(select_sql, lock=True))
    OrmQ.objects.all().delete()
    _make_due(ids, timezone.now())
    Case.objects.filter(pk__in=ids).update(
        sla_check_at=timezone.now() + timedelta(days=1),
        first_response_warn_at=timezone.now() + timedelta(days=2),
        first_response_due=timezone.now() + timedelta(days=3),
    )
    return {
        "breaches": breaches,
        "sweep": _summary(sweep),
        "raw_sql_select_batch": _summary(raw),
        "ratio_to_raw_sql": round(statistics.median(sweep) / statistics.median(raw), 2),
        "report": reports[-1],
    }


def _select_batch(now) -> None:
    """The sweep's locking batch query, as it runs (for its raw SQL twin)."""
    from django.conf import settings
    from django.db import transaction

    from cases.models import Case

    with transaction.atomic():
        list(
            Case.objects.filter(sla_check_at__lte=now)
            .order_by("sla_check_at", "id")
            .select_for_update(skip_locked=True)[: settings.SADA_SWEEP_BATCH]
        )
        transaction.set_rollback(True)


def run(quick: bool = False, n: int | None = None) -> None:
    """`python -m bench --scenario sla_sweep`: this benchmark in a process of its own
    (its own database), its figures added to the shared report."""
    import subprocess

    from bench.common import report

    cases = n or (50_000 if quick else 1_000_000)
    command = [sys.executable, "-m", "bench.sla_sweep", "--cases", str(cases)]
    if quick:
        command += ["--idle-runs", "50", "--runs", "2"]
    else:
        command.append("--explain")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise RuntimeError(f"{' '.join(command[1:])} failed (exit {done.returncode})")
    result = json.loads(done.stdout)
    idle, busy = result["idle_sweep"], result["breach_sweep"]
    report(
        {
            "scenario": "sla_sweep_idle",
            "n": result["open_cases"],
            **idle["sweep"],
            "baseline": "raw SQL of the same query",
            "baseline_median_ms": idle["raw_sql"]["median_ms"],
            "ratio": idle["ratio_to_raw_sql"],
            "queries": idle["queries"],
        }
    )
    report(
        {
            "scenario": f"sla_sweep_{busy['breaches']}_breaches",
            "n": result["open_cases"],
            **busy["sweep"],
            "baseline": "raw SQL of its batch SELECT ... FOR UPDATE SKIP LOCKED",
            "baseline_median_ms": busy["raw_sql_select_batch"]["median_ms"],
            "ratio": busy["ratio_to_raw_sql"],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--breaches", type=int, default=1_000)
    parser.add_argument("--idle-runs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="write bench/explain/sla_*.txt")
    args = parser.parse_args()
    global EXPLAIN
    EXPLAIN = args.explain
    _setup()
    from django.db import connection

    from cases.models import Case

    built = build_cases(args.cases)
    open_cases = Case.objects.filter(status__in=Case.OPEN_STATUSES).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('case_sla_check'))")
        index_size = cursor.fetchone()[0]
    result = {
        "database": connection.settings_dict["NAME"],
        "open_cases": open_cases,
        "build_seconds": round(built, 1),
        "sla_check_index": index_size,
        "cpus": os.cpu_count(),
        "idle_sweep": bench_idle(args.idle_runs),
        "breach_sweep": bench_breaches(args.breaches, args.runs),
        "targets": {"idle_sweep_ms": 10, "breach_sweep_ms": 2000},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
