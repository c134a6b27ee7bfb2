"""Inbox and API case list over N cases, beside the page's slowest SELECT run bare. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench --scenario inbox

The cases are made with the SLA sweep's INSERT ... SELECT generate_series builder,
in the shared bench database, and only when fewer than N are there.
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


def _measure(name: str, fn, runs: int) -> dict:
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


def run(quick: bool = False, n: int | None = None) -> dict:
    os.environ.setdefault("SADA_API_RATE_PER_USER", "1000000/min")
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from bench.sla_sweep import build_cases
    from cases.api.throttling import ApiUserRateThrottle
    from cases.models import Case

    n = n or (10_000 if quick else 100_000)
    runs = 20 if quick else 50
    build_seconds = build_cases(n)
    # settings may have been read before the env above: lift the per-user rate in place
    ApiUserRateThrottle.THROTTLE_RATES["api_user"] = "1000000/min"
    total = Case.objects.count()
    user = _supervisor()
    pages = []
    storages = {
        **settings.STORAGES,
        # no collectstatic in the bench: plain static URLs, not the hashed manifest
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages,
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        DEBUG=False,
    ):
        client = Client()
        client.force_login(user)

        first = _get(client, "/")
        pages.append(_measure("inbox /", lambda: _get(client, "/"), runs))

        # deep page: follow the "Show more" cursor link 20 times
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
            pages.append(_measure(f"inbox more x{depth}", lambda: _get(client, deep), runs))

        api = "/api/v1/cases/?page_size=50"
        data = _get(client, api).json()
        pages.append(_measure("api page 1", lambda: _get(client, api), runs))
        nxt, page_no = api, 1
        while page_no < 20 and data.get("next"):
            nxt = data["next"]
            data = _get(client, nxt).json()
            page_no += 1
        pages.append(_measure(f"api page {page_no}", lambda: _get(client, nxt), runs))
    connection.close()
    worst = max(pages, key=lambda p: p["ratio"] or 0)
    result = {
        "scenario": "inbox",
        "n": total,
        "build_seconds": round(build_seconds, 1),
        "runs": runs,
        "median_ms": worst["median_ms"],
        "p95_ms": worst["p95_ms"],
        "queries": worst["queries"],
        "baseline": "the page's slowest SELECT alone on a raw cursor",
        "baseline_median_ms": worst["baseline_median_ms"],
        "ratio": worst["ratio"],
        "pages": pages,
    }
    report(result)
    return result
