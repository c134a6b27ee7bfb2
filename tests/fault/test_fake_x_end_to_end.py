"""End to end through real HTTP: a fake X on localhost, tweepy, the poller and the
reply task. At the end of each test: every mention the server served is exactly
one message, every reply posted exactly once, every failure shown on the account."""

import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cases.models import Message
from cases.services import case_reply
from social_ingest import selectors, services, tasks
from social_ingest.models import DeliveryAttempt, InboundEvent, MentionGap, SocialAccount
from tests.factories import ACCOUNT_ID
from tests.fault.conftest import database_url, subprocess_env
from tests.fault.invariants import assert_invariants
from tests.fault.pgblock import RowGate
from tests.social_ingest.fakex import DROP, SERVICE_UNAVAILABLE, TOO_MANY, USAGE_CAPPED, Failure

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def account(db):
    return SocialAccount.objects.create(handle="SadaMinistry", external_id=ACCOUNT_ID)


def poll_once(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("poll_mentions", "--once", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def assert_every_served_mention_once(x_server):
    """The suite's invariants, with every mention X lists as served."""
    assert x_server.served == x_server.fake.served_mention_ids(), "X did not list them all"
    return assert_invariants(served=x_server.served, fake=x_server.fake)


def reload(account):
    return SocialAccount.objects.get(pk=account.pk)


def test_bursts_late_arrivals_and_errors_over_real_http(live_x, x_server, account):
    with time_machine.travel(T0, tick=False):
        live_x.burst(250, author_id="501")
        assert "250 received" in poll_once()
    original = live_x.handle
    calls = []

    def second_page_fails(method, path, query, body):
        if path.endswith("/mentions"):
            calls.append(query)
            if len(calls) == 2:
                return 503, {}, SERVICE_UNAVAILABLE
        return original(method, path, query, body)

    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        live_x.burst(120, author_id="502")
        live_x.handle = second_page_fails
        output = poll_once()  # page 1 read, page 2 fails: page 1 kept, watermark stays
        live_x.handle = original
        assert "FAILED (error" in output and "503" in output
        assert reload(account).health == "error"
        assert "not polled (error" in poll_once()  # --once respects the back-off
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        assert "watermark" in poll_once()
        assert reload(account).health == "ok"
        newest = reload(account).since_id
        # Written just before the newest mention, listed by X only now.
        live_x.add_mention("@SadaMinistry late one", tweet_id=str(int(newest) - 1))
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        assert "new_cases 1" in poll_once()
    # A window rate limit: skipped until X's reset, then read.
    reset = int((T0 + timedelta(minutes=20)).timestamp())
    with time_machine.travel(T0 + timedelta(minutes=13), tick=False):
        live_x.fail("mentions", Failure(429, TOO_MANY, {"x-rate-limit-reset": str(reset)}))
        live_x.burst(5, author_id="504")
        assert "FAILED (rate_limited" in poll_once()
        assert "not polled (rate_limited until" in poll_once()
    with time_machine.travel(T0 + timedelta(minutes=21), tick=False):
        assert "new_cases 5" in poll_once()
    assert_every_served_mention_once(x_server)


def test_usage_cap_is_visible_and_not_hammered(live_x, account):
    live_x.burst(3)
    live_x.fail("mentions", Failure(429, USAGE_CAPPED))
    assert "FAILED (usage_capped" in poll_once()
    asked = len(live_x.requests)
    for _ in range(5):
        assert "not polled (usage_capped" in poll_once()
    assert len(live_x.requests) == asked
    [health] = selectors.account_health()
    assert health.health == "usage_capped" and "usage_capped" in health.alarms
    assert "Usage cap exceeded" in health.last_error


def test_a_stalled_x_is_cut_off_by_the_timeout(live_x, account, settings):
    settings.X_HTTP_TIMEOUT = 0.5
    live_x.hooks["mentions"] = lambda query: time.sleep(1.5)
    started = time.monotonic()
    output = poll_once()
    assert time.monotonic() - started < 1.4
    assert "did not answer in time" in output
    assert reload(account).health == "error"


def test_more_than_800_mentions_between_polls_is_a_gap_supervisors_see(
    live_x, x_server, account, supervisor, client
):
    with time_machine.travel(T0, tick=False):
        first = live_x.add_mention()
        poll_once()
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        live_x.burst(900)
        output = poll_once()
    assert "GAP" in output and "800 received" in output
    gap = MentionGap.objects.get()
    assert gap.after_id == first["id"] and gap.fetched_count == 800
    [health] = selectors.account_health()
    assert health.open_gaps == [gap] and "gap" in health.alarms
    # Exactly the 801 mentions X served are in, once each; 100 stayed out of its reach.
    totals = assert_invariants(served=x_server.served, fake=live_x)
    assert totals.mentions == len(x_server.served) == 801
    assert len(live_x.mentions) - len(x_server.served) == 100
    # The gap is on the supervisor's dashboard, in their language, until acknowledged.
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    client.force_login(supervisor)
    page = client.get("/supervisor/").content.decode()
    assert "1 gap" in page
    # The next poll reads nothing new and records no second gap.
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        assert "0 received" in poll_once()
    assert MentionGap.objects.count() == 1
    services.gap_acknowledge(gap=gap, user=supervisor)
    assert "1 gap" not in client.get("/supervisor/").content.decode()


def test_replies_are_posted_exactly_once_over_http(live_x, account, agent):
    customer_tweets = [
        live_x.add_mention(f"@SadaMinistry question {i}", author_id=str(600 + i)) for i in range(3)
    ]
    poll_once()
    replies = []
    for tweet in customer_tweets:
        case = Message.objects.get(platform_id=tweet["id"]).case
        replies.append(case_reply(case=case, author=agent, text=f"Answer to {tweet['id']}"))
    # 1: straight through. 2: X posts it but the connection drops before the answer.
    # 3: X is unavailable once.
    assert tasks.deliver_reply(replies[0].pk) == "posted"
    live_x.fail("post", Failure(action=DROP, apply=True))
    assert tasks.deliver_reply(replies[1].pk) == "retry"
    live_x.fail("post", Failure(503, SERVICE_UNAVAILABLE))
    assert tasks.deliver_reply(replies[2].pk) == "retry"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        due = selectors.deliveries_due(stale_seconds=300)
        assert sorted(due) == sorted(r.pk for r in replies[1:])
        outcomes = sorted(tasks.deliver_reply(pk) for pk in due)
    assert outcomes == ["adopted", "posted"]
    assert len(live_x.posts) == 3
    sent = Message.objects.filter(direction="out")
    assert {m.delivery for m in sent} == {"sent"}
    assert {m.platform_id for m in sent} == set(live_x.own)
    for message, tweet in zip(sorted(sent, key=lambda m: m.pk), customer_tweets, strict=True):
        assert message.in_reply_to_id == tweet["id"]
    assert DeliveryAttempt.objects.filter(outcome="posted").count() == 2


# --- Real processes (PostgreSQL: the child must see the test's database) --------------------


def manage(x_server, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(MANAGE), *args],
        env=subprocess_env(x_server, connection.settings_dict),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=MANAGE.parent,
    )


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_poller_killed_between_pages_and_mid_ingest_loses_and_doubles_nothing(
    postgres_only, x_server
):
    fake = x_server.fake
    SocialAccount.objects.create(handle="SadaMinistry", external_id=ACCOUNT_ID)
    fake.burst(230)
    on_page_two, release = threading.Event(), threading.Event()

    def stall_on_page_two(query):
        if query.get("pagination_token") == "tok-100":
            on_page_two.set()
            release.wait(20)

    fake.hooks["mentions"] = stall_on_page_two
    # 1. SIGKILL while the poller waits for page 2.
    child = manage(x_server, "poll_mentions", "--once")
    try:
        assert on_page_two.wait(30), child.stderr.read() if child.poll() is not None else ""
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        release.set()
    fake.hooks.clear()
    assert reload_by_handle().since_id == ""
    # 2. Restarted at once (the dead poller's lease is taken over), then SIGKILL
    #    inside the transaction storing the mentions: the 21st (oldest first) is
    #    held at a gate after its raw event was written, uncommitted.
    ids = sorted(fake.mentions, key=lambda i: (len(i), i))
    gate = RowGate(
        database_url(connection.settings_dict),
        table="social_ingest_inboundevent",
        when=f"NEW.external_id = '{ids[20]}'",
    )
    with gate:
        child = manage(x_server, "poll_mentions", "--once")
        try:
            assert gate.wait_closed_on(60)
            child.send_signal(signal.SIGKILL)
            child.wait(10)
        finally:
            if child.poll() is None:
                child.kill()
    stored = InboundEvent.objects.count()
    assert stored <= 20, "the row held at the gate was committed"
    # 3. Restarted again: it completes.
    child = manage(x_server, "poll_mentions", "--once")
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert "received" in out
    assert_every_served_mention_once(x_server)
    assert reload_by_handle().since_id == max(fake.mentions, key=lambda i: (len(i), i))


def reload_by_handle():
    return SocialAccount.objects.get(handle="SadaMinistry")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_pollers_in_two_processes_one_polls(postgres_only, x_server):
    fake = x_server.fake
    SocialAccount.objects.create(handle="SadaMinistry", external_id=ACCOUNT_ID)
    fake.burst(5)
    inside, release = threading.Event(), threading.Event()

    def hold(query):
        inside.set()
        release.wait(20)

    fake.hooks["mentions"] = hold
    first = manage(x_server, "poll_mentions", "--once")
    try:
        assert inside.wait(30)
        second = manage(x_server, "poll_mentions", "--once")
        out2, _err2 = second.communicate(timeout=60)
    finally:
        release.set()
    out1, err1 = first.communicate(timeout=60)
    assert "not polled (locked" in out2
    assert "5 received" in out1, err1
    assert len([r for r in fake.requests if r[1].endswith("/mentions")]) == 1
    assert_every_served_mention_once(x_server)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_long_running_poller_keeps_up_and_stops_cleanly(postgres_only, x_server):
    fake = x_server.fake
    account = SocialAccount.objects.create(handle="SadaMinistry", external_id=ACCOUNT_ID)
    SocialAccount.objects.filter(pk=account.pk).update(poll_interval_seconds=1)
    fake.burst(10)
    child = manage(x_server, "poll_mentions")
    try:
        if not wait_for(lambda: InboundEvent.objects.count() == 10, 30):
            child.kill()
            pytest.fail("".join(child.communicate(timeout=10)))
        fake.burst(7)
        assert wait_for(lambda: InboundEvent.objects.count() == 17, 30)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert out.strip().endswith("Stopped.")
    assert_every_served_mention_once(x_server)
