"""The intake takes a page of mentions set-wise: the same rows as one mention at a
time, in a number of queries that does not grow with the page."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.ingest import _mentions
from cases.models import Case, CaseEvent, Customer, Message
from cases.services import intake
from social_ingest.models import InboundEvent, SocialAccount
from social_ingest.parsers import parse_document
from social_ingest.services import INGEST_BATCH, pages_ingest
from tests.factories import page, tweet, user

# What the one-mention-at-a-time intake (before pages were taken set-wise) wrote for
# `_ingest_mix`: every case, message, event, customer and raw event, machine values.
EXPECTED = Path(__file__).parent / "data" / "intake_mix_expected.json"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday: a working day in Riyadh
OWN_ID = "1700000000000000001"


def _ingest_mix() -> list[dict]:
    """The bench's realistic mix (Arabic and English, threads, repeats; pages of
    100), then a page of edge cases, then customers answering a pending and a
    resolved case. Returns each step's counts."""
    account = SocialAccount.objects.create(handle="SadaMinistry", external_id=OWN_ID)
    counts = []
    with time_machine.travel(NOW, tick=False):
        mix = [item for doc in _mentions(250, seed=11) for item in parse_document(doc)]
        counts.append(pages_ingest(mix, account=account, source="replay"))
        edge = page(
            # Served newest first: the thread's first post must still open the case.
            tweet("9003", "@SadaMinistry third", author_id="91", replied_to="9002",
                  conversation_id="9001", created_at=NOW - timedelta(minutes=3)),
            tweet("9002", "@SadaMinistry second", author_id="91", replied_to="9001",
                  conversation_id="9001", created_at=NOW - timedelta(minutes=4)),
            tweet("9001", "@SadaMinistry first", author_id="91",
                  created_at=NOW - timedelta(minutes=5)),
            # An edit and its original in one page.
            tweet("9102", "@SadaMinistry fixed", author_id="92", edit_history=["9101", "9102"],
                  created_at=NOW - timedelta(minutes=2)),
            tweet("9101", "@SadaMinistry typo", author_id="92",
                  created_at=NOW - timedelta(minutes=6)),
            tweet("9201", "RT @SadaMinistry: news", author_id="93", retweeted="1"),
            tweet("9301", "@someone thanks", author_id=OWN_ID),
            # A new customer with what X says of them.
            tweet("9401", "@SadaMinistry hello", author_id="94",
                  created_at=NOW - timedelta(minutes=7)),
            users=[user("91", "thread"), user("92", "editor"), user("93", "rt"),
                   user(OWN_ID, "SadaMinistry"), user("94", "renamed", followers=77)],
        )  # fmt: skip
        counts.append(pages_ingest(parse_document(edge), account=account, source="poll"))
        pending = Case.objects.get(messages__platform_id="9001")
        resolved = Case.objects.get(messages__platform_id="9101")
        Case.objects.filter(pk=pending.pk).update(status="pending")
        Case.objects.filter(pk=resolved.pk).update(
            status="resolved", resolved_at=NOW - timedelta(days=1)
        )
        answers = page(
            tweet("9501", "@SadaMinistry my id is 123", author_id="91", replied_to="9003",
                  conversation_id="9001", created_at=NOW - timedelta(minutes=1)),
            tweet("9502", "@SadaMinistry still broken", author_id="92", replied_to="9102",
                  conversation_id="9101", created_at=NOW - timedelta(minutes=1)),
            users=[user("91", "thread"), user("92", "editor")],
        )  # fmt: skip
        counts.append(pages_ingest(parse_document(answers), account=account, source="webhook"))
    return [dict(c) for c in counts]


