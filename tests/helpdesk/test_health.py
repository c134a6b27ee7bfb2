from datetime import timedelta

from django.utils import timezone

from social_ingest.models import SocialAccount


def test_healthz_answers_without_a_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_with_schedules_due_and_no_polling_accounts(client, db):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "ok (orm)"


def test_readyz_fails_when_no_cluster_runs_the_schedules(client, db):
    from django_q.models import Schedule

    Schedule.objects.update(next_run=timezone.now() - timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "overdue" in response.json()["checks"]["schedules"]


def test_readyz_fails_when_an_active_account_stopped_polling(client, db):
    SocialAccount.objects.create(
        handle="SadaMinistry",
        external_id="1",
        is_active=True,
        last_poll_at=timezone.now() - timedelta(hours=2),
    )
    response = client.get("/readyz")
    assert response.status_code == 503 and "SadaMinistry" in response.json()["checks"]["accounts"]
