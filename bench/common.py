"""Shared set-up for the benchmarks: a database of their own, timing helpers, output."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

RESULTS: list[dict] = []


def bench_database_url(suffix: str = "_bench") -> str:
    """DATABASE_URL's database + `suffix`, created when missing; never the test database.

    The first call remembers the DATABASE_URL it started from, so scenarios run one
    after another in one process each get their own database (sada_bench,
    sada_ingest_bench, ...), whatever the previous one set."""
    url = os.environ.setdefault("SADA_BENCH_BASE_URL", os.environ.get("DATABASE_URL", ""))
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/sada"
        )
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "sada"
    bench = name if name.endswith(suffix) else name.removesuffix("_bench") + suffix
    if bench.startswith("test_"):
        sys.exit("refusing to benchmark in a test database")
    import psycopg

    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench]).fetchone():
            conn.execute(f'CREATE DATABASE "{bench}"')
    return urlunsplit(parts._replace(path=f"/{bench}"))


_current_suffix: str | None = None


def setup(suffix: str = "_bench") -> None:
    """Point Django at the bench database of `suffix` and migrate it. Idempotent; a
    later scenario in the same process with another suffix is switched over."""
    global _current_suffix
    if _current_suffix == suffix:
        return
    url = bench_database_url(suffix)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    else:
        from django.db import connections

        connection = connections["default"]
        connection.close()
        connection.settings_dict["NAME"] = urlsplit(url).path.lstrip("/")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _current_suffix = suffix


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock milliseconds of each run."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"median_ms": round(statistics.median(ordered), 3), "p95_ms": round(p95, 3)}


def report(result: dict) -> None:
    """One JSON object per scenario on stdout, kept for the Markdown table."""
    RESULTS.append(result)
    print(json.dumps(result, ensure_ascii=False), flush=True)


class QueryCounter:
    """Counts SQL statements run on the default connection inside the block."""

    def __enter__(self):
        from django.db import connection

        self.count = 0
        self._ctx = connection.execute_wrapper(self._wrap)
        self._ctx.__enter__()
        return self

    def _wrap(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


def cases_insert_series(expressions: dict[str, str], params: dict, first: int, last: int) -> None:
    """Insert the cases g = first..last with one INSERT … SELECT … generate_series per
    250,000 rows: `expressions` gives SQL (in terms of g and %(name)s params) per
    column, every other column takes its model default. Then VACUUM ANALYZE."""
    from django.db import connection

    from cases.models import Case

    columns, values, params = [], [], dict(params)
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in expressions:
            values.append(expressions[field.column])
        else:
            key = f"f_{field.column}"
            params[key] = field.get_db_prep_save(field.get_default(), connection)
            values.append(f"%({key})s")
    table = Case._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
        "FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g"
    )
    with connection.cursor() as cursor:
        for start in range(first, last + 1, 250_000):
            cursor.execute(sql, {**params, "first": start, "last": min(start + 249_999, last)})
        cursor.execute(f"VACUUM ANALYZE {table}")
