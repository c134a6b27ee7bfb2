"""EXPLAIN (ANALYZE, BUFFERS) of the hot queries, written to bench/explain/*.txt. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench --scenario explain

The SQL is captured from the real code paths (the inbox page, the API list, the
take-next claim) at 10,000 and 1,000,000 cases, then explained on the same
connection; the claim's UPDATE runs inside a transaction that is rolled back. The SLA
sweep's plans are written by bench/sla_sweep.py in its own database. The full run
regenerates the files (they are checked in); --quick leaves them alone.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

from bench.common import report, setup

OUT = Path(__file__).resolve().parent / "explain"
MORE_LINK = re.compile(r'hx-get="([^"]*after=[^"]*)"')


def explain(sql: str, *, rollback: bool = False) -> str:
    """The plan as run; with rollback, whatever the statement wrote is undone."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        if rollback:
            transaction.set_rollback(True)
    return plan


def write(name: str, title: str, sql: str, plan: str) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.txt"
    path.write_text(
        f"-- {title}\n-- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, python -m bench (full run)\n\n"
        f"{sql.strip()}\n\n{plan}\n",
        encoding="utf-8",
    )
    return path


def _case_select(captured) -> str:
    """The page's own query: the LIMITed SELECT of case rows (not a tab's capped count);
    the API reads its rows as values, each column with an alias."""
    starts = (
        'SELECT "cases_case"."id", "cases_case"."reference"',
        'SELECT "cases_case"."id" AS "id", "cases_case"."reference"',
    )
    rows = [q["sql"] for q in captured if q["sql"].startswith(starts) and "LIMIT" in q["sql"]]
    return rows[-1]


def _capture(fn) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return captured.captured_queries


def run(quick: bool = False, n: int | None = None) -> dict | None:
    if quick:
        return None  # the checked-in plans are the full run's, at full size
    setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client, override_settings

    from bench.data import bench_agent, build_queue
    from cases.api.throttling import ApiUserRateThrottle
    from cases.services import case_take_next

    ApiUserRateThrottle.THROTTLE_RATES["api_user"] = "1000000/min"
    written = []
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, DEBUG=False
    ):
        for size in (10_000, 1_000_000):
            build_queue(size)
            label = "10k" if size == 10_000 else "1m"
            client = Client()
            client.force_login(bench_agent(size))
            sql = _case_select(_capture(lambda c=client: c.get("/")))
            title = f"Agent inbox, first page; the agent's queue holds {size:,} open cases"
            written.append(write(f"inbox_first_{label}", title, sql, explain(sql)))
            body, url = client.get("/").content.decode(), None
            for _ in range(20):
                found = MORE_LINK.search(body)
                if not found:
                    break
                url = html.unescape(found.group(1))
                body = client.get(url).content.decode()
            if url:
                sql = _case_select(_capture(lambda c=client, u=url: c.get(u)))
                title = f"Agent inbox, 20 'Show more' deep; queue of {size:,} cases"
                written.append(write(f"inbox_deep_{label}", title, sql, explain(sql)))
            sql = _case_select(_capture(lambda c=client: c.get("/api/v1/cases/")))
            title = f"API case list, first page; queue of {size:,} cases"
            written.append(write(f"api_list_{label}", title, sql, explain(sql)))

        agent = bench_agent(100_000, 0)
        build_queue(100_000)
        with transaction.atomic():
            captured = _capture(lambda: case_take_next(agent=agent))
            transaction.set_rollback(True)
        claim = next(q["sql"] for q in captured if "SKIP LOCKED" in q["sql"])
        title = "take-next: claim + event in one statement; queue of 100,000; rolled back"
        written.append(write("take_next_claim", title, claim, explain(claim, rollback=True)))
    connection.close()
    result = {
        "scenario": "explain",
        "files": [str(p.relative_to(OUT.parent.parent)) for p in written],
    }
    report(result)
    return result
