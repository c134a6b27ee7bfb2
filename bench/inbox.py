"""The agent's inbox (HTML) and the API case list, first page and 20 pages deep, over
queues of 10,000 / 100,000 / 1,000,000 open cases, each beside the page's slowest
SELECT run bare on a raw cursor. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench --scenario inbox

The data is bench/data.py's: one queue per size, filled once by INSERT ... SELECT
generate_series and kept; the agent of each size is a member of that queue only, so
the same page is measured over 10k, 100k and 1M cases. One JSON object per page and
size, then a check of the targets (p95 <= 50 ms at 1M, p95 at 1M <= 1.5 x p95 at 10k,
the same number of queries at every size).
"""

from __future__ import annotations

import html
import os
import re

from bench.common import report, setup, summary, timed

MORE_LINK = re.compile(r'hx-get="([^"]*after=[^"]*)"')


def _supervisor():
    from django.contrib.auth.models import Group

    from cases.models import User

    user, _ = User.objects.get_or_create(username="bench_supervisor", defaults={"is_staff": False})
    group, _ = Group.objects.get_or_create(name="Supervisors")
    user.groups.add(group)
    return user


def _slowest_select(fn) -> tuple[str, int]:
    """The request's slowest SELECT (as sent) and its number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    selects = [
        q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    slowest = max(selects, key=lambda q: float(q["time"]))
    return slowest["sql"], len(captured.captured_queries)


def _raw_timer(sql: str):
    from django.db import connection

    def once():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()

    return once


def _measure(name: str, fn, runs: int, depth: int = 1) -> dict:
    fn()  # warm
    sql, queries = _slowest_select(fn)
    raw = _raw_timer(sql)
    raw()
    page, base = [], []
    for _ in range(runs):  # interleaved: both see the same machine state
        page += timed(fn, 1)
        base += timed(raw, 1)
    s, b = summary(page), summary(base)
    return {
        "page": name,
        "depth": depth,
        **s,
        "queries": queries,
        "baseline_median_ms": b["median_ms"],
        "baseline_p95_ms": b["p95_ms"],
        "ratio": round(s["p95_ms"] / b["p95_ms"], 1) if b["p95_ms"] else None,
        "baseline_sql": sql[:160],
    }


def _get(client, url: str, *, ok=200):
    response = client.get(url)
    assert response.status_code == ok, (url, response.status_code)
    return response


def _pages(client, runs: int) -> list[dict]:
    """Inbox first page, inbox 20 "Show more" deep, API page 1, API page 20."""
    pages = []
    first = _get(client, "/")
    pages.append(_measure("inbox_html_first", lambda: _get(client, "/"), runs))
    url, body, depth = None, first.content.decode(), 0
    for _ in range(20):
        found = MORE_LINK.search(body)
        if not found:
            break
        url = html.unescape(found.group(1))
        body = _get(client, url).content.decode()
        depth += 1
    if url:
        deep = url
        pages.append(_measure("inbox_html_deep", lambda: _get(client, deep), runs, depth=depth))
    api = "/api/v1/cases/"
    data = _get(client, api).json()
    pages.append(_measure("api_list_first", lambda: _get(client, api), runs))
    nxt, page_no = api, 1
    while page_no < 20 and data.get("next"):
        nxt = data["next"]
        data = _get(client, nxt).json()
        page_no += 1
    pages.append(_measure("api_list_deep", lambda: _get(client, nxt), runs, depth=page_no))
    return pages


def run(quick: bool = False, n: int | None = None) -> list[dict]:
    os.environ.setdefault("SADA_API_RATE_PER_USER", "1000000/min")
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from bench.data import bench_agent, build_queue
    from cases.api.throttling import ApiUserRateThrottle

    sizes = [n] if n else ([10_000, 100_000] if quick else [10_000, 100_000, 1_000_000])
    runs = 20 if quick else 50
    build_seconds = sum(build_queue(size) for size in sizes)
    # settings may have been read before the env above: lift the per-user rate in place
    ApiUserRateThrottle.THROTTLE_RATES["api_user"] = "1000000/min"
    storages = {
        **settings.STORAGES,
        # no collectstatic in the bench: plain static URLs, not the hashed manifest
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    results = []
    with override_settings(
        STORAGES=storages,
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        DEBUG=False,
    ):
        for size in sizes:
            client = Client()
            client.force_login(bench_agent(size))
            for page in _pages(client, runs):
                result = {
                    "scenario": page.pop("page"),
                    "n": size,
                    "runs": runs,
                    "build_seconds": round(build_seconds, 1),
                    **page,
                    "baseline": "the page's slowest SELECT alone on a raw cursor",
                }
                report(result)
                results.append(result)
    connection.close()
    report(_targets(results))
    return results


def _targets(results: list[dict]) -> dict:
    """Issue 9's inbox targets, checked on this run's figures."""
    by = {(r["scenario"], r["n"]): r for r in results}
    sizes = sorted({r["n"] for r in results})
    small, big = sizes[0], sizes[-1]
    checks = {}
    for name in sorted({r["scenario"] for r in results}):
        if (name, small) in by and (name, big) in by:
            p_small, p_big = by[(name, small)]["p95_ms"], by[(name, big)]["p95_ms"]
            queries = {by[(name, size)]["queries"] for size in sizes if (name, size) in by}
            checks[name] = {
                f"p95_ms_at_{big}": p_big,
                "p95_le_50ms": p_big <= 50,
                "p95_ratio_big_to_small": round(p_big / p_small, 2) if p_small else None,
                "ratio_le_1_5": bool(p_small) and p_big / p_small <= 1.5,
                "queries": sorted(queries),
                "fixed_query_count": len(queries) == 1,
            }
    return {
        "scenario": "inbox_targets",
        "n": big,
        "checks": checks,
        "met": all(
            c["p95_le_50ms"] and c["ratio_le_1_5"] and c["fixed_query_count"]
            for c in checks.values()
        ),
    }
