"""Benchmark of the supervisor reports (cases/reports.py) over 1,000,000 cases. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench.reports

Works in its own database, the DATABASE_URL's name + "_reports_bench", created and
migrated when missing; never the test database. A year of cases (about 2,700 a
day, three queues, every status, replies and escalations) is made once with
INSERT ... SELECT generate_series and kept for the next run. Prints one JSON
object: every report section over the last 30 days and over the whole year, as
median and p95 milliseconds with its query count, beside the bare SQL of the
heaviest query (the response-time percentiles) run on the raw connection.
"full_report" is what the reports page runs: case_overview (the period's counts in
two scans) instead of the seven count sections, then the sections of their own.

Options: --cases N (1000000), --runs N (7).
`run()` is the entry of the shared runner (`python -m bench --scenario reports`).
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

YEAR_SECONDS = 365 * 86400


def _setup() -> None:
    from bench.common import setup

    setup("_reports_bench")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _summary(samples: list[float]) -> dict:
    """Median and p95 of samples in seconds (bench.common.summary takes milliseconds)."""
    return {**summary([s * 1000 for s in samples]), "runs": len(samples)}


def build(count: int, now) -> float:
    """A year of cases up to `now`, with replies and escalations: INSERT ... SELECT."""
    from django.db import connection

    from cases.models import Case, Escalation, Message, Queue
    from social_ingest.models import SocialAccount

    have = Case.objects.filter(reference__startswith="R-").count()
    if have >= count:
        return 0.0
    if have:  # a smaller earlier build: its cases sit elsewhere in time; start again
        sys.exit(f"{have} bench cases exist; drop the database {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    queues = list(Queue.objects.order_by("pk").values_list("pk", flat=True)[:3])
    account, _ = SocialAccount.objects.get_or_create(handle="BenchMinistry")
    agents = []
    from cases.models import User

    for i in range(20):
        user, _ = User.objects.get_or_create(username=f"bench_agent_{i}")
        agents.append(user.pk)
    step = YEAR_SECONDS / count
    # g is the case number; "age" its distance in seconds from now, spread over a year.
    age = f"make_interval(secs => (%(count)s - g) * {step})"
    created = f"(%(now)s - {age})"
    answered = "(g %% 20 <> 0)"  # 5 % never answered
    first = "((g * 7919) %% 86400)"
    resolved = f"(g %% 10 <> 0 AND {created} < %(now)s - interval '2 days')"
    resolve_after = "((g * 104729) %% 604800 + 3600)"
    expressions = {
        "reference": "'R-' || lpad(g::text, 8, '0')",
        "status": f"CASE WHEN {resolved} THEN (CASE WHEN g %% 3 = 0 THEN 'closed' ELSE 'resolved' END)"
        " ELSE (CASE WHEN g %% 4 = 0 THEN 'pending' ELSE 'open' END) END",
        "priority": "(ARRAY['P1','P2','P3','P3','P4'])[1 + g %% 5]",
        "queue_id": f"(ARRAY{queues})[1 + g %% {len(queues)}]",
        "account_id": str(account.pk),
        "category": "(ARRAY['complaint','inquiry','praise','emergency','other'])[1 + (g / 7) %% 5]",
        "language": "(ARRAY['ar','ar','en','mixed',''])[1 + (g / 3) %% 5]",
        "resolution": f"CASE WHEN {resolved} THEN (CASE WHEN g %% 50 = 0 THEN 'not_a_case'"
        " ELSE 'answered' END) ELSE '' END",
        "conversation_id": "g::text",
        "created_at": created,
        "opened_at": created,
        "updated_at": "%(now)s",
        "last_customer_message_at": created,
        "first_responded_at": f"CASE WHEN {answered} THEN {created} + make_interval(secs => {first}) END",
        "first_response_seconds": f"CASE WHEN {answered} THEN {first} / 4 END",
        "first_response_met": f"CASE WHEN {answered} THEN g %% 7 <> 0 END",
        "first_response_due": f"{created} + interval '4 hours'",
        "resolved_at": f"CASE WHEN {resolved} THEN {created} + make_interval(secs => {resolve_after}) END",
        "closed_at": f"CASE WHEN {resolved} AND g %% 3 = 0 THEN {created} + make_interval(secs => {resolve_after}) END",
        "resolution_seconds": f"CASE WHEN {resolved} THEN {resolve_after} / 5 END",
        "resolution_met": f"CASE WHEN {resolved} THEN g %% 9 <> 0 END",
        "resolution_due": f"{created} + interval '3 days'",
    }
    cases_insert_series(expressions, {"now": now, "count": count}, have + 1, count)
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        # One reply per answered case, by one of 20 agents, delivered at the first response.
        cursor.execute(
            f"""INSERT INTO {Message._meta.db_table}
                (case_id, direction, channel, author_id, text, platform_id, edit_root_id,
                 conversation_id, in_reply_to_id, withheld, created_at, received_at, delivery,
                 delivery_error, delivery_attempts, delivered_at)
                SELECT c.id, 'out', 'x', (%(agents)s::bigint[])[1 + c.id %% 20], 'reply', '', '',
                       '', '', false, c.first_responded_at, c.first_responded_at, 'sent', '', 1,
                       c.first_responded_at
                FROM {table} c WHERE c.reference LIKE 'R-%%' AND c.first_responded_at IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM {Message._meta.db_table} m WHERE m.case_id = c.id)""",
            {"agents": agents},
        )
        # An escalation on one case in 40, acknowledged for most.
        cursor.execute(
            f"""INSERT INTO {Escalation._meta.db_table}
                (case_id, target, round, level, trigger, reason, triggered_at, created_at, actions,
                 acknowledged_at)
                SELECT c.id, 'first_response', 0, 1 + c.id %% 3, 'breach', '', c.first_response_due,
                       c.first_response_due, '[]'::jsonb,
                       CASE WHEN c.id %% 5 <> 0 THEN c.first_response_due
                            + make_interval(secs => (c.id * 31) %% 7200) END
                FROM {table} c WHERE c.reference LIKE 'R-%%' AND c.id %% 40 = 0
                  AND NOT EXISTS (SELECT 1 FROM {Escalation._meta.db_table} e WHERE e.case_id = c.id)""",
            {},
        )
        for model in (Case, Message, Escalation):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return time.perf_counter() - started


SECTIONS = [
    "case_overview",
    "volume_by_day",
    "volume_by_hour",
    "volume_by_category",
    "volume_by_language",
    "answered_share",
    "response_times",
    "sla_compliance",
    "escalations_by_level",
    "backlog_by_day",
    "agents",
    "not_a_case_reasons",
    "satisfaction",
]


def full_report(scope) -> None:
    """What the reports page runs (cases/views_reports.py reports_page): the period's
    counts from case_overview, then the sections that need their own queries."""
    from cases import reports

    overview = reports.case_overview(scope)
    reports.response_times(scope)
    reports.backlog_by_day(scope, created=overview["created"])
    for name in ("escalations_by_level", "agents", "not_a_case_reasons", "satisfaction"):
        getattr(reports, name)(scope)


def _captured(callable_) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        callable_()
    return [q["sql"] for q in captured.captured_queries]


def _raw(sql: str) -> float:
    """The bare SQL on the driver's connection, with the work_mem response_times sets."""
    from django.db import connection

    from cases.reports import REPORT_WORK_MEM

    connection.ensure_connection()
    started = time.perf_counter()
    with connection.connection.transaction(), connection.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [REPORT_WORK_MEM])
        cursor.execute(sql)
        cursor.fetchall()
    return time.perf_counter() - started


