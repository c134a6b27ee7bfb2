"""Agents' replies posted to X exactly once: retries, permanent failures, dead workers."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases.mention import Author, Mention
from cases.models import Case, CaseEvent, Message
from cases.services import case_reply, intake
from social_ingest import services, tasks
from social_ingest.models import DeliveryAttempt, SocialAccount
from social_ingest.selectors import deliveries_due
from tests.social_ingest.fakex import (
    DROP,
    SERVICE_UNAVAILABLE,
    TIMEOUT,
    TOO_MANY,
    UNAUTHORIZED,
    USAGE_CAPPED,
    Failure,
)

CUSTOMER_TWEET = "1929473068234027715"


@pytest.fixture
def case(account) -> Case:
    mention = Mention(
        platform="x",
        external_id=CUSTOMER_TWEET,
        text="@SadaMinistry my permit renewal is stuck",
        author=Author(external_id="1353829371620040705", handle="mariadev", name="María"),
        conversation_id=CUSTOMER_TWEET,
    )
    return intake(mention, account=account).case


def reply(case, agent, text="Thank you, we are checking your permit now.") -> Message:
    return case_reply(case=case, author=agent, text=text)


def deliver(message) -> str:
    return tasks.deliver_reply(message.pk)


def fresh(message) -> Message:
    return Message.objects.get(pk=message.pk)


def own_timeline_reads(fake):
    return [r for r in fake.requests if r[1].endswith("/tweets") and r[0] == "GET"]


def later(minutes: float):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_a_reply_is_posted_in_reply_to_the_customer_tweet_and_recorded(fake_x, case, agent):
    message = reply(case, agent)
    assert fresh(message).delivery == "queued"
    assert deliver(message) == "posted"
    [posted] = fake_x.posts
    assert posted == {
        "text": "Thank you, we are checking your permit now.",
        "reply": {"in_reply_to_tweet_id": CUSTOMER_TWEET},
    }
    message = fresh(message)
    assert message.delivery == "sent" and message.delivery_attempts == 1
    assert message.platform_id in fake_x.own and message.delivered_at is not None
    assert Case.objects.get(pk=case.pk).first_responded_at == message.delivered_at
    assert CaseEvent.objects.filter(case=case, kind="reply_delivered").count() == 1
    attempt = DeliveryAttempt.objects.get()
    assert attempt.outcome == "posted" and attempt.tweet_id == message.platform_id
    assert own_timeline_reads(fake_x) == []  # nothing uncertain, nothing to look up


def test_running_the_task_again_posts_nothing(fake_x, case, agent):
    message = reply(case, agent)
    deliver(message)
    assert deliver(message) == "done"
    assert len(fake_x.posts) == 1


@pytest.mark.parametrize(
    ("setup", "shown"),
    [
        ("duplicate", "duplicate content"),
        ("deleted", "deleted or not visible"),
    ],
)
def test_a_403_fails_the_reply_for_good_with_x_reason(fake_x, case, agent, setup, shown):
    if setup == "duplicate":
        fake_x.own["1"] = {"id": "1", "text": "Thank you, we are checking your permit now."}
    else:
        fake_x.deleted.add(CUSTOMER_TWEET)
    message = reply(case, agent)
    assert deliver(message) == "failed"
    message = fresh(message)
    assert message.delivery == "failed" and shown in message.delivery_error
    assert CaseEvent.objects.filter(case=case, kind="reply_failed").exists()
    assert Case.objects.get(pk=case.pk).first_responded_at is None
    assert deliver(message) == "done"


def test_a_server_error_is_retried_after_a_back_off(fake_x, case, agent):
    fake_x.fail("post", Failure(503, SERVICE_UNAVAILABLE))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    message = fresh(message)
    assert message.delivery == "sending" and "retrying at" in message.delivery_error
    attempt = DeliveryAttempt.objects.get()
    assert attempt.outcome == "retry" and attempt.status_code == 503 and attempt.maybe_posted
    assert deliver(message) == "not_due"
    with later(1):
        assert deliveries_due(stale_seconds=300) == [message.pk]
        assert deliver(message) == "posted"
    # A 503 may hide a post: the account's timeline was checked before posting again.
    assert len(own_timeline_reads(fake_x)) == 1
    assert len(fake_x.posts) == 1 and fresh(message).delivery == "sent"


def test_a_post_x_made_despite_a_5xx_is_adopted_not_repeated(fake_x, case, agent):
    fake_x.fail("post", Failure(503, SERVICE_UNAVAILABLE, apply=True))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    assert len(fake_x.posts) == 1
    with later(1):
        assert deliver(message) == "adopted"
    message = fresh(message)
    assert message.delivery == "sent" and message.platform_id == next(iter(fake_x.own))
    assert len(fake_x.posts) == 1
    assert DeliveryAttempt.objects.get(number=2).outcome == "adopted"


def test_a_dropped_connection_after_x_posted_is_adopted(fake_x, case, agent):
    fake_x.fail("post", Failure(action=DROP, apply=True))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    with later(1):
        assert deliver(message) == "adopted"
    assert len(fake_x.posts) == 1


def test_a_timeout_where_x_did_not_post_is_posted_once_on_retry(fake_x, case, agent):
    fake_x.fail("post", Failure(action=TIMEOUT))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    with later(1):
        assert deliver(message) == "posted"
    assert len(fake_x.posts) == 1


def test_crash_after_posting_is_adopted_by_the_next_worker_never_posted_twice(
    fake_x, case, agent, monkeypatch
):
    """The worker dies after X answered 201 and before it wrote anything down."""
    message = reply(case, agent)
    real_finish = services._attempt_finish

    def killed_when_recording_the_post(attempt, **kw):
        if kw.get("outcome") == "posted":
            raise KeyboardInterrupt("SIGKILL")
        return real_finish(attempt, **kw)

    monkeypatch.setattr(services, "_attempt_finish", killed_when_recording_the_post)
    with pytest.raises(KeyboardInterrupt):
        deliver(message)
    monkeypatch.undo()
    assert len(fake_x.posts) == 1
    message = fresh(message)
    assert message.delivery == "sending" and message.delivery_attempts == 1
    # Another worker right away: the attempt may still be alive, so it waits.
    assert deliver(message) == "in_progress"
    assert deliveries_due(stale_seconds=300) == []
    with later(6):
        assert deliveries_due(stale_seconds=300) == [message.pk]
        assert deliver(message) == "adopted"
    message = fresh(message)
    assert len(fake_x.posts) == 1
    assert message.delivery == "sent" and message.platform_id == next(iter(fake_x.own))
    assert len(own_timeline_reads(fake_x)) == 1


def test_crash_after_recording_x_answer_is_finished_without_asking_x(
    fake_x, case, agent, monkeypatch
):
    message = reply(case, agent)

    def worker_killed(**kw):
        raise KeyboardInterrupt("SIGKILL")

    monkeypatch.setattr(services, "reply_delivered", worker_killed)
    with pytest.raises(KeyboardInterrupt):
        deliver(message)
    monkeypatch.undo()
    asked = len(fake_x.requests)
    assert deliver(message) == "recovered"
    message = fresh(message)
    assert message.delivery == "sent" and message.platform_id == next(iter(fake_x.own))
    assert len(fake_x.requests) == asked and len(fake_x.posts) == 1


def test_a_fake_without_reply_references_is_matched_on_the_text(fake_x, case, agent):
    fake_x.own_tweets_give_reply_refs = False
    fake_x.fail("post", Failure(action=DROP, apply=True))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    with later(1):
        assert deliver(message) == "adopted"
    assert len(fake_x.posts) == 1


def test_a_429_waits_for_the_reset_and_needs_no_lookup(fake_x, case, agent):
    reset = int(timezone.now().timestamp()) + 120
    fake_x.fail("post", Failure(429, TOO_MANY, {"x-rate-limit-reset": str(reset)}))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    attempt = DeliveryAttempt.objects.get()
    assert not attempt.maybe_posted
    assert attempt.retry_at.timestamp() == reset + 1
    with later(1):
        assert deliver(message) == "not_due"
    with later(3):
        assert deliver(message) == "posted"
    assert own_timeline_reads(fake_x) == []


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [(429, USAGE_CAPPED, "Usage cap exceeded"), (401, UNAUTHORIZED, "Unauthorized")],
)
def test_usage_cap_and_bad_credentials_fail_the_reply_and_show_on_the_account(
    fake_x, case, agent, account, status, body, shown
):
    fake_x.fail("post", Failure(status, body))
    message = reply(case, agent)
    assert deliver(message) == "failed"
    assert shown in fresh(message).delivery_error
    assert shown in SocialAccount.objects.get(pk=account.pk).last_error


def test_when_the_earlier_post_cannot_be_checked_the_reply_is_not_risked_twice(fake_x, case, agent):
    fake_x.fail("post", Failure(action=TIMEOUT))
    fake_x.fail("own", Failure(404, {"title": "Not Found Error", "detail": "Not found"}))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    with later(1):
        assert deliver(message) == "failed"
    message = fresh(message)
    assert "Could not check on X" in message.delivery_error
    assert fake_x.posts == []


def test_a_lookup_that_fails_for_a_while_keeps_the_doubt_for_the_next_try(fake_x, case, agent):
    fake_x.fail("post", Failure(action=TIMEOUT, apply=True))
    fake_x.fail("own", Failure(503, SERVICE_UNAVAILABLE))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    with later(1):
        assert deliver(message) == "retry"
    assert DeliveryAttempt.objects.get(number=2).maybe_posted
    with later(3):
        assert deliver(message) == "adopted"
    assert len(fake_x.posts) == 1


def test_after_the_last_attempt_the_reply_fails_with_the_last_error(fake_x, case, agent, settings):
    settings.X_DELIVERY_MAX_ATTEMPTS = 2
    fake_x.fail("post", Failure(500, SERVICE_UNAVAILABLE), Failure(502, SERVICE_UNAVAILABLE))
    message = reply(case, agent)
    assert deliver(message) == "retry"
    with later(1):
        assert deliver(message) == "retry"
    with later(5):
        assert deliver(message) == "failed"
    message = fresh(message)
    assert "Gave up after 2 attempts" in message.delivery_error and "502" in message.delivery_error
    assert fake_x.posts == []


def test_a_case_on_another_channel_is_not_posted_to_x(fake_x, db, agent):
    mention = Mention(
        platform="wa", external_id="wamid.1", text="hello", author=Author(external_id="u1")
    )
    case = intake(mention).case
    message = reply(case, agent)
    assert deliver(message) == "failed"
    assert "cannot post on channel 'wa'" in fresh(message).delivery_error
    assert fake_x.requests == []


def test_retry_deliveries_requeues_due_and_lost_replies(fake_x, case, agent, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "async_task", lambda func, *args: queued.append((func, args)))
    message = reply(case, agent)
    assert tasks.retry_deliveries() == []  # its own task is on its way
    with later(3):
        assert tasks.retry_deliveries() == [message.pk]  # ... or was lost (Redis)
    assert queued == [("social_ingest.tasks.deliver_reply", (message.pk,))]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_delivering_the_same_reply_at_once_post_it_once(postgres_only, fake_x, agent):
    account = SocialAccount.objects.create(handle="SadaMinistry", external_id=fake_x.user_id)
    mention = Mention(
        platform="x", external_id=CUSTOMER_TWEET, text="help", author=Author(external_id="7")
    )
    case = intake(mention, account=account).case
    message = reply(case, agent)
    inside, release = threading.Event(), threading.Event()

    def hold(query):
        inside.set()
        release.wait(10)

    fake_x.hooks["post"] = hold
    outcomes = {}

    def first():
        try:
            outcomes["first"] = tasks.deliver_reply(message.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    try:
        outcomes["second"] = tasks.deliver_reply(message.pk)
    finally:
        release.set()
        thread.join(20)
    assert outcomes == {"first": "posted", "second": "in_progress"}
    assert len(fake_x.posts) == 1 and fresh(message).delivery == "sent"