def _snapshot() -> dict:
    """Every row the intake wrote, in machine values and without surrogate ids."""
    platform_ids = dict(Message.objects.values_list("pk", "platform_id"))
    references = dict(Case.objects.values_list("pk", "reference"))
    incident_keys = {
        case.incident_id: f"{case.incident_key}@{case.reference}"
        for case in Case.objects.filter(incident__isnull=False).order_by("-id")
    }

    def event_data(event):
        data = dict(event.data)
        if "message_id" in data:
            data["message_id"] = platform_ids[data["message_id"]]
        if "incident_id" in data:
            data["incident_id"] = incident_keys[data["incident_id"]]
        return data

    cases = {}
    for case in Case.objects.select_related("queue", "customer", "sla_policy").order_by("id"):
        cases[case.reference] = {
            "status": case.status,
            "priority": case.priority,
            "priority_reasons": case.priority_reasons,
            "queue": case.queue.slug,
            "category": case.category,
            "tags": case.tags,
            "customer": case.customer.external_id if case.customer else None,
            "channel": case.channel,
            "language": case.language,
            "conversation_id": case.conversation_id,
            "routed_by": case.routed_by,
            "incident_key": case.incident_key,
            "incident": incident_keys.get(case.incident_id),
            "resolved_at": _iso(case.resolved_at),
            "version": case.version,
            "sla_policy": case.sla_policy.name if case.sla_policy else None,
            **{
                name: _iso(getattr(case, name))
                for name in (
                    "created_at",
                    "opened_at",
                    "updated_at",
                    "last_customer_message_at",
                    "first_response_due",
                    "first_response_warn_at",
                    "next_response_due",
                    "resolution_due",
                    "resolution_warn_at",
                    "resolution_running_since",
                    "sla_check_at",
                )
            },
            "resolution_segments": case.resolution_segments,
            "sla_marks": case.sla_marks,
            "messages": [
                [
                    m.platform_id,
                    m.edit_root_id,
                    m.conversation_id,
                    m.in_reply_to_id,
                    m.text,
                    m.customer.external_id if m.customer else None,
                    _iso(m.created_at),
                ]
                for m in case.messages.select_related("customer").order_by("created_at", "id")
            ],  # fmt: skip
            "events": [
                [e.kind, e.actor_kind, event_data(e)]
                for e in CaseEvent.objects.filter(case=case).order_by("created_at", "id")
            ],
        }
    return {
        "cases": cases,
        "customers": sorted(
            Customer.objects.values_list("platform", "external_id", "handle", "name", "followers")
        ),
        "inbound": sorted(
            [e.external_id, e.source, e.state, e.reason, references.get(e.case_id)]
            for e in InboundEvent.objects.all()
        ),
    }


def _iso(value):
    return value.isoformat() if value else None


def _plain(value):
    return json.loads(json.dumps(value, ensure_ascii=False))


def test_a_page_at_a_time_writes_exactly_what_one_mention_at_a_time_wrote(db):
    counts = _ingest_mix()
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert counts == expected["counts"]
    snapshot = _plain(_snapshot())
    assert snapshot["customers"] == expected["snapshot"]["customers"]
    assert snapshot["inbound"] == expected["snapshot"]["inbound"]
    assert snapshot["cases"].keys() == expected["snapshot"]["cases"].keys()
    for reference, case in expected["snapshot"]["cases"].items():
        assert snapshot["cases"][reference] == case, reference


def test_the_mix_exercises_threads_repeats_incidents_edits_and_reopening(db):
    counts = _ingest_mix()
    assert counts[0]["duplicates"] > 0 and counts[0]["appended"] > 50
    assert counts[1] == {
        "new_cases": 3, "appended": 3, "not_a_case": 2, "duplicates": 0, "rejected": 0,
        "received": 8,
    }  # fmt: skip
    assert Case.objects.filter(incident__isnull=False).count() > 10
    thread = Case.objects.get(messages__platform_id="9001")
    assert list(thread.messages.values_list("platform_id", flat=True)) == [
        "9001", "9002", "9003", "9501"
    ]  # fmt: skip
    assert thread.status == "open" and thread.events.filter(kind="status_changed").exists()
    edited = Case.objects.get(messages__platform_id="9101")
    assert edited.messages.count() == 3 and edited.events.filter(kind="reopened").exists()
    assert Customer.objects.get(external_id="94").followers == 77


def _statements(queries: CaptureQueriesContext) -> int:
    """Queries run, an INSERT that SQLite's 999-parameter limit splits counted once."""
    count, previous = 0, ""
    for query in queries.captured_queries:
        head = " ".join(query["sql"].split()[:3])
        count += not (head.startswith("INSERT") and head == previous)
        previous = head
    return count


def test_a_page_of_new_mentions_takes_a_fixed_number_of_queries(db):
    def page_of(size: int, first: int):
        tweets = [
            tweet(str(first + i), "@SadaMinistry حريق في المبنى", author_id=str(first + i))
            for i in range(size)
        ]
        return parse_document(page(*tweets))

    pages_ingest(page_of(3, 10_000), account=None, source="replay")  # warm the caches
    counted = {}
    for size in (10, INGEST_BATCH):
        with CaptureQueriesContext(connection) as queries:
            summary = pages_ingest(page_of(size, 20_000 * size), account=None, source="replay")
        assert summary["new_cases"] == size
        counted[size] = _statements(queries)
    # Raw events, customers (read, insert), threads (roots, conversations), repeat
    # contact, queues, references, cases, messages, events, incidents (read
    # incidents and reports, open one, link), the raw events' outcome, savepoints.
    assert counted[10] == counted[INGEST_BATCH] <= 25


