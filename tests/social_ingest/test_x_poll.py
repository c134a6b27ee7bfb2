"""Polling X mentions: pages, watermark, overlap, gaps, errors on the account, the lease."""

import json
import logging
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases.models import Case, Message
from social_ingest import services
from social_ingest.models import InboundEvent, MentionGap, SocialAccount
from social_ingest.polling import id_before
from tests.conftest import fixture_path
from tests.social_ingest.conftest import example, mentions_url, recording
from tests.social_ingest.fakex import (
    SERVICE_UNAVAILABLE,
    TIMEOUT,
    TOO_MANY,
    UNAUTHORIZED,
    USAGE_CAPPED,
    Failure,
)

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def poll(account, **kw):
    return services.account_poll(account=account, **kw)


def mention_requests(fake):
    return [q for method, path, q in fake.requests if path.endswith("/mentions")]


def reload(account) -> SocialAccount:
    return SocialAccount.objects.get(pk=account.pk)


# --- Pages and the watermark ------------------------------------------------------------


def test_empty_page_is_a_successful_poll_that_moves_nothing(fake_x, account):
    result = poll(account)
    assert result.status == "polled" and result.pages == 1
    account = reload(account)
    assert account.since_id == "" and account.health == "ok"
    assert account.last_poll_at is not None and account.last_attempt_at is not None
    assert InboundEvent.objects.count() == 0


@time_machine.travel(T0, tick=False)
def test_every_page_is_read_and_the_watermark_is_the_first_pages_newest(fake_x, account):
    tweets = fake_x.burst(230)
    newest = tweets[-1]["id"]
    result = poll(account)
    assert result.status == "polled" and result.pages == 3
    assert result.counts["new_cases"] == 230 and result.counts["received"] == 230
    queries = mention_requests(fake_x)
    assert "since_id" not in queries[0] and "pagination_token" not in queries[0]
    assert [q.get("pagination_token") for q in queries[1:]] == ["tok-100", "tok-200"]
    account = reload(account)
    assert account.since_id == newest
    assert Message.objects.count() == 230 == InboundEvent.objects.filter(source="poll").count()
    assert account.last_mention_at is not None


def test_next_poll_asks_from_just_before_the_watermark_and_stores_nothing_twice(fake_x, account):
    with time_machine.travel(T0, tick=False):
        fake_x.burst(3)
        poll(account)
    watermark = reload(account).since_id
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        fresh = fake_x.add_mention("@SadaMinistry new one")
        result = poll(account)
    assert mention_requests(fake_x)[-1]["since_id"] == id_before(watermark)
    assert result.counts["new_cases"] == 1 and result.counts["duplicates"] == 1
    assert reload(account).since_id == fresh["id"]
    assert Message.objects.count() == 4


def test_a_late_mention_inside_the_overlap_window_is_caught(fake_x, account):
    with time_machine.travel(T0, tick=False):
        early = fake_x.add_mention("@SadaMinistry first")
        poll(account)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        fake_x.burst(2)
        poll(account)  # watermark moves at T0+10
    late_id = str(int(early["id"]) + 1)  # written before the burst, listed only now
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        fake_x.add_mention("@SadaMinistry I was late", tweet_id=late_id)
        result = poll(account)
    assert result.counts["new_cases"] == 1
    assert Message.objects.filter(platform_id=late_id).exists()
    # The floor was the watermark as it stood at T0+7: the first mention.
    assert mention_requests(fake_x)[-1]["since_id"] == id_before(early["id"])


def test_a_mention_listed_later_than_the_overlap_window_is_out_of_reach(fake_x, account):
    """The window is a bound, by design: X_POLL_OVERLAP_SECONDS says how late is too late."""
    with time_machine.travel(T0, tick=False):
        early = fake_x.add_mention()
        poll(account)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        fake_x.burst(1)
        poll(account)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        fake_x.add_mention(tweet_id=str(int(early["id"]) + 1))
        result = poll(account)
    assert result.counts["new_cases"] == 0


