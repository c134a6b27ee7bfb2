"""Bad input to the pure parts: the payload parsers, the normaliser and the routing
rules (and `triage`, their database side). Garbage in gives a PayloadError or a
rejected item with a code, never another exception; invisible and bidi-override
characters cannot be used to slip a mention past the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.mention import Author, Mention
from cases.models import Queue
from cases.priority import PRIORITIES
from cases.routing import MentionFacts, RuleSpec, evaluate
from cases.seed_rules import SEED_RULES
from cases.text import detect_language, normalize
from social_ingest.parsers import (
    PayloadError,
    _storable,
    parse_channel_document,
    parse_document,
    parse_text,
    parse_v1_tweets,
)
from tests.security.fuzzing import FUZZ, INVISIBLE, json_values, mutated, nasty_text
from tests.security.test_fuzz_endpoints import CHANNEL_ITEM, CHANNEL_PATHS, TWEET, TWEET_PATHS

RULES = [RuleSpec(**fields) for fields in SEED_RULES]
LABELLED = [
    json.loads(line)
    for line in (Path(__file__).parents[1] / "cases" / "data" / "triage_labelled.jsonl")
    .read_text()
    .splitlines()
    if line.strip()
]
V2_PAGE = {
    "data": [
        {
            "id": "1929473068234027716",
            "text": "@SadaMinistry الموقع معطل",
            "author_id": "2244994945",
            "created_at": "2026-11-22T09:00:00.000Z",
            "conversation_id": "1929473068234027716",
            "lang": "ar",
            "entities": {"hashtags": [{"tag": "عطل"}]},
        }
    ],
    "includes": {"users": [{"id": "2244994945", "username": "citizen", "name": "مواطن"}]},
    "meta": {"newest_id": "1929473068234027716", "result_count": 1},
}
V2_PATHS = [("data",), ("includes",), ("includes", "users"), ("meta",), ("meta", "newest_id")]


def check_items(pages) -> None:
    for page in pages:
        for item in page.items:
            assert (item.mention is None) == bool(item.error), item
            assert item.raw is not None and _storable(item.raw), item
            if item.mention is not None:
                mention = item.mention
                assert mention.external_id and isinstance(mention.text, str)
                mention.text.encode("utf-8")  # no lone surrogate reaches the pipeline
                assert "\x00" not in mention.text


@FUZZ
@given(
    st.one_of(
        json_values,
        mutated(V2_PAGE, V2_PATHS),
        st.lists(mutated(TWEET, TWEET_PATHS), max_size=3),
        mutated({"for_user_id": "1", "tweet_create_events": [TWEET]}, [("tweet_create_events",)]),
    )
)
def test_parse_document_gives_items_or_a_payload_error(doc):
    try:
        pages = parse_document(doc)
    except PayloadError as exc:
        assert str(exc)
        return
    check_items(pages)


@FUZZ
@given(st.lists(mutated(TWEET, TWEET_PATHS), max_size=3), nasty_text)
def test_v1_tweets_with_nasty_text_are_read_or_rejected_with_a_code(tweets, text):
    tweets = [{**t, "text": text} if i % 2 else t for i, t in enumerate(tweets)]
    check_items([parse_v1_tweets(tweets)])


@FUZZ
@given(st.one_of(json_values, mutated(CHANNEL_ITEM, CHANNEL_PATHS), st.lists(json_values)))
def test_channel_documents_give_items_or_a_payload_error(doc):
    try:
        page = parse_channel_document(doc, platform="fuzz")
    except PayloadError:
        return
    check_items([page])


@FUZZ
@given(
    st.one_of(st.text(max_size=300), json_values.map(json.dumps).map(lambda s: s[: len(s) // 2]))
)
def test_parse_text_of_truncated_json_gives_items_or_a_payload_error(text):
    try:
        pages = parse_text(text)
    except PayloadError:
        return
    check_items(pages)


def test_an_item_holding_nul_or_a_lone_surrogate_is_rejected_and_kept_escaped():
    for bad in ("\x00", "\ud800"):
        page = parse_channel_document(
            {**CHANNEL_ITEM, "author": {"id": "u1", "name": bad}}, platform="p"
        )
        (item,) = page.items
        assert item.error == "invalid_unicode" and item.mention is None
        assert item.external_id.startswith("invalid:")
        kept = item.raw["unstorable_json"]
        assert json.loads(kept)["author"]["name"] == bad  # nothing lost: it reads back


def test_a_null_item_is_rejected_and_kept():
    page = parse_channel_document([None, CHANNEL_ITEM], platform="p")
    bad, good = page.items
    assert bad.error and bad.raw == {"unstorable_json": "null"}
    assert good.mention is not None


# --- Normaliser --------------------------------------------------------------------------

words = st.sampled_from(["حريق", "اسعاف", "مستشفى", "fire", "ambulance", "موعد", "الموقع"])


@FUZZ
@given(st.lists(words, min_size=1, max_size=5), st.data())
def test_invisible_and_bidi_characters_inside_words_change_nothing(chosen, data):
    text = " ".join(chosen)
    spiked = "".join(
        ch + (data.draw(st.sampled_from(INVISIBLE)) if data.draw(st.booleans()) else "")
        for ch in text
    )
    assert normalize(spiked) == normalize(text)


def test_normalise_takes_100000_characters_and_nul():
    text = ("حريق\u200b\x00" * 20_000)[:100_000]
    assert normalize(text).startswith("حريق")


# --- Routing and triage ------------------------------------------------------------------

labelled = st.sampled_from(LABELLED)


@FUZZ
@given(labelled, st.data())
def test_invisible_characters_cannot_route_a_mention_elsewhere(item, data):
    """An author (or a copy-paste) spiking a text with zero-width or bidi-override
    characters gets the same queue, category and priority as the plain text."""
    text = item["text"]
    spiked = "".join(
        ch
        + (data.draw(st.sampled_from(INVISIBLE)) if ch != " " and data.draw(st.booleans()) else "")
        for ch in text
    )

    def decide(t):
        d = evaluate(RULES, MentionFacts(text=t, language=detect_language(t, item["lang"])))
        return d.queue, d.category, d.priority

    assert decide(spiked) == decide(text)


QUEUE_SLUGS = {rule.queue for rule in RULES if rule.queue} | {"general"}


@FUZZ
@given(
    text=nasty_text,
    followers=st.none() | st.integers(-(10**9), 10**12),
    verified=st.booleans(),
    ages=st.lists(st.floats(-10, 1e6, allow_nan=False), max_size=5),
    language=st.sampled_from(["", "ar", "en", "und", "zz", "\u202e"]),
)
def test_routing_is_total_on_nasty_mentions(text, followers, verified, ages, language):
    decision = evaluate(
        RULES,
        MentionFacts(
            text=text,
            language=language,
            followers=followers,
            verified=verified,
            recent_case_ages_days=tuple(ages),
        ),
    )
    assert decision.queue in QUEUE_SLUGS
    assert decision.priority in PRIORITIES


@pytest.mark.django_db
@FUZZ
@given(text=nasty_text, handle=nasty_text, lang=st.none() | nasty_text)
def test_triage_is_total_and_names_an_existing_queue(text, handle, lang):
    import inspect

    from django.utils import timezone

    from cases import triage as triage_module

    mention = Mention(
        platform="x",
        external_id="1",
        text=text,
        created_at=None,
        author=Author(external_id="2", handle=handle[:100], name=handle[:200]),
        lang=lang or "",
    )
    now = timezone.now()
    extra = {}
    if "batch" in inspect.signature(triage_module.triage).parameters:
        # Triage reads the database once per page of mentions (a batch of one here).
        extra["batch"] = triage_module.TriageBatch(customers=[], now=now)
    decision = triage_module.triage(mention, customer=None, account=None, now=now, **extra)
    assert Queue.objects.filter(pk=decision.queue.pk).exists()
    assert decision.priority in PRIORITIES
    assert len(decision.incident_key) <= 200
