import json

import pytest

from social_ingest.parsers import PayloadError, parse_document, parse_text
from tests.conftest import FIXTURES, fixture_path
from tests.factories import page, tweet

V2_AND_RECORDED = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.suffix in (".json", ".jsonl") and p.name != "DESCRIPTION.excerpt"
)


def _items(path):
    return [item for pg in parse_text(path.read_text()) for item in pg.items]


@pytest.mark.parametrize("path", V2_AND_RECORDED, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_shared_fixture_parses_without_error(path):
    items = _items(path)
    for item in items:
        assert item.mention or item.error
        if item.mention:
            assert isinstance(item.mention.external_id, str) and item.mention.external_id.isdigit()


def test_fixture_list_covers_the_shared_folder():
    names = {p.name for p in V2_AND_RECORDED}
    assert {"mentions_response_example.json", "edited.jsonl", "withheld_excerpt.json"} <= names
    assert len(V2_AND_RECORDED) >= 14


def test_v2_page_joins_authors_and_keeps_partial_errors():
    pages = parse_text(fixture_path("examples", "mentions_response_example.json").read_text())
    (pg,) = pages
    assert pg.next_token and pg.newest_id == "1929473068234027715"
    assert len(pg.errors) == 1
    first, quoting, root = (item.mention for item in pg.items)
    assert first.author.handle == "mariadev" and first.author.followers == 389
    assert first.in_reply_to_id == "1929471340180662007"
    assert first.conversation_id == "1929466546091041459"
    assert quoting.quoted_id == "1929461865247973810"
    assert quoting.problems == ("resource-not-found",)
    assert pg.items[1].raw["errors"][0]["resource_id"] == "1929461865247973810"
    assert root.created_at.isoformat() == "2025-06-02T09:14:07+00:00"


def test_edited_tweet_names_its_original():
    (item,) = _items(fixture_path("twarc-csv", "edited.jsonl"))
    assert item.mention.external_id == "1576994789110992896"
    assert item.mention.edit_root_id == "1576994746135764992"
    assert item.mention.is_edit


def test_retweet_carrying_the_handle_is_flagged():
    (item,) = _items(fixture_path("twarc-csv", "mentions_tweet.jsonl"))
    assert item.mention.is_retweet


def test_withheld_tweets_are_kept_and_flagged():
    items = _items(fixture_path("twarc-csv", "withheld_excerpt.json"))
    assert items and all(i.mention.withheld for i in items if i.mention)


def test_truncated_json_line_is_one_rejected_entry_not_a_failed_file():
    items = _items(fixture_path("twarc-csv", "streaming_output_with_error.jsonl"))
    rejected = [i for i in items if i.error]
    assert len(rejected) == 1 and rejected[0].error == "invalid_json"
    assert len(items) - 1 == sum(1 for i in items if i.mention)


def test_v1_webhook_body_uses_string_ids():
    doc = json.loads(
        fixture_path("examples", "aaa_tweet_create_events_mention_example.json").read_text()
    )
    (pg,) = parse_document(doc)
    mention = pg.items[0].mention
    assert mention.external_id == "1929473068234027715"
    assert mention.author.external_id == "1353829371620040705"
    assert mention.in_reply_to_id == "1929471340180662007"


def test_recorded_writes_and_profile_reads_carry_no_mentions():
    for name in ("test_client_create_and_delete_tweet.json", "test_client_get_me.json"):
        assert _items(fixture_path("tweepy", "decoded", name)) == []
    assert _items(fixture_path("examples", "create_tweet_reply_example.json")) == []


def test_empty_page_has_no_data_key():
    (pg,) = parse_document({"meta": {"result_count": 0}})
    assert pg.items == [] and pg.result_count == 0


@pytest.mark.parametrize(
    ("bad_tweet", "code"),
    [
        ({"id": 1929473068234027715, "text": "x"}, "id_not_string"),
        ({"text": "no id"}, "id_missing"),
        ({"id": "123", "text": None}, "text_missing"),
        ({"id": "12a", "text": "x"}, "id_invalid"),
        ({"id": "123", "text": "x", "created_at": "yesterday"}, "created_at_invalid"),
        ({"id": "123", "text": "x" * 30_000}, "text_too_long"),
        ({"id": "123", "text": "bad \udc80 surrogate"}, "text_invalid_unicode"),
        ("just a string", "not_an_object"),
    ],
)
def test_malformed_entries_are_rejected_with_a_code_and_the_rest_kept(bad_tweet, code):
    doc = page(tweet("900", "@SadaMinistry ok"))
    doc["data"].append(bad_tweet)
    (pg,) = parse_document(doc)
    good, bad = pg.items
    assert good.mention.external_id == "900"
    assert bad.error == code and bad.external_id.startswith("invalid:")


@pytest.mark.parametrize(
    "text",
    ["", "not json", '{"foo": 1}', "[1, 2]", '{"data": "nope"}', '{"data": [', "null"],
)
def test_documents_that_are_not_mentions_payloads_raise(text):
    with pytest.raises(PayloadError):
        parse_text(text)