def test_the_tweepy_recording_pages_through_and_keeps_ids_as_strings(x_settings, rsps, account):
    [interaction] = recording("test_client_get_users_mentions.json")
    body = interaction["response"]["json"]
    token = body["meta"]["next_token"]
    headers = {k: v for k, v in interaction["response"]["headers"].items() if k != "content-type"}
    calls = []

    def callback(request):
        calls.append(request.params.get("pagination_token"))
        if request.params.get("pagination_token") == token:
            return 200, {}, json.dumps({"meta": {"result_count": 0}})
        return 200, headers, json.dumps(body)

    rsps.add_callback("GET", mentions_url(), callback=callback)
    result = poll(account)
    assert result.status == "polled" and calls == [None, token]
    assert result.counts["received"] == 10
    account = reload(account)
    assert account.since_id == body["meta"]["newest_id"] == "1578516295611748353"
    assert account.rate_limit_remaining == 448 and account.rate_limit_limit == 450
    assert set(InboundEvent.objects.values_list("external_id", flat=True)) == {
        t["id"] for t in body["data"]
    }


def test_partial_errors_in_a_200_are_kept_with_the_tweet_and_not_fatal(x_settings, rsps, account):
    body = example("mentions_response_example.json")["response"]
    rsps.add_callback(
        "GET",
        mentions_url(),
        callback=lambda r: (
            200,
            {},
            json.dumps(
                body if "pagination_token" not in r.params else {"meta": {"result_count": 0}}
            ),
        ),
    )
    result = poll(account)
    assert result.status == "polled" and result.pages == 2
    assert reload(account).health == "ok"
    quoting = InboundEvent.objects.get(external_id="1929468467082347733")
    assert quoting.payload["errors"][0]["resource_id"] == "1929461865247973810"
    assert reload(account).since_id == "1929473068234027715"


def test_withheld_tweets_and_users_are_ingested(x_settings, rsps, account):
    excerpt = json.loads(fixture_path("twarc-csv", "withheld_excerpt.json").read_text())
    body = {
        "data": excerpt["withheld_tweets"],
        "includes": {"users": excerpt.get("withheld_users", [])},
        "errors": excerpt.get("errors", []),
        "meta": {"result_count": len(excerpt["withheld_tweets"])},
    }
    rsps.add("GET", mentions_url(), json=body)
    result = poll(account)
    assert result.status == "polled"
    assert result.counts["received"] == len(excerpt["withheld_tweets"])
    assert Message.objects.filter(withheld=True).exists()


def test_an_edit_joins_the_case_of_its_original(fake_x, account):
    with time_machine.travel(T0, tick=False):
        original = fake_x.add_mention("@SadaMinistry my bill is wrong")
        poll(account)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        edit_id = fake_x.new_id()
        fake_x.add_mention(
            "@SadaMinistry my bill is wrong (edited)",
            tweet_id=edit_id,
            edit_history_tweet_ids=[original["id"], edit_id],
            conversation_id=original["id"],
        )
        result = poll(account)
    assert result.counts["appended"] == 1
    assert Case.objects.count() == 1 and Message.objects.count() == 2
    assert Message.objects.get(platform_id=edit_id).edit_root_id == original["id"]


def test_an_account_without_its_x_id_learns_it_from_users_me(fake_x, db):
    account = SocialAccount.objects.create(handle="SadaMinistry")
    fake_x.add_mention()
    result = poll(account)
    assert result.status == "polled"
    assert reload(account).external_id == fake_x.user_id


# --- Gaps ---------------------------------------------------------------------------------