def test_a_page_of_replies_to_older_cases_takes_a_fixed_number_of_queries(db):
    first = [tweet(str(30_000 + i), author_id=str(300 + i)) for i in range(INGEST_BATCH)]
    pages_ingest(parse_document(page(*first)), account=None, source="replay")
    replies = [
        tweet(str(31_000 + i), "@SadaMinistry again", author_id=str(300 + i),
              conversation_id=str(30_000 + i), replied_to=str(30_000 + i), minutes=5)
        for i in range(INGEST_BATCH)
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        summary = pages_ingest(parse_document(page(*replies)), account=None, source="replay")
    assert summary["appended"] == INGEST_BATCH
    assert _statements(queries) <= 20
    assert Case.objects.filter(version=2).count() == INGEST_BATCH


def test_a_failing_mention_is_rejected_alone_and_its_page_lands(db, monkeypatch):
    from cases import intake as case_intake

    real_triage = case_intake.triage

    def failing_triage(mention, **kw):
        if mention.external_id == "40050":
            raise RuntimeError("rule engine exploded")
        return real_triage(mention, **kw)

    monkeypatch.setattr(case_intake, "triage", failing_triage)
    tweets = [tweet(str(40_000 + i), author_id=str(400 + i)) for i in range(100)]
    summary = pages_ingest(parse_document(page(*tweets)), account=None, source="replay")
    assert summary["new_cases"] == 99 and summary["rejected"] == 1
    failed = InboundEvent.objects.get(external_id="40050")
    assert failed.state == "rejected" and "rule engine exploded" in failed.error
    assert Message.objects.count() == 99 == Case.objects.count()
    # Gapless references: the failed page's numbers were given back.
    numbers = sorted(
        int(r.rsplit("-", 1)[1]) for r in Case.objects.values_list("reference", flat=True)
    )
    assert numbers == list(range(1, 100))


def test_a_single_mention_is_a_page_of_one(db):
    from cases.mention import Author, Mention

    mention = Mention(
        platform="x",
        external_id="50001",
        text="@SadaMinistry hello",
        created_at=NOW,
        author=Author(external_id="501", handle="one"),
    )
    result = intake(mention)
    assert result.outcome == "new_case" and result.message.platform_id == "50001"
    assert list(result.case.events.values_list("kind", flat=True)) == [
        "created",
        "message_received",
    ]
    assert result.case.events.get(kind="message_received").data["message_id"] == result.message.pk


@pytest.mark.django_db(transaction=True)
def test_two_pages_sharing_mentions_at_once_store_each_once(postgres_only):
    import threading

    from django.db import connection as conn

    shared = [tweet(str(60_000 + i), author_id=str(600 + i % 7)) for i in range(60)]
    docs = [page(*shared[:40]), page(*shared[20:])]
    barrier = threading.Barrier(2)
    results = []

    def worker(doc):
        try:
            items = parse_document(doc)
            barrier.wait(10)
            results.append(pages_ingest(items, account=None, source="poll"))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(doc,)) for doc in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 2
    assert sum(r["new_cases"] for r in results) == 60
    assert sum(r["duplicates"] for r in results) == 20
    assert Message.objects.count() == 60 == InboundEvent.objects.count() == Case.objects.count()
    assert Customer.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_intake_pages_take_turns(postgres_only):
    """A page waits for the page being taken in to commit (cases/intake.py: two at once
    could lock cases and incidents in opposite orders and deadlock)."""
    import threading
    import time

    from django.db import connection as conn
    from django.db import transaction

    from cases.mention import Author, Mention

    def mention(n: int, author: int, **thread) -> Mention:
        return Mention(
            platform="x",
            external_id=str(70_000 + n),
            text="@SadaMinistry hello",
            created_at=NOW,
            author=Author(external_id=str(700 + author), handle=f"user{author}"),
            **thread,
        )

    # The second page only appends to this case: it needs no reference, nor any row
    # the first page holds, so nothing but the intake's own lock makes it wait.
    intake(mention(0, author=2))
    holding, release, order = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                intake(mention(1, author=1))
                order.append("first taken in")
                holding.set()
                release.wait(10)
                order.append("first commits")
        finally:
            conn.close()

    def second():
        try:
            holding.wait(10)
            reply = mention(2, author=2, in_reply_to_id="70000", conversation_id="70000")
            assert intake(reply).outcome == "appended"
            order.append("second taken in")
        finally:
            conn.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    holding.wait(10)
    time.sleep(0.5)  # the second intake, free to go, would be done by now
    assert order == ["first taken in"]
    release.set()
    for t in threads:
        t.join(30)
    assert order == ["first taken in", "first commits", "second taken in"]
    assert Case.objects.count() == 2