def measure(scope, runs: int) -> dict:
    from cases import reports

    sections = {}
    for name in SECTIONS:
        fn = getattr(reports, name)
        queries = _captured(lambda fn=fn: fn(scope))
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            fn(scope)
            samples.append(time.perf_counter() - started)
        sections[name] = {**_summary(samples), "queries": len(queries)}
    queries = _captured(lambda: full_report(scope))
    whole = []
    for _ in range(runs):
        started = time.perf_counter()
        full_report(scope)
        whole.append(time.perf_counter() - started)
    # The baseline: the heaviest single query (response-time percentiles), bare SQL.
    heaviest = next(
        sql for sql in _captured(lambda: reports.response_times(scope)) if "percentile_disc" in sql
    )
    raw = [_raw(heaviest) for _ in range(runs)]
    ours = []
    for _ in range(runs):
        started = time.perf_counter()
        reports.response_times(scope)
        ours.append(time.perf_counter() - started)
    return {
        "cases_in_period": reports.volume_total(scope),
        "full_report": {**_summary(whole), "queries": len(queries)},
        "sections": sections,
        "heaviest": {
            "name": "response_times",
            "ours": _summary(ours),
            "raw_sql": _summary(raw),
            "ratio_to_raw_sql": round(statistics.median(ours) / statistics.median(raw), 2),
            "sql": heaviest,
        },
    }


def run(quick: bool = False, n: int | None = None) -> None:
    """`python -m bench --scenario reports`: this benchmark in a process of its own
    (its own database), its figures added to the shared report."""
    import subprocess

    from bench.common import report

    cases = n or (50_000 if quick else 1_000_000)
    command = [sys.executable, "-m", "bench.reports", "--cases", str(cases)]
    if quick:
        command += ["--runs", "3"]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    for label in ("last_30_days", "whole_year"):
        part = result[label]
        report(
            {
                "scenario": f"reports_{label}",
                "n": result["cases"],
                **{k: part["full_report"][k] for k in ("median_ms", "p95_ms")},
                "queries": part["full_report"]["queries"],
                "baseline": "bare SQL of its heaviest query (response-time percentiles)",
                "baseline_median_ms": part["heaviest"]["raw_sql"]["median_ms"],
                "ratio": round(
                    part["full_report"]["median_ms"] / part["heaviest"]["raw_sql"]["median_ms"], 2
                ),
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    _setup()
    from datetime import datetime

    from django.db import connection
    from django.utils import timezone

    from cases.models import Case
    from cases.reports import ReportScope, display_zone

    # Cases are laid out over the year before the build; the periods end at the newest.
    built = build(args.cases, timezone.now())
    newest = Case.objects.filter(reference__startswith="R-").order_by("-created_at").first()
    zone = display_zone()
    end_day = timezone.localtime(newest.created_at, zone).date() + timedelta(days=1)
    end = datetime.combine(end_day, datetime.min.time(), zone)
    month = ReportScope(start=end - timedelta(days=30), end=end)
    year = ReportScope(start=end - timedelta(days=366), end=end)
    for _ in range(2):  # warm the caches once
        full_report(month)
    full_report(year)
    result = {
        "scenario": "reports",
        "database": connection.settings_dict["NAME"],
        "cases": Case.objects.count(),
        "build_seconds": round(built, 1),
        "cpus": os.cpu_count(),
        "last_30_days": measure(month, args.runs),
        "whole_year": measure(year, max(3, args.runs // 2)),
    }
    for label in ("last_30_days", "whole_year"):
        part = result[label]
        part["ratio_full_report_to_heaviest_raw_sql"] = round(
            part["full_report"]["median_ms"] / part["heaviest"]["raw_sql"]["median_ms"], 2
        )
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