def test_more_mentions_than_x_lists_between_two_polls_records_a_gap(fake_x, account, settings):
    fake_x.reachable = 150
    settings.X_MENTIONS_GAP_THRESHOLD = 140
    with time_machine.travel(T0, tick=False):
        first = fake_x.add_mention()
        poll(account)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        fake_x.burst(200)
        result = poll(account)
    assert result.status == "polled" and result.counts["received"] == 150
    gap = MentionGap.objects.get()
    assert result.gap == gap and "GAP" in result.describe()
    assert gap.account == account and gap.after_id == first["id"]
    assert gap.fetched_count == 150 and gap.acknowledged_at is None
    # The 50 mentions nobody can reach any more lie between the two ids.
    assert int(first["id"]) < int(gap.before_id)
    assert reload(account).since_id == max(fake_x.mentions, key=lambda i: (len(i), i))


def test_exactly_as_many_as_x_lists_but_reaching_the_watermark_is_no_gap(fake_x, account, settings):
    fake_x.reachable = 150
    settings.X_MENTIONS_GAP_THRESHOLD = 140
    with time_machine.travel(T0, tick=False):
        fake_x.add_mention()
        poll(account)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        fake_x.burst(149)
        result = poll(account)
    assert result.counts["new_cases"] == 149
    assert not MentionGap.objects.exists()


# --- A crash between pages or mid-ingest -------------------------------------------------


def test_a_failure_after_page_one_loses_nothing_and_doubles_nothing(fake_x, account):
    with time_machine.travel(T0, tick=False):
        fake_x.burst(230)
        # Page 1 answers, page 2 fails: what page 1 held is stored, the watermark stays.
        original = fake_x.handle

        def page_two_fails(method, path, query, body):
            if query.get("pagination_token") == "tok-100" and not page_two_fails.done:
                page_two_fails.done = True
                return 503, {}, SERVICE_UNAVAILABLE
            return original(method, path, query, body)

        page_two_fails.done = False
        fake_x.handle = page_two_fails
        result = poll(account)
    assert result.status == "failed" and result.counts["new_cases"] == 100
    account = reload(account)
    assert account.since_id == "" and account.health == "error"
    assert "503" in account.last_error
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        result = poll(account)
    assert result.status == "polled"
    assert result.counts["duplicates"] == 100 and result.counts["new_cases"] == 130
    assert Message.objects.count() == 230 == InboundEvent.objects.count()
    assert len(set(Message.objects.values_list("platform_id", flat=True))) == 230


