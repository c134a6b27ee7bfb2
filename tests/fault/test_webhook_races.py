"""The same tweet arriving several times at once: one webhook delivered twice and
concurrently (X retries deliveries), and a tweet arriving by webhook while the
poller stores it. Real HTTP to the live server, real threads, real PostgreSQL
connections: exactly one message per tweet, whoever wins."""

import json
import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
import requests
from django.core.management import call_command
from django.db import connection

from cases.models import Message
from social_ingest.models import InboundEvent, SocialAccount
from social_ingest.signatures import x_signature
from tests.factories import ACCOUNT_ID
from tests.fault.conftest import CREDENTIALS
from tests.fault.invariants import assert_invariants

URL = "/social/x/webhook/"
N = 120  # tweets arriving both ways


def v1_tweet(fake, tweet: dict) -> dict:
    """The fake X's mention as X's Account Activity API sends it (v1.1 shape)."""
    user = fake.users[tweet["author_id"]]
    created = datetime.strptime(tweet["created_at"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
    return {
        "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "id": int(tweet["id"]),
        "id_str": tweet["id"],
        "text": tweet["text"],
        "user": {
            "id": int(user["id"]),
            "id_str": user["id"],
            "name": user["name"],
            "screen_name": user["username"],
            "followers_count": 10,
            "verified": False,
        },
        "entities": {
            "hashtags": [],
            "urls": [],
            "user_mentions": [{"screen_name": fake.username, "id_str": fake.user_id}],
        },
        "lang": tweet["lang"],
    }


def signed_body(fake, tweets: list[dict]) -> tuple[bytes, dict]:
    body = json.dumps(
        {"for_user_id": fake.user_id, "tweet_create_events": [v1_tweet(fake, t) for t in tweets]}
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "x-twitter-webhooks-signature": x_signature(CREDENTIALS["X_CONSUMER_SECRET"], body),
    }
    return body, headers


def at_once(*jobs, timeout: float = 60) -> list:
    """Run the jobs in threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - handed back to the test, which asserts
            results[i] = exc
        finally:
            connection.close()  # each thread's own database connection

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results


@pytest.fixture
def account(transactional_db):
    return SocialAccount.objects.create(handle="SadaMinistry", external_id=ACCOUNT_ID)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_webhook_delivered_eight_times_at_once_is_one_message(
    postgres_only, live_x, live_server, account
):
    tweet = live_x.add_mention("@SadaMinistry the same delivery, again and again")
    body, headers = signed_body(live_x, [tweet])

    def deliver():
        return requests.post(live_server.url + URL, data=body, headers=headers, timeout=30)

    answers = at_once(*[deliver] * 8)
    assert all(isinstance(a, requests.Response) for a in answers), answers
    assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers]
    summaries = [a.json() for a in answers]
    assert sum(s["new_cases"] for s in summaries) == 1
    assert sum(s["duplicates"] for s in summaries) == 7
    # Delivered once more, later (X retries for up to hours): still a duplicate.
    assert deliver().json()["duplicates"] == 1
    assert_invariants(served={tweet["id"]})
    assert Message.objects.get().platform_id == tweet["id"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tweets_arriving_by_webhook_and_poll_at_once_are_stored_once(
    postgres_only, live_x, x_server, live_server, account
):
    tweets = [
        live_x.add_mention(f"@SadaMinistry both ways {i}", author_id=str(900 + i)) for i in range(N)
    ]
    # Newest first, as X sends them, and in another order in a second delivery.
    body, headers = signed_body(live_x, tweets[::-1])
    body2, headers2 = signed_body(live_x, tweets)

    # The deliveries leave when the poller has read its page, so both store at once.
    fetched = threading.Event()
    live_x.hooks["mentions"] = lambda query: fetched.set()

    def webhook(data, head):
        def deliver():
            assert fetched.wait(30), "the poller never asked X"
            return requests.post(live_server.url + URL, data=data, headers=head, timeout=60)

        return deliver

    def poll():
        call_command("poll_mentions", "--once")
        return "polled"

    answers = at_once(
        webhook(body, headers), webhook(body2, headers2), poll, webhook(body, headers)
    )
    assert answers[2] == "polled", answers[2]
    for answer in (answers[0], answers[1], answers[3]):
        assert isinstance(answer, requests.Response) and answer.status_code == 200, answer
    new_cases = sum(a.json()["new_cases"] for a in (answers[0], answers[1], answers[3]))
    assert new_cases <= N
    ids = {t["id"] for t in tweets}
    assert x_server.served == ids
    totals = assert_invariants(served=ids)
    assert totals.mentions == totals.cases == N
    sources = Counter(InboundEvent.objects.values_list("source", flat=True))
    print(f"\nwebhook+poll: {N} tweets, 3 deliveries + 1 poll at once; stored by {sources}")
