"""GET/POST /social/x/webhook/: CRC, signatures (fail closed), size, the same pipeline."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from cases.models import Message
from social_ingest.models import InboundEvent, SocialAccount
from social_ingest.parsers import parse_v2_page
from social_ingest.services import pages_ingest
from social_ingest.signatures import MAX_CRC_TOKEN_LENGTH, x_signature
from tests.conftest import fixture_path
from tests.social_ingest.conftest import example

URL = "/social/x/webhook/"
SECRET = "cs-test"
EXAMPLE = example("aaa_tweet_create_events_mention_example.json")
FOR_USER = EXAMPLE["body"]["for_user_id"]
TWEET_ID = EXAMPLE["body"]["tweet_create_events"][0]["id_str"]


@pytest.fixture
def secret(settings):
    settings.X_CONSUMER_SECRET = SECRET
    return SECRET


@pytest.fixture
def acme(db):
    return SocialAccount.objects.create(handle="AcmeSupport", external_id=FOR_USER)


def post(body: bytes, signature: str | None, client=None):
    headers = {} if signature is None else {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": signature}
    return (client or Client()).post(URL, data=body, content_type="application/json", **headers)


def signed(doc) -> tuple[bytes, str]:
    body = json.dumps(doc).encode()
    return body, x_signature(SECRET, body)


# --- CRC --------------------------------------------------------------------------------


def test_crc_answers_the_hmac_of_the_consumer_secret(secret, client):
    response = client.get(URL, {"crc_token": "9b4507b3-8d5d-4a8d-9a1a-6a5e0e1c2f3d"})
    assert response.status_code == 200
    # Computed independently: base64(HMAC-SHA256("cs-test", token)).
    assert response.json() == {
        "response_token": "sha256=W9xXLkgT1aAHaXnzqLLdW1f/Ntf5u9RGmOZjJx5+iMo="
    }


@pytest.mark.parametrize(
    "params",
    [{}, {"crc_token": ""}, {"crc_token": "a" * (MAX_CRC_TOKEN_LENGTH + 1)}, {"crc_token": "é"}],
)
def test_crc_refuses_missing_oversize_or_odd_tokens(secret, client, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert "crc_token" in response.json()["reason"]


def test_crc_accepts_the_longest_allowed_token(secret, client):
    assert client.get(URL, {"crc_token": "a" * MAX_CRC_TOKEN_LENGTH}).status_code == 200


def test_without_a_secret_the_webhook_fails_closed(settings, client, acme):
    settings.X_CONSUMER_SECRET = ""
    assert client.get(URL, {"crc_token": "abc"}).status_code == 403
    body = json.dumps(EXAMPLE["body"]).encode()
    assert post(body, x_signature("", body)).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_other_methods_are_not_allowed(secret, client):
    assert client.put(URL).status_code == 405


# --- Signed events -------------------------------------------------------------------------


def test_a_signed_mention_goes_through_the_pipeline_once(secret, acme):
    body, signature = signed(EXAMPLE["body"])
    response = post(body, signature)
    assert response.status_code == 200
    assert response.json()["new_cases"] == 1
    event = InboundEvent.objects.get()
    assert event.source == "webhook" and event.account == acme and event.external_id == TWEET_ID
    message = Message.objects.get()
    assert message.platform_id == TWEET_ID and message.case.account == acme
    # X delivers again (it retries): a duplicate, nothing new.
    again = post(body, signature)
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=",
        "sha256=W9xXLkgT1aAHaXnzqLLdW1f/Ntf5u9RGmOZjJx5+iMo=",  # a valid HMAC of something else
        "sha1=abc",
    ],
)
def test_a_missing_or_wrong_signature_is_refused(secret, acme, signature):
    body = json.dumps(EXAMPLE["body"]).encode()
    response = post(body, signature)
    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0


def test_a_body_signed_with_another_secret_is_refused(secret, acme):
    body = json.dumps(EXAMPLE["body"]).encode()
    assert post(body, x_signature("not-the-secret", body)).status_code == 403


def test_a_tampered_body_is_refused(secret, acme):
    body, signature = signed(EXAMPLE["body"])
    tampered = body.replace(b"Sigue fallando", b"Todo bien")
    assert post(tampered, signature).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_an_oversize_body_is_refused_before_anything_else(secret, acme, settings):
    settings.SADA_MAX_WEBHOOK_BYTES = 1000
    body, signature = signed({"for_user_id": FOR_USER, "padding": "x" * 2000})
    response = post(body, signature)
    assert response.status_code == 413


def test_invalid_json_that_is_correctly_signed_gets_400_with_a_reason(secret, acme):
    for body in (b'{"tweet_create_events": [', b"\xff\xfe", b"[1, 2]"):
        response = post(body, x_signature(SECRET, body))
        assert response.status_code == 400
        assert response.json()["reason"]


def test_tweet_create_events_that_is_not_a_list_gets_400(secret, acme):
    body, signature = signed({"for_user_id": FOR_USER, "tweet_create_events": {"id": 1}})
    response = post(body, signature)
    assert response.status_code == 400 and "list" in response.json()["reason"]


def test_other_event_kinds_and_unknown_accounts_are_acknowledged_and_ignored(secret, acme):
    body, signature = signed({"for_user_id": FOR_USER, "favorite_events": [{"id": "1"}]})
    assert post(body, signature).json() == {"ignored": "no tweet_create_events"}
    other = dict(EXAMPLE["body"], for_user_id="999")
    body, signature = signed(other)
    assert post(body, signature).json() == {"ignored": "unknown for_user_id"}
    assert InboundEvent.objects.count() == 0


def test_real_v1_tweets_as_webhook_events_are_ingested(secret, acme):
    """rtweet's recorded v1.1 mentions are the tweet objects webhooks carry."""
    cassette = json.loads(fixture_path("rtweet", "mentions.json").read_text())
    tweets = json.loads(cassette["http_interactions"][0]["response"]["body"]["string"])
    body, signature = signed({"for_user_id": FOR_USER, "tweet_create_events": tweets})
    response = post(body, signature)
    assert response.status_code == 200
    assert response.json()["received"] == len(tweets)
    assert InboundEvent.objects.filter(source="webhook").count() == len(tweets)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_tweet_by_webhook_and_by_poll_at_once_is_one_message(postgres_only, settings):
    settings.X_CONSUMER_SECRET = SECRET
    account = SocialAccount.objects.create(handle="AcmeSupport", external_id=FOR_USER)
    template = EXAMPLE["body"]["tweet_create_events"][0]
    author = template["user"]["id_str"]

    def race(tweet_id: str) -> list[dict]:
        """The webhook and the poller deliver `tweet_id` at the same moment."""
        tweet = dict(template, id_str=tweet_id, in_reply_to_status_id_str=None)
        body, signature = signed(dict(EXAMPLE["body"], tweet_create_events=[tweet]))
        page = parse_v2_page(
            {
                "data": [
                    {
                        "id": tweet_id,
                        "text": template["text"],
                        "author_id": author,
                        "conversation_id": tweet_id,
                        "edit_history_tweet_ids": [tweet_id],
                    }
                ],
                "includes": {"users": [{"id": author, "username": "mariadev"}]},
                "meta": {"result_count": 1, "newest_id": tweet_id},
            }
        )
        barrier = threading.Barrier(2)
        outcomes = []

        def by_webhook():
            try:
                barrier.wait(10)
                outcomes.append(post(body, signature).json())
            finally:
                connection.close()

        def by_poll():
            try:
                barrier.wait(10)
                outcomes.append(dict(pages_ingest([page], account=account, source="poll")))
            finally:
                connection.close()

        threads = [threading.Thread(target=by_webhook), threading.Thread(target=by_poll)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        return outcomes

    ids = [f"19294730682340277{n:02d}" for n in range(5)]
    for tweet_id in ids:
        outcomes = race(tweet_id)
        assert len(outcomes) == 2
        assert sorted(o["new_cases"] + o["appended"] for o in outcomes) == [0, 1]
        assert sorted(o["duplicates"] for o in outcomes) == [0, 1]
    assert sorted(Message.objects.values_list("platform_id", flat=True)) == ids
    assert InboundEvent.objects.count() == 5
