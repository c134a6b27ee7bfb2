"""The case event log cannot be altered or deleted: not through the models, bulk
querysets, the admin or the API, and on PostgreSQL not even with raw SQL."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from cases.models import CaseEvent
from tests.cases.test_views import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    case = open_case()
    return CaseEvent.objects.create(case=case, kind="note_added", data={"text": "original"})


def test_models_and_querysets_refuse(event):
    event.data = {"text": "changed"}
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    with pytest.raises(ValueError):
        CaseEvent.objects.filter(pk=event.pk).update(kind="x")
    with pytest.raises(ValueError):
        CaseEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValueError):
        event.case.events.all().delete()
    with pytest.raises(ValueError), transaction.atomic():
        CaseEvent.objects.bulk_update([event], ["data"])
    event.refresh_from_db()
    assert event.data == {"text": "original"}


def test_admin_refuses_even_a_superuser(client, django_user_model, event):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-root")
    client.force_login(admin)
    change = reverse("admin:cases_caseevent_change", args=[event.pk])
    client.post(change, {"kind": "x", "actor_kind": "user", "data": "{}"})
    delete = reverse("admin:cases_caseevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:cases_caseevent_changelist")
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    event.refresh_from_db()
    assert (event.kind, event.data) == ("note_added", {"text": "original"})


def test_api_has_no_way_to_change_events(client, supervisor, event):
    client.force_login(supervisor)
    url = reverse("api:case-events", args=[event.case.reference])
    assert client.get(url).status_code == 200
    for method in ("put", "patch", "delete", "post"):
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code in (403, 404, 405), (method, response.status_code)
    assert CaseEvent.objects.filter(pk=event.pk, kind="note_added").exists()


def test_postgresql_refuses_raw_update_and_delete(postgres_only, event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE cases_caseevent SET kind = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            # Clearing the actor is allowed only as the whole change.
            cursor.execute(
                "UPDATE cases_caseevent SET actor_id = NULL, kind = 'x' WHERE id = %s", [event.pk]
            )
    event.refresh_from_db()
    assert event.kind == "note_added"


def test_postgresql_still_lets_a_user_be_deleted(postgres_only, agent):
    case = open_case()
    kept = CaseEvent.objects.create(case=case, actor=agent, kind="note_added")
    agent.delete()
    kept.refresh_from_db()
    assert kept.actor_id is None and kept.kind == "note_added"