def test_a_crash_in_the_middle_of_storing_loses_nothing_after_restart(fake_x, account, monkeypatch):
    burst = services.INGEST_BATCH + 50
    fake_x.burst(burst)
    real_intake = services.intake_many
    taken = []

    def dies_in_the_second_batch(mentions, **kw):
        # The worker dies in the middle of the second batch's intake.
        if len(taken) + len(mentions) > services.INGEST_BATCH + 20:
            raise KeyboardInterrupt("worker killed")
        taken.extend(mentions)
        return real_intake(mentions, **kw)

    monkeypatch.setattr(services, "intake_many", dies_in_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        poll(account)
    # Items commit in batches: the batch being stored when the worker died is
    # rolled back whole (its raw events too), earlier batches stay.
    committed = InboundEvent.objects.count()
    assert committed == services.INGEST_BATCH == Message.objects.count()
    account = reload(account)
    assert account.since_id == "" and account.poll_lease_owner == ""
    monkeypatch.setattr(services, "intake_many", real_intake)
    result = poll(account)
    assert (
        result.counts["new_cases"] == burst - committed and result.counts["duplicates"] == committed
    )
    assert Message.objects.count() == burst


# --- Errors, each visible on the account ------------------------------------------------


def test_a_429_window_pauses_the_account_until_x_reset(fake_x, account):
    reset = int(time.time()) + 600
    fake_x.fail(
        "mentions",
        Failure(429, TOO_MANY, {"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"}),
    )
    result = poll(account)
    assert result.status == "failed" and result.reason == "rate_limited"
    account = reload(account)
    assert account.health == "rate_limited" and account.rate_limit_remaining == 0
    assert account.backoff_until == datetime.fromtimestamp(reset + 1, tz=UTC)
    asked = len(fake_x.requests)
    skipped = poll(account)
    assert skipped.status == "skipped" and skipped.reason == "rate_limited"
    assert skipped.until == account.backoff_until and "not polled" in skipped.describe()
    assert len(fake_x.requests) == asked  # no hammering
    with time_machine.travel(account.backoff_until + timedelta(seconds=1), tick=False):
        assert poll(account).status == "polled"
    assert reload(account).health == "ok"


def test_the_usage_cap_alerts_and_stops_asking(fake_x, account, caplog):
    fake_x.fail("mentions", Failure(429, USAGE_CAPPED, {"x-rate-limit-reset": "1"}))
    with caplog.at_level(logging.ERROR, logger="social_ingest.services"):
        result = poll(account)
    assert result.reason == "usage_capped"
    assert any("usage cap" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    account = reload(account)
    assert account.health == "usage_capped" and "Usage cap exceeded" in account.last_error
    assert account.backoff_until >= timezone.now() + timedelta(minutes=59)
    asked = len(fake_x.requests)
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert poll(account).reason == "usage_capped"
    assert len(fake_x.requests) == asked
    # An operator who knows the cap was lifted forces a poll.
    assert poll(account, force=True).status == "polled"


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (401, UNAUTHORIZED, "Unauthorized"),
        (
            403,
            {
                "title": "Forbidden",
                "detail": "When authenticating requests to the Twitter API v2 endpoints, you "
                "must use keys and tokens from a Twitter developer App that is attached "
                "to a Project.",
                "type": "https://api.twitter.com/2/problems/client-forbidden",
                "reason": "client-not-enrolled",
            },
            "attached to a Project",
        ),
    ],
)
def test_401_and_403_mark_the_account_unauthorized_with_x_message(
    fake_x, account, status, body, shown
):
    fake_x.fail("mentions", Failure(status, body))
    result = poll(account)
    assert result.reason == "unauthorized"
    account = reload(account)
    assert account.health == "unauthorized" and shown in account.last_error
    assert account.backoff_until > timezone.now() + timedelta(minutes=14)


def test_server_errors_and_timeouts_back_off_longer_each_time_then_recover(fake_x, account):
    fake_x.fail("mentions", Failure(503, SERVICE_UNAVAILABLE), Failure(action=TIMEOUT))
    with time_machine.travel(T0, tick=False):
        assert poll(account).reason == "error"
        first = reload(account)
        assert first.backoff_until == T0 + timedelta(seconds=15)
        assert first.consecutive_failures == 1 and "503" in first.last_error
    with time_machine.travel(T0 + timedelta(seconds=16), tick=False):
        assert poll(account).reason == "error"
        second = reload(account)
        assert second.backoff_until == T0 + timedelta(seconds=16 + 30)
        assert "did not answer in time" in second.last_error
    with time_machine.travel(T0 + timedelta(seconds=47), tick=False):
        assert poll(account).status == "polled"
    recovered = reload(account)
    assert recovered.health == "ok" and recovered.consecutive_failures == 0
    assert recovered.backoff_until is None
    assert "did not answer in time" in recovered.last_error  # kept on record


def test_a_used_up_rate_window_pauses_before_x_says_429(fake_x, account):
    fake_x.rate_remaining = 1  # the next answer says 0 left
    assert poll(account).status == "polled"
    account = reload(account)
    assert account.rate_limit_remaining == 0 and account.health == "ok"
    skipped = poll(account)
    assert skipped.reason == "rate_window_used_up"


def test_an_inactive_account_is_not_polled(fake_x, account):
    SocialAccount.objects.filter(pk=account.pk).update(is_active=False)
    assert poll(account).reason == "inactive"
    assert fake_x.requests == []


def test_missing_credentials_are_shown_on_the_account(settings, account):
    for name in ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_BEARER_TOKEN"):
        setattr(settings, name, "")
    result = poll(account)
    assert result.reason == "unauthorized"
    assert "No X credentials" in reload(account).last_error


# --- One poller at a time, and a watermark that never goes back -------------------------


