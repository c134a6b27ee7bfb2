"""poll_mentions, add_x_account, the schedules and the periodic tasks."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_q.models import Schedule

from cases.models import Message
from social_ingest import tasks
from social_ingest.models import SocialAccount
from tests.social_ingest.conftest import BASE, recording
from tests.social_ingest.fakex import USAGE_CAPPED, Failure


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- poll_mentions ---------------------------------------------------------------------------


def test_poll_once_reads_and_reports(fake_x, account):
    fake_x.burst(3)
    out, _err = run("poll_mentions", "--once")
    assert "@SadaMinistry: 3 received" in out and "new_cases 3" in out
    assert Message.objects.count() == 3


def test_poll_once_respects_a_pause_and_says_so(fake_x, account):
    fake_x.fail("mentions", Failure(429, USAGE_CAPPED))
    _out, err = run("poll_mentions", "--once")
    assert "FAILED (usage_capped" in err
    asked = len(fake_x.requests)
    out, _err = run("poll_mentions", "--once", "--account", "@SadaMinistry")
    assert "not polled (usage_capped until" in out and "Usage cap exceeded" in out
    assert len(fake_x.requests) == asked
    out, _err = run("poll_mentions", "--once", "--force")
    assert "received" in out and len(fake_x.requests) == asked + 1


def test_poll_unknown_account_is_an_error(fake_x, account):
    with pytest.raises(CommandError, match="No X account @nobody"):
        run("poll_mentions", "--once", "--account", "nobody")


def test_poll_without_accounts_is_an_error(fake_x, db):
    with pytest.raises(CommandError, match="add_x_account"):
        run("poll_mentions", "--once")


# --- add_x_account ------------------------------------------------------------------------


def add_me_recording(rsps):
    [interaction] = recording("test_client_get_me.json")
    response = interaction["response"]
    rsps.add(
        "GET",
        f"{BASE}/2/users/me",
        json=response["json"],
        headers={k: v for k, v in response["headers"].items() if k != "content-type"},
    )


def test_add_x_account_registers_from_users_me_and_is_idempotent(x_settings, rsps, db):
    add_me_recording(rsps)
    out, _err = run("add_x_account")
    assert json.loads(out) == {
        "handle": "TweepyDev",
        "external_id": "1072250532645998596",
        "name": "Tweepy Testing",
        "created": True,
    }
    out, _err = run("add_x_account")
    assert json.loads(out)["created"] is False
    assert SocialAccount.objects.count() == 1


def test_add_x_account_gives_a_replay_account_its_id(x_settings, rsps, db):
    SocialAccount.objects.create(handle="tweepydev")
    add_me_recording(rsps)
    run("add_x_account")
    account = SocialAccount.objects.get()
    assert account.external_id == "1072250532645998596" and account.handle == "TweepyDev"


def test_add_x_account_with_its_own_credentials(x_settings, rsps, db, monkeypatch):
    for name in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(f"X_MOH_{name}", f"moh-{name.lower()}")
    add_me_recording(rsps)
    run("add_x_account", "--credentials-env", "X_MOH")
    assert SocialAccount.objects.get().credentials_env == "X_MOH"
    assert "moh-consumer_key" in rsps.calls[0].request.headers["Authorization"]


def test_add_x_account_reports_x_refusal(x_settings, rsps, db):
    rsps.add(
        "GET",
        f"{BASE}/2/users/me",
        status=401,
        json={"title": "Unauthorized", "detail": "Unauthorized"},
    )
    with pytest.raises(CommandError, match="401"):
        run("add_x_account")
    assert not SocialAccount.objects.exists()


# --- Schedules and periodic tasks -----------------------------------------------------------


def test_migrate_installs_the_two_schedules(db):
    schedules = {s.name: s for s in Schedule.objects.filter(name__startswith="sada: ")}
    poll = schedules["sada: poll X mentions"]
    assert poll.func == "social_ingest.tasks.poll_due_accounts"
    assert poll.schedule_type == Schedule.MINUTES and poll.minutes == 1 and poll.repeats == -1
    assert schedules["sada: retry reply deliveries"].func == "social_ingest.tasks.retry_deliveries"


def test_poll_due_accounts_queues_one_task_per_due_account(account, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "async_task", lambda func, *args: queued.append((func, args)))
    SocialAccount.objects.create(
        handle="Later", external_id="77", poll_interval_seconds=600, last_attempt_at=timezone.now()
    )
    SocialAccount.objects.create(
        handle="Paused", external_id="78", backoff_until=timezone.now() + timedelta(minutes=5)
    )
    assert tasks.poll_due_accounts() == [account.pk]
    assert queued == [("social_ingest.tasks.poll_account", (account.pk,))]


def test_poll_account_task_polls_and_describes(fake_x, account):
    fake_x.burst(2)
    assert "2 received" in tasks.poll_account(account.pk)
    assert tasks.poll_account(999_999) == "gone"
