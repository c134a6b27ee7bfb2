"""Ingest throughput: mentions through the whole pipeline, beside a COPY of the
same number of raw rows into a plain table in the same run. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench --scenario ingest

Runs in its own database (DATABASE_URL's name + "_ingest_bench").
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import QueryCounter, report, setup

TEXTS = (
    Path(__file__).resolve().parent.parent / "tests" / "cases" / "data" / "triage_labelled.jsonl"
)


# What the intake writes (TRUNCATE ... CASCADE takes the rows that refer to them).
INTAKE_TABLES = (
    "social_ingest_inboundevent",
    "cases_caseevent",
    "cases_message",
    "cases_case",
    "cases_incident",
    "cases_customer",
)


def _mentions(n: int, seed: int = 7) -> list[dict]:
    """A realistic mix: Arabic and English texts, threads (a third are replies
    to the same author's earlier post), and X re-serving 5% as repeats."""
    rng = random.Random(seed)
    texts = [
        json.loads(line) for line in TEXTS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    base_id = 3_000_000_000_000_000_000 + rng.randrange(10**12) * 10**6
    start = datetime.now(UTC) - timedelta(hours=6)
    pages, last_by_author, tweets = [], {}, []
    for i in range(n):
        if tweets and rng.random() < 0.05:
            tweets.append(rng.choice(tweets))  # a repeat
            continue
        author = str(10_000 + rng.randrange(n // 3 + 1))
        item = rng.choice(texts)
        tid = str(base_id + i)
        tweet = {
            "id": tid,
            "text": item["text"],
            "author_id": author,
            "created_at": (start + timedelta(seconds=i)).isoformat().replace("+00:00", "Z"),
            "conversation_id": tid,
            "edit_history_tweet_ids": [tid],
            "lang": item["lang"],
        }
        previous = last_by_author.get(author)
        if previous and rng.random() < 0.33:
            tweet["conversation_id"] = previous["conversation_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": previous["id"]}]
        last_by_author[author] = tweet
        tweets.append(tweet)
    for chunk in range(0, len(tweets), 100):
        data = tweets[chunk : chunk + 100]
        users = [
            {
                "id": a,
                "username": f"user{a}",
                "name": f"User {a}",
                "public_metrics": {"followers_count": int(a) % 5000},
            }
            for a in {t["author_id"] for t in data}
        ]
        pages.append(
            {"data": data, "includes": {"users": users}, "meta": {"result_count": len(data)}}
        )
    return pages


def _copy_baseline(pages: list[dict]) -> float:
    """COPY the same raw tweets into a plain table: the physical floor of storing them."""
    from django.db import connection

    rows = [(t["id"], json.dumps(t)) for page in pages for t in page["data"]]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute("CREATE UNLOGGED TABLE bench_raw_copy (id text, payload jsonb)")
        start = time.perf_counter()
        with cursor.copy("COPY bench_raw_copy (id, payload) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_raw_copy")
    return elapsed


RUNS = 3  # each from empty intake tables; the median is reported (--quick: 1)
WORKERS = 2


def _fresh(account, seed: int) -> None:
    """Empty intake tables, then one page of other mentions: a running worker has its
    rules compiled and its calendars built."""
    from django.db import connection

    from social_ingest.parsers import parse_document
    from social_ingest.services import pages_ingest

    # The mix reuses its author ids: customers piling up cases run after run would
    # measure the pile.
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(INTAKE_TABLES)} CASCADE")
    warm = [p for page in _mentions(50, seed=seed + 1) for p in parse_document(page)]
    pages_ingest(warm, account=account, source="replay")


def _workers(parsed: list, account, workers: int) -> tuple[float, list]:
    """The parsed pages split by author among `workers` processes (forked), each
    ingesting its share as one more worker would — X webhook deliveries served by
    several gunicorn workers, or several accounts polled at once. An author's
    mentions stay in one process, so threads come out as in one stream. Returns the
    wall-clock seconds until the last one finished, and each one's summary."""
    import multiprocessing

    from django.db import connections

    from social_ingest.parsers import ParsedPage
    from social_ingest.services import pages_ingest

    shares = [[] for _ in range(workers)]
    for page in parsed:
        for item in page.items:
            author = item.mention.author.external_id if item.mention and item.mention.author else ""
            shares[int(author or 0) % workers].append(item)
    connections.close_all()  # each child opens its own connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def work(items):
        summary = pages_ingest([ParsedPage(items=items)], account=account, source="replay")
        results.put(dict(summary))
        connections.close_all()

    processes = [context.Process(target=work, args=(share,)) for share in shares]
    start = time.perf_counter()
    for process in processes:
        process.start()
    summaries = [results.get(timeout=600) for _ in processes]
    elapsed = time.perf_counter() - start
    for process in processes:
        process.join()
    return elapsed, summaries


def run(n: int = 10_000, quick: bool = False) -> dict:
    # A database of its own: the other scenarios' cases would change what the
    # threading, repeat-contact and incident reads find.
    setup("_ingest_bench")
    from cases.models import Message
    from social_ingest.models import SocialAccount
    from social_ingest.parsers import parse_document
    from social_ingest.services import INGEST_BATCH, pages_ingest

    n = min(n, 2_000) if quick else n
    seed = int(time.time())
    pages = _mentions(n, seed=seed)
    account, _ = SocialAccount.objects.get_or_create(
        handle="BenchMinistry", defaults={"is_active": False}
    )
    parsed = [p for page in pages for p in parse_document(page)]
    runs = []
    for _ in range(1 if quick else RUNS):
        _fresh(account, seed)
        with QueryCounter() as queries:
            start, cpu = time.perf_counter(), time.process_time()
            summary = pages_ingest(parsed, account=account, source="replay")
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        runs.append((elapsed, cpu, queries.count, summary))
    elapsed, cpu, queries, summary = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    outcomes = {
        k: summary[k] for k in ("new_cases", "appended", "duplicates", "not_a_case", "rejected")
    }
    baseline = _copy_baseline(pages)
    batches = -(-summary["received"] // INGEST_BATCH)
    result = {
        "scenario": "ingest",
        "n": summary["received"],
        "seconds": round(elapsed, 3),
        "rows_per_s": round(summary["received"] / elapsed, 1),
        "runs_rows_per_s": [round(summary["received"] / run[0], 1) for run in runs],
        "queries": queries,
        # This process's CPU (Python and the driver); the rest is PostgreSQL and waiting.
        "client_cpu_ms_per_mention": round(cpu * 1000 / summary["received"], 3),
        "queries_per_mention": round(queries / summary["received"], 2),
        "queries_per_batch": round(queries / batches, 1),
        "batch": INGEST_BATCH,
        "outcomes": outcomes,
        "baseline": "COPY of the same raw rows into a plain table",
        "baseline_rows_per_s": round(summary["received"] / baseline, 1),
        "ratio": round(elapsed / baseline, 1),
        "target_rows_per_s": 2000,
    }
    report(result)

    # The same mentions through WORKERS processes at once, checked against one stream.
    _fresh(account, seed)
    before = Message.objects.count()
    elapsed, summaries = _workers(parsed, account, WORKERS)
    together = {k: sum(s[k] for s in summaries) for k in outcomes}
    stored = Message.objects.count() - before
    report(
        {
            "scenario": f"ingest_{WORKERS}_workers",
            "n": summary["received"],
            "workers": WORKERS,
            "seconds": round(elapsed, 3),
            "rows_per_s": round(summary["received"] / elapsed, 1),
            "outcomes": together,
            "same_outcomes_as_one_stream": together == outcomes,
            "messages_stored": stored,
            "one_message_per_mention_taken_in": stored
            == together["new_cases"] + together["appended"],
            "baseline": "COPY of the same raw rows into a plain table",
            "baseline_rows_per_s": result["baseline_rows_per_s"],
            "ratio": round(elapsed / baseline, 1),
        }
    )
    return result