def test_a_second_poller_is_locked_out_while_a_live_lease_is_held(fake_x, account):
    SocialAccount.objects.filter(pk=account.pk).update(
        poll_lease_owner="other-host:1:abcd", poll_lease_until=timezone.now() + timedelta(minutes=1)
    )
    result = poll(account)
    assert result.status == "skipped" and result.reason == "locked"
    assert "other-host" in result.detail
    assert fake_x.requests == []


def test_an_expired_lease_is_taken_over(fake_x, account):
    SocialAccount.objects.filter(pk=account.pk).update(
        poll_lease_owner="other-host:1:abcd", poll_lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert poll(account).status == "polled"
    assert reload(account).poll_lease_owner == ""


def test_the_lease_of_a_killed_poller_on_this_machine_is_taken_over_at_once(fake_x, account):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    pid = int(dead.stdout)
    import socket

    SocialAccount.objects.filter(pk=account.pk).update(
        poll_lease_owner=f"{socket.gethostname()}:{pid}:dead",
        poll_lease_until=timezone.now() + timedelta(minutes=2),
    )
    assert poll(account).status == "polled"


def test_a_poller_that_lost_its_lease_mid_poll_leaves_the_watermark_alone(fake_x, account):
    fake_x.burst(150)

    def stolen(query):
        if query.get("pagination_token"):
            return
        SocialAccount.objects.filter(pk=account.pk).update(poll_lease_owner="thief:1:x")

    fake_x.hooks["mentions"] = stolen
    result = poll(account)
    assert result.status == "failed" and result.reason == "lease_lost"
    assert reload(account).since_id == ""
    assert result.counts["new_cases"] == 100  # what it read is stored all the same


def test_a_stale_poller_cannot_move_the_watermark_back(fake_x, account):
    fake_x.burst(3)

    def other_poller_finishes_first(query):
        SocialAccount.objects.filter(pk=account.pk).update(since_id="9" * 19)

    fake_x.hooks["mentions"] = other_poller_finishes_first
    result = poll(account)
    assert result.status == "polled"
    assert reload(account).since_id == "9" * 19


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_pollers_at_once_on_postgresql_only_one_polls(postgres_only, fake_x):
    account = SocialAccount.objects.create(handle="SadaMinistry", external_id=fake_x.user_id)
    fake_x.burst(5)
    inside, release = threading.Event(), threading.Event()

    def hold(query):
        inside.set()
        release.wait(10)

    fake_x.hooks["mentions"] = hold
    results = {}

    def first():
        try:
            results["first"] = services.account_poll(
                account=SocialAccount.objects.get(pk=account.pk)
            )
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    try:
        results["second"] = services.account_poll(account=SocialAccount.objects.get(pk=account.pk))
    finally:
        release.set()
        thread.join(20)
    assert results["second"].status == "skipped" and results["second"].reason == "locked"
    assert results["first"].status == "polled" and results["first"].counts["new_cases"] == 5
    assert len(mention_requests(fake_x)) == 1
    assert Message.objects.count() == 5


# --- Which accounts are due -------------------------------------------------------------


def test_accounts_are_due_by_their_own_interval_and_not_while_paused(account):
    now = T0
    other = SocialAccount.objects.create(
        handle="Other", external_id="42", poll_interval_seconds=300, last_attempt_at=now
    )
    paused = SocialAccount.objects.create(
        handle="Paused", external_id="43", backoff_until=now + timedelta(minutes=1)
    )
    SocialAccount.objects.create(handle="Off", external_id="44", is_active=False)
    assert services.accounts_poll_due(now=now) == [account.pk]
    SocialAccount.objects.filter(pk=account.pk).update(last_attempt_at=now)
    later = now + timedelta(seconds=58)  # a 60 s interval on a 60 s schedule stays due
    assert services.accounts_poll_due(now=later) == [account.pk]
    assert paused.pk in services.accounts_poll_due(now=now + timedelta(seconds=61))
    assert other.pk in services.accounts_poll_due(now=now + timedelta(seconds=300))
