"""API keys: created (shown once, stored hashed), used (last_used_at), expired, revoked."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models_api import ApiKey
from tests.cases.api.conftest import key_client, make_key, open_case

pytestmark = pytest.mark.django_db


def create_key(*args) -> tuple[str, str]:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    lines = out.getvalue().splitlines()
    return lines[-1], out.getvalue()


def test_command_prints_the_key_alone_on_its_last_line_and_stores_only_its_hash():
    raw, output = create_key("--name", "dashboard", "--scopes", "read,act", "--queue", "general")
    assert raw.startswith("sada_") and len(raw) > 40 and raw.strip() == raw
    key = ApiKey.objects.get()
    assert key.hashed_key == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiKey.objects.values().get())  # never stored in clear
    assert key.prefix == raw[:12] and key.scopes == ["read", "act"]
    assert key.queue.slug == "general" and key.created_by is None and key.last_used_at is None
    assert output.count(raw) == 1


def test_command_defaults_and_errors(agent):
    create_key("--name", "reader")
    assert ApiKey.objects.get().scopes == ["read"]
    with pytest.raises(CommandError):
        create_key("--name", "x", "--scopes", "write")
    with pytest.raises(CommandError):
        create_key("--name", "x", "--queue", "nope")
    raw, _ = create_key("--name", "as-amal", "--user", agent.username, "--expires-days", "30")
    key = ApiKey.objects.get(prefix=raw[:12])
    assert key.created_by == agent and key.expires_at > timezone.now() + timedelta(days=29)


def test_key_lifecycle_created_used_expired_revoked():
    raw, _ = create_key("--name", "sync", "--scopes", "read")
    client = key_client(raw)
    case = open_case()
    start = timezone.now()
    assert client.get(f"/api/v1/cases/{case.reference}/").status_code == 200
    key = ApiKey.objects.get()
    assert key.last_used_at is not None and key.last_used_at >= start

    # last_used_at moves at most once a minute: no write per request.
    first = key.last_used_at
    client.get("/api/v1/cases/")
    assert ApiKey.objects.get().last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        client.get("/api/v1/cases/")
    assert ApiKey.objects.get().last_used_at > first

    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get("/api/v1/cases/")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert expired["WWW-Authenticate"].startswith("Bearer")

    ApiKey.objects.filter(pk=key.pk).update(expires_at=None)
    assert client.get("/api/v1/cases/").status_code == 200
    key.revoke()
    revoked = client.get("/api/v1/cases/")
    assert revoked.status_code == 401 and revoked.json()["code"] == "authentication_failed"
    assert "revoked" in revoked.json()["detail"]


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer", "Bearer a b", "Bearer sada_" + "x" * 43]
)
def test_bad_bearer_headers_are_a_401(anon, header):
    anon.credentials(HTTP_AUTHORIZATION=header)
    response = anon.get("/api/v1/cases/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_anonymous_is_a_401_with_a_bearer_challenge(anon):
    response = anon.get("/api/v1/cases/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert anon.post("/api/v1/cases/take-next/").status_code == 401


def test_a_key_of_a_deactivated_user_stops_working(agent):
    _k, raw = make_key(created_by=agent)
    assert key_client(raw).get("/api/v1/cases/").status_code == 200
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert key_client(raw).get("/api/v1/cases/").status_code == 401


def test_whoami(agent):
    _k, raw = make_key(scopes=["read"], queue="general", created_by=agent)
    body = key_client(raw).get("/api/v1/me/").json()
    assert body == {
        "user": {"id": agent.pk, "username": agent.username, "name": agent.username},
        "api_key": raw[:12],
        "scopes": ["read"],
        "queue": "general",
        "supervisor": False,
    }


@pytest.fixture
def api_admin(settings):
    """The admin with this module's models registered (cases/admin.py imports it)."""
    import importlib

    from django.urls import NoReverseMatch, clear_url_caches, reverse

    import cases.admin_api  # noqa: F401
    import helpdesk.urls

    try:
        reverse("admin:cases_apikey_add")
    except NoReverseMatch:
        importlib.reload(helpdesk.urls)
        clear_url_caches()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_admin_shows_the_new_key_once_and_stores_its_hash(client, supervisor, api_admin):
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    client.force_login(supervisor)
    response = client.post(
        "/admin/cases/apikey/add/",
        {
            "name": "bi-dashboard",
            "scopes": ["read"],
            "queue": "",
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    assert key.created_by == supervisor and key.scopes == ["read"]
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m for m in shown if key.prefix in m).split(": ")[-1]
    assert hashlib.sha256(raw.encode()).hexdigest() == key.hashed_key
    assert key_client(raw).get("/api/v1/cases/").status_code == 200
    # Never shown again.
    page = client.get(f"/admin/cases/apikey/{key.pk}/change/").content.decode()
    assert raw not in page and key.prefix in page
    client.post(
        "/admin/cases/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert ApiKey.objects.get().revoked_at is not None
