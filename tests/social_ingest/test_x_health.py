"""Account health for supervisors (selector) and the connector's admin."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import User
from social_ingest import selectors
from social_ingest.models import (
    DeliveryAttempt,
    InboundChannel,
    InboundEvent,
    MentionGap,
    SocialAccount,
)


@pytest.fixture(autouse=True)
def plain_static(settings):
    # Tests run without collectstatic, so without the hashed-name manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def events(account, count: int, *, start, step: timedelta):
    offset = InboundEvent.objects.count()
    InboundEvent.objects.bulk_create(
        InboundEvent(
            platform="x",
            external_id=f"{account.pk}{offset + i:06d}",
            account=account,
            source="poll",
            payload={},
            received_at=start + i * step,
            state="processed",
        )
        for i in range(count)
    )


def test_a_busy_account_gone_quiet_raises_the_silence_alarm(account):
    now = timezone.now()
    # ~20 mentions a day for a week, then nothing for 7 hours.
    events(account, 140, start=now - timedelta(days=7), step=timedelta(hours=1.15))
    SocialAccount.objects.filter(pk=account.pk).update(last_mention_at=now - timedelta(hours=7))
    [health] = selectors.account_health(now=now)
    assert health.silent and "silent" in health.alarms
    assert health.quiet_for >= timedelta(hours=7)
    assert health.mentions_last_week > 100


def test_a_quiet_account_is_not_silent_and_the_alarm_can_be_off(account):
    now = timezone.now()
    events(account, 5, start=now - timedelta(days=6), step=timedelta(days=1))
    SocialAccount.objects.filter(pk=account.pk).update(last_mention_at=now - timedelta(hours=30))
    [health] = selectors.account_health(now=now)
    assert not health.silent  # 5 a week: a quiet day is normal
    events(account, 200, start=now - timedelta(days=5), step=timedelta(minutes=10))
    SocialAccount.objects.filter(pk=account.pk).update(silence_alarm_hours=0)
    assert not selectors.account_health(now=now)[0].silent


def test_health_shows_errors_pauses_rate_limits_and_open_gaps(account):
    now = timezone.now()
    SocialAccount.objects.filter(pk=account.pk).update(
        health="rate_limited",
        last_error="X answered 429: Too Many Requests",
        last_error_at=now,
        backoff_until=now + timedelta(minutes=5),
        rate_limit_limit=180,
        rate_limit_remaining=0,
        rate_limit_reset_at=now + timedelta(minutes=5),
        last_poll_at=now - timedelta(minutes=20),
    )
    MentionGap.objects.create(account=account, after_id="1", before_id="9", estimated_count=40)
    MentionGap.objects.create(account=account, after_id="10", before_id="19", acknowledged_at=now)
    [health] = selectors.account_health(now=now)
    assert health.paused_until == now + timedelta(minutes=5)
    assert health.rate_limit_remaining == 0 and health.rate_limit_limit == 180
    assert [g.after_id for g in health.open_gaps] == ["1"]
    assert health.poll_overdue
    assert health.alarms == ["rate_limited", "gap", "poll_overdue"]


def test_a_healthy_account_has_no_alarm(account):
    SocialAccount.objects.filter(pk=account.pk).update(last_poll_at=timezone.now())
    assert selectors.account_health()[0].alarms == []


def test_account_health_runs_a_fixed_number_of_queries(account, django_assert_num_queries):
    for n in range(10):
        other = SocialAccount.objects.create(handle=f"acct{n}", external_id=str(900 + n))
        MentionGap.objects.create(account=other, after_id="1", before_id="2")
        events(other, 3, start=timezone.now(), step=timedelta(seconds=1))
    with django_assert_num_queries(2):
        assert len(selectors.account_health()) == 11


# --- Admin ---------------------------------------------------------------------------------


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", "root@example.com", "pw-root-123")


@pytest.fixture
def staff_supervisor(supervisor) -> User:
    supervisor.is_staff = True
    supervisor.save()
    return supervisor


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_lists_accounts_with_health_columns(superuser, account):
    MentionGap.objects.create(account=account, after_id="1", before_id="9")
    SocialAccount.objects.filter(pk=account.pk).update(health="usage_capped")
    response = admin_client(superuser).get(reverse("admin:social_ingest_socialaccount_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "usage_capped" in page and "gap" in page
    change = admin_client(superuser).get(
        reverse("admin:social_ingest_socialaccount_change", args=[account.pk])
    )
    assert change.status_code == 200


@pytest.mark.parametrize(
    "model", ["inboundevent", "mentiongap", "deliveryattempt", "inboundchannel", "socialaccount"]
)
def test_connector_admin_pages_load(superuser, account, model):
    response = admin_client(superuser).get(reverse(f"admin:social_ingest_{model}_changelist"))
    assert response.status_code == 200


def test_inbound_events_are_read_only_even_for_a_superuser(superuser, account):
    event = InboundEvent.objects.create(
        platform="x",
        external_id="1",
        account=account,
        source="poll",
        payload={"a": 1},
        state="processed",
    )
    client = admin_client(superuser)
    assert client.get(reverse("admin:social_ingest_inboundevent_add")).status_code == 403
    change_url = reverse("admin:social_ingest_inboundevent_change", args=[event.pk])
    assert client.get(change_url).status_code == 200  # view only
    assert client.post(change_url, {"state": "rejected", "reason": "x"}).status_code == 403
    delete_url = reverse("admin:social_ingest_inboundevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.state == "processed"
    changelist = client.post(
        reverse("admin:social_ingest_inboundevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    assert InboundEvent.objects.filter(pk=event.pk).exists()


def test_delivery_attempts_are_read_only(superuser, account):
    client = admin_client(superuser)
    assert client.get(reverse("admin:social_ingest_deliveryattempt_add")).status_code == 403
    assert DeliveryAttempt.objects.count() == 0


def test_resume_action_lifts_the_pause(superuser, account):
    SocialAccount.objects.filter(pk=account.pk).update(
        health="usage_capped", backoff_until=timezone.now() + timedelta(hours=1), last_error="cap"
    )
    admin_client(superuser).post(
        reverse("admin:social_ingest_socialaccount_changelist"),
        {"action": "resume_polling", "_selected_action": [account.pk]},
    )
    account.refresh_from_db()
    assert account.health == "ok" and account.backoff_until is None
    assert account.last_error == "cap"


def test_a_supervisor_sees_and_acknowledges_a_gap(staff_supervisor, account):
    gap = MentionGap.objects.create(account=account, after_id="1", before_id="9")
    client = admin_client(staff_supervisor)
    assert client.get(reverse("admin:social_ingest_mentiongap_changelist")).status_code == 200
    client.post(
        reverse("admin:social_ingest_mentiongap_changelist"),
        {"action": "acknowledge", "_selected_action": [gap.pk]},
    )
    gap.refresh_from_db()
    assert gap.acknowledged_by == staff_supervisor and gap.acknowledged_at is not None


def test_channels_are_managed_in_the_admin(superuser):
    client = admin_client(superuser)
    response = client.post(
        reverse("admin:social_ingest_inboundchannel_add"),
        {"slug": "telegram", "name": "Telegram", "secret": "s3cret-value", "is_active": "on"},
    )
    assert response.status_code == 302
    assert InboundChannel.objects.get().slug == "telegram"
    refused = client.post(
        reverse("admin:social_ingest_inboundchannel_add"),
        {"slug": "x", "name": "X again", "secret": "s", "is_active": "on"},
    )
    assert refused.status_code == 200 and InboundChannel.objects.count() == 1
