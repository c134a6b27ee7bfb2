"""Bad input through the real endpoints (Django's test client): the X webhook and
a signed inbound channel get correctly signed garbage, so the fuzz reaches the
parser and the pipeline; the API's case actions get garbage JSON.

After every example: no 500; a 4xx says why; a 2xx stored what it counted, each
rejected item kept with its raw payload and reason; and no case exists without
its first message and its "created" event (nothing half-written)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case, CaseEvent
from social_ingest.models import InboundChannel, InboundEvent, SocialAccount
from social_ingest.signatures import sada_signature, x_signature
from tests.cases.api.conftest import make_key, open_case
from tests.conftest import fixture_path
from tests.security.fuzzing import FUZZ, garbage_bodies, json_values, mutated, nasty_text

pytestmark = pytest.mark.django_db

X_SECRET = "fuzz-consumer-secret"
CHANNEL_SECRET = "fuzz-channel-secret"
WEBHOOK = json.loads(
    fixture_path("examples", "aaa_tweet_create_events_mention_example.json").read_text()
)["body"]
FOR_USER = WEBHOOK["for_user_id"]
TWEET = WEBHOOK["tweet_create_events"][0]

TWEET_PATHS = [
    ("id_str",),
    ("id",),
    ("text",),
    ("created_at",),
    ("in_reply_to_status_id_str",),
    ("in_reply_to_user_id_str",),
    ("lang",),
    ("user",),
    ("user", "id_str"),
    ("user", "screen_name"),
    ("user", "name"),
    ("user", "followers_count"),
    ("user", "verified"),
    ("entities",),
    ("entities", "hashtags"),
    ("entities", "user_mentions"),
    ("extended_tweet",),
    ("retweeted_status",),
]
CHANNEL_ITEM = {
    "id": "wamid.1",
    "text": "السلام عليكم، متى يصدر التصريح؟",
    "created_at": "2026-11-22T09:00:00Z",
    "author": {"id": "966500000001", "handle": "citizen", "name": "A Citizen", "followers": 3},
    "conversation_id": "conv-1",
    "in_reply_to_id": "wamid.0",
    "lang": "ar",
    "hashtags": ["outage"],
}
CHANNEL_PATHS = [
    ("id",),
    ("text",),
    ("created_at",),
    ("author",),
    ("author", "id"),
    ("author", "handle"),
    ("author", "name"),
    ("author", "followers"),
    ("author", "verified"),
    ("conversation_id",),
    ("in_reply_to_id",),
    ("lang",),
    ("hashtags",),
]


def _unique(doc, counter=[0]):  # noqa: B006 - a per-process counter on purpose
    """Fresh ids most of the time, so examples open cases rather than hit duplicates."""
    counter[0] += 1
    return doc, counter[0]


def x_tweets():
    def with_text(tweet, text, fresh):
        tweet = dict(tweet)
        if fresh[1] % 3 and isinstance(tweet.get("id_str"), str):
            tweet["id_str"] = str(1929473068234027715 + fresh[1])
        if text is not None and "text" in tweet:
            tweet["text"] = text
        return tweet

    return st.builds(
        with_text,
        mutated(TWEET, TWEET_PATHS),
        st.none() | nasty_text,
        st.builds(_unique, st.none()),
    )


def x_bodies():
    events = st.lists(x_tweets(), min_size=0, max_size=3)
    docs = st.one_of(
        events.map(lambda e: {"for_user_id": FOR_USER, "tweet_create_events": e}),
        mutated(
            {"for_user_id": FOR_USER, "tweet_create_events": [TWEET]},
            [("for_user_id",), ("tweet_create_events",)],
        ),
    )
    return garbage_bodies(docs)


def channel_items():
    def fresh(item, text, n):
        item = dict(item)
        if n[1] % 3 and isinstance(item.get("id"), str):
            item["id"] = f"wamid.{n[1]}"
        if text is not None and "text" in item:
            item["text"] = text
        return item

    return st.builds(
        fresh,
        mutated(CHANNEL_ITEM, CHANNEL_PATHS),
        st.none() | nasty_text,
        st.builds(_unique, st.none()),
    )


def channel_bodies():
    items = st.lists(channel_items(), max_size=3)
    docs = st.one_of(
        channel_items(),
        items,
        items.map(lambda i: {"items": i}),
        st.lists(channel_items(), min_size=101, max_size=102),
        json_values,
    )
    return garbage_bodies(docs)


def assert_nothing_half_written():
    assert not Case.objects.filter(messages__isnull=True).exists()
    assert not Case.objects.exclude(events__kind="created").exists()


def assert_inbound_invariants(response, events_before: int) -> None:
    assert response.status_code < 500, response.content[:300]
    answer = response.json()
    new = InboundEvent.objects.filter(pk__gt=events_before)
    if response.status_code >= 400:
        assert answer["error"] and answer["reason"], answer
    if "received" in answer:
        stored = answer["received"] - answer["duplicates"]
        # A rejected item sent before (same content) is already kept: not stored twice.
        assert stored - answer["rejected"] <= new.count() <= stored, answer
        assert (
            new.exclude(state=InboundEvent.State.REJECTED).count() == stored - answer["rejected"]
        ), answer
        for event in new.filter(state=InboundEvent.State.REJECTED):
            assert event.payload is not None and event.reason, event
            # The raw item is inspectable: it reads back as stored.
            json.dumps(event.payload)
    else:
        assert new.count() == 0, answer
    assert_nothing_half_written()


def _last_event_id() -> int:
    last = InboundEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


@pytest.fixture
def x_account(settings, db):
    settings.X_CONSUMER_SECRET = X_SECRET
    return SocialAccount.objects.create(handle="AcmeSupport", external_id=FOR_USER)


@FUZZ
@given(body=x_bodies())
def test_x_webhook_survives_signed_garbage(x_account, body):
    before = _last_event_id()
    response = Client().post(
        "/social/x/webhook/",
        data=body,
        content_type="application/json",
        HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=x_signature(X_SECRET, body),
    )
    assert_inbound_invariants(response, before)


@pytest.fixture
def channel(db):
    return InboundChannel.objects.create(slug="fuzzchan", name="Fuzz", secret=CHANNEL_SECRET)


@FUZZ
@given(body=channel_bodies())
def test_inbound_channel_survives_signed_garbage(channel, body):
    before = _last_event_id()
    response = Client().post(
        "/social/inbound/fuzzchan/",
        data=body,
        content_type="application/json",
        HTTP_X_SADA_SIGNATURE=sada_signature(CHANNEL_SECRET, body),
    )
    assert_inbound_invariants(response, before)
    if response.status_code == 400 and "rejected_items" in response.json():
        for row in response.json()["rejected_items"]:
            assert row["error"], row


@FUZZ
@given(text=nasty_text)
def test_invalid_utf8_inside_a_valid_item_is_a_4xx_with_a_reason(channel, text):
    body = json.dumps({**CHANNEL_ITEM, "text": text}, ensure_ascii=False).encode(
        "utf-8", "surrogatepass"
    )
    body = body.replace(b"citizen", b"citi\xffzen")
    response = Client().post(
        "/social/inbound/fuzzchan/",
        data=body,
        content_type="application/json",
        HTTP_X_SADA_SIGNATURE=sada_signature(CHANNEL_SECRET, body),
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["reason"]


@pytest.mark.parametrize(
    "body", [b"[null]", b'[null, {"id": "n-1", "text": "hello"}]', b'{"items": [null]}']
)
def test_null_items_are_rejected_and_kept_not_a_500(channel, body):
    before = _last_event_id()
    response = Client().post(
        "/social/inbound/fuzzchan/",
        data=body,
        content_type="application/json",
        HTTP_X_SADA_SIGNATURE=sada_signature(CHANNEL_SECRET, body),
    )
    assert response.status_code == 400 and response.json()["rejected_items"]
    kept = InboundEvent.objects.filter(pk__gt=before, state=InboundEvent.State.REJECTED)
    assert kept.get().payload == {"unstorable_json": "null"}


def test_a_body_over_the_limit_is_413_before_anything_is_parsed(x_account, channel, settings):
    settings.SADA_MAX_WEBHOOK_BYTES = 10_000
    body = b"[" * 10_001
    for url, header, signature in (
        ("/social/x/webhook/", "HTTP_X_TWITTER_WEBHOOKS_SIGNATURE", x_signature(X_SECRET, body)),
        (
            "/social/inbound/fuzzchan/",
            "HTTP_X_SADA_SIGNATURE",
            sada_signature(CHANNEL_SECRET, body),
        ),
    ):
        response = Client().post(
            url, data=body, content_type="application/json", **{header: signature}
        )
        assert response.status_code == 413 and response.json()["error"] == "too_large"


# --- The API's write endpoints ---------------------------------------------------------

ACTIONS = [
    "assign",
    "reply",
    "note",
    "set-priority",
    "escalate",
    "acknowledge",
    "resolve",
    "reopen",
    "mark-not-a-case",
    "merge",
    "take-next",
]
FIELDS = ["text", "reason", "priority", "assignee", "into", "expected_version", "tags", "queue"]
api_bodies = st.one_of(
    st.binary(max_size=120),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4).map(
        lambda d: json.dumps(d).encode()
    ),
    st.sampled_from([b"[" * 50_000, b'{"text": "' + "ا".encode() * 200_000 + b'"}', b"{"]),
)


@pytest.fixture
def api_case(db, supervisor):
    case = open_case("77001")
    _key, raw = make_key(scopes=("read", "act"), created_by=supervisor)
    return case, raw


@FUZZ
@given(
    action=st.sampled_from(ACTIONS),
    body=api_bodies,
    content_type=st.sampled_from(
        ["application/json", "application/json", "text/plain", "application/x-www-form-urlencoded"]
    ),
)
def test_api_actions_survive_garbage_json(api_case, action, body, content_type):
    case, raw = api_case
    url = (
        "/api/v1/cases/take-next/"
        if action == "take-next"
        else f"/api/v1/cases/{case.reference}/{action}/"
    )
    events = CaseEvent.objects.count()
    version = Case.objects.get(pk=case.pk).version
    response = Client().post(
        url, data=body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        answer = response.json()
        assert answer["code"] and answer["detail"], answer
        assert Case.objects.get(pk=case.pk).version == version
        assert CaseEvent.objects.count() == events
    else:
        assert CaseEvent.objects.count() > events
    assert_nothing_half_written()


# --- The agents' UI forms -------------------------------------------------------------

UI_ACTIONS = ["reply", "note", "status", "not_a_case", "priority", "queue", "tags", "assign"]
UI_FIELDS = ["text", "reason", "status", "priority", "queue", "tags", "assignee", "version", "into"]
# A browser cannot send a lone surrogate in a form (it sends U+FFFD); raw invalid
# UTF-8 is sent as percent escapes below.
form_values = st.one_of(
    nasty_text.map(lambda s: s.encode("utf-8", "replace").decode("utf-8")),
    st.integers(-(2**63), 2**63).map(str),
    st.just(""),
    st.just("%ff%fe%c3"),
)


@FUZZ
@given(
    action=st.sampled_from([*UI_ACTIONS, "escalate", "merge", "bulk"]),
    form=st.dictionaries(st.sampled_from(UI_FIELDS), form_values, max_size=5),
)
def test_ui_forms_survive_garbage(ui_case, action, form):
    client, case = ui_case
    events = CaseEvent.objects.count()
    version = Case.objects.get(pk=case.pk).version
    if action == "bulk":
        url = "/bulk/"
        form = {
            **form,
            "refs": [case.reference, form.get("text", "")],
            "action": form.get("status", ""),
        }
    else:
        url = f"/cases/{case.reference}/{action}/"
    response = client.post(url, form)
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        # Refused with the form shown again: nothing written.
        assert Case.objects.get(pk=case.pk).version == version
        assert CaseEvent.objects.count() == events
    assert_nothing_half_written()


def test_ui_forms_take_invalid_utf8_percent_escapes(ui_case):
    client, case = ui_case
    body = f"text=%ff%fe%c3&version={case.version}".encode()
    for action in ("note", "reply", "priority"):
        response = client.post(
            f"/cases/{case.reference}/{action}/",
            data=body,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code < 500


@pytest.fixture
def ui_case(db, supervisor):
    case = open_case("77002")
    client = Client()
    client.force_login(supervisor)
    return client, case
