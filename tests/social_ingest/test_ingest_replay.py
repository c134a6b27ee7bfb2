import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Case, CaseEvent, Message
from social_ingest.models import InboundEvent, SocialAccount
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.conftest import FIXTURES
from tests.factories import page, tweet

ALL_FIXTURES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".jsonl"))


def replay(*paths, account=None) -> dict:
    from io import StringIO

    out = StringIO()
    args = [str(p) for p in paths] + (["--account", account] if account else [])
    call_command("ingest_replay", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def write(tmp_path, name, doc) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


def test_every_shared_fixture_replays_and_a_second_run_creates_nothing(db):
    first = replay(*ALL_FIXTURES)
    assert first["received"] == sum(v for k, v in first.items() if k != "received")
    assert first["new_cases"] > 20 and first["rejected"] == 1
    counts = (
        Case.objects.count(),
        Message.objects.count(),
        InboundEvent.objects.count(),
        CaseEvent.objects.count(),
    )
    second = replay(*ALL_FIXTURES)
    assert second["new_cases"] == second["appended"] == second["not_a_case"] == 0
    assert second["duplicates"] == first["received"] - first["rejected"]
    assert (
        Case.objects.count(),
        Message.objects.count(),
        InboundEvent.objects.count(),
        CaseEvent.objects.count(),
    ) == counts


def test_replay_creates_the_named_account_when_missing(db, tmp_path):
    replay(write(tmp_path, "p.json", page(tweet("101"))), account="@SadaMinistry")
    account = SocialAccount.objects.get()
    assert account.handle == "SadaMinistry"
    assert Case.objects.get().account == account


def test_list_of_pages_and_jsonl_are_both_read(db, tmp_path):
    pages = [page(tweet("201")), page(tweet("202", author_id="501"))]
    assert replay(write(tmp_path, "list.json", pages))["new_cases"] == 2
    lines = "\n".join(json.dumps(p) for p in [page(tweet("203")), page(tweet("204"))])
    assert replay(write(tmp_path, "lines.jsonl", lines))["received"] == 2


def test_a_file_that_is_not_a_mentions_payload_fails_and_stores_nothing(db, tmp_path):
    good = write(tmp_path, "good.json", page(tweet("301")))
    for bad in ('{"users": []}', "not json at all", '{"data": 5}'):
        path = write(tmp_path, "bad.json", bad)
        with pytest.raises(CommandError):
            replay(path)
        assert InboundEvent.objects.count() == 0
    with pytest.raises(CommandError):
        replay(good, write(tmp_path, "bad2.json", "{"))
    assert Case.objects.count() == 1  # the good file still counts


def test_malformed_entries_are_counted_rejected_and_kept_for_inspection(db, tmp_path):
    doc = page(tweet("401"))
    doc["data"] += [{"id": 402, "text": "numeric id"}, {"text": "no id"}]
    summary = replay(write(tmp_path, "m.json", doc))
    assert summary == {
        "received": 3,
        "new_cases": 1,
        "appended": 0,
        "not_a_case": 0,
        "duplicates": 0,
        "rejected": 2,
    }
    rejected = InboundEvent.objects.filter(state="rejected")
    assert {e.reason for e in rejected} == {"id_not_string", "id_missing"}
    assert {e.payload["data"].get("text") for e in rejected} == {"numeric id", "no id"}
    assert replay(write(tmp_path, "m.json", doc))["rejected"] == 2
    assert InboundEvent.objects.count() == 3


def test_duplicate_within_one_file_counts_once(db, tmp_path):
    same = tweet("501")
    summary = replay(write(tmp_path, "d.json", [page(same), page(same)]))
    assert summary["new_cases"] == 1 and summary["duplicates"] == 1


def test_retweet_and_own_post_are_not_cases_but_kept_with_reason(db, tmp_path):
    account = SocialAccount.objects.create(handle="SadaMinistry", external_id="1700000000000000001")
    doc = page(
        tweet("601", "RT @SadaMinistry: news", retweeted="1"),
        tweet("602", "@someone thanks", author_id=account.external_id),
    )
    summary = replay(write(tmp_path, "n.json", doc), account="SadaMinistry")
    assert summary["not_a_case"] == 2 and Case.objects.count() == 0
    reasons = dict(InboundEvent.objects.values_list("external_id", "reason"))
    assert reasons == {"601": "retweet", "602": "own_post"}


@pytest.mark.django_db(transaction=True)
def test_same_payload_from_two_threads_at_once_is_stored_once(postgres_only):
    doc = page(*[tweet(str(7000 + i), author_id=str(800 + i % 5)) for i in range(30)])
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            pages = parse_document(doc)
            barrier.wait()
            results.append(pages_ingest(pages, account=None, source="replay"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 2
    assert sum(r["new_cases"] for r in results) == 30
    assert sum(r["duplicates"] for r in results) == 30
    assert Message.objects.count() == 30 == InboundEvent.objects.count() == Case.objects.count()
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == 30


def test_an_intake_failure_is_kept_as_a_visible_rejection_and_the_rest_goes_on(
    db, tmp_path, monkeypatch
):
    from cases import intake as case_intake

    real_triage = case_intake.triage

    def failing_triage(mention, **kw):
        if mention.external_id == "802":
            raise RuntimeError("rule engine exploded")
        return real_triage(mention, **kw)

    monkeypatch.setattr(case_intake, "triage", failing_triage)
    summary = replay(
        write(
            tmp_path,
            "f.json",
            page(tweet("801"), tweet("802", author_id="9"), tweet("803", author_id="8")),
        )
    )
    assert summary["new_cases"] == 2 and summary["rejected"] == 1
    failed = InboundEvent.objects.get(external_id="802")
    assert failed.state == "rejected" and failed.reason == "intake_failed"
    assert "rule engine exploded" in failed.error
    assert not Message.objects.filter(platform_id="802").exists()
