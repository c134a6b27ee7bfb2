"""CSRF on every state-changing view (found by walking the resolver), password rules
through the real forms, production cookie and session settings, the X webhook's CRC
endpoint as a bounded signer, and outbound webhooks kept off internal addresses
(numeric host spellings, IPv6, redirects)."""

from __future__ import annotations

import json

import pytest
import responses
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.views import APIView

from cases import webhooks
from cases.models_api import WebhookDelivery, WebhookSubscriber
from social_ingest.signatures import MAX_CRC_TOKEN_LENGTH, crc_response_token
from tests.cases.api.conftest import open_case, public_dns  # noqa: F401 - a fixture
from tests.security.fuzzing import FUZZ
from tests.security.test_authorization_matrix import MATRIX, ctx  # noqa: F401 - a fixture
from tests.security.test_deploy_settings import _run

pytestmark = pytest.mark.django_db

# Views that skip Django's CSRF check on purpose: they are called by other servers and
# authenticate every request by an HMAC signature of the body.
SIGNED_WEBHOOKS = {"social_ingest.views.x_webhook", "social_ingest.views.channel_inbound"}


def _callbacks(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_only_the_signed_webhooks_are_csrf_exempt():
    """A new @csrf_exempt view fails here. DRF views are exempt from the middleware
    because DRF checks CSRF itself for session authentication (tested below)."""
    exempt = set()
    for route, callback in _callbacks():
        if not getattr(callback, "csrf_exempt", False):
            continue
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if view_class is not None and issubclass(view_class, APIView):
            from rest_framework.authentication import SessionAuthentication

            classes = view_class().get_authenticators()
            sessions = [a for a in classes if isinstance(a, SessionAuthentication)]
            assert all(
                type(a).enforce_csrf is SessionAuthentication.enforce_csrf for a in sessions
            ), route
            continue
        exempt.add(f"{callback.__module__}.{callback.__name__}")
    assert exempt == SIGNED_WEBHOOKS


def _post_rows():
    for route, rows in MATRIX.items():
        for index, row in enumerate(rows):
            if row.method == "POST" and not route.startswith("social/"):
                yield route, index


POST_ROWS = list(_post_rows())


@pytest.mark.parametrize(("route", "index"), POST_ROWS, ids=[f"{r}#{i}" for r, i in POST_ROWS])
def test_every_post_in_the_matrix_needs_the_csrf_token(route, index, ctx):  # noqa: F811
    row = MATRIX[route][index]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ctx["supervisor"])
    url = row.url(ctx)
    data = row.data(ctx)
    if row.api:
        response = browser.post(url, data=json.dumps(data), content_type="application/json")
    else:
        response = browser.post(url, data)
    assert response.status_code == 403, (url, response.status_code)
    assert b"CSRF" in response.content, url


def test_every_admin_form_needs_the_csrf_token(ctx):  # noqa: F811
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ctx["supervisor"])
    for model in admin.site._registry:
        opts = model._meta
        for url in (
            reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        ):
            response = browser.post(url, {"action": "delete_selected", "_selected_action": [1]})
            assert response.status_code == 403 and b"CSRF" in response.content, url


def test_public_forms_need_the_csrf_token(ctx):  # noqa: F811
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(f"/s/{ctx['status_token']}/", {"text": "still broken"})
    assert response.status_code == 403 and b"CSRF" in response.content


# --- Passwords ------------------------------------------------------------------------

WEAK = ["Ab1!x", "password123", "12345678901", "agent_amal2026", "qwertyuiop"]


@pytest.mark.parametrize("weak", WEAK)
def test_weak_passwords_are_refused_on_the_change_form(client, agent, weak):
    client.force_login(agent)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-agent_amal", "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200 and response.context["form"].errors
    agent.refresh_from_db()
    assert agent.check_password("pw-agent_amal")


def test_a_strong_password_is_accepted_on_the_change_form(client, agent):
    client.force_login(agent)
    strong = "Tamr-Nakhl-2026-ribat"
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-agent_amal", "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(strong)


@pytest.mark.parametrize("weak", ["Ab1!x", "password123", "12345678901", "newagent_x1"])
def test_weak_passwords_are_refused_when_a_user_is_created_in_the_admin(
    client, weak, django_user_model
):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-long-1")
    client.force_login(root)
    response = client.post(
        reverse("admin:cases_user_add"),
        {"username": "newagent_x", "password1": weak, "password2": weak, "usable_password": "true"},
    )
    assert response.status_code == 200, response.status_code
    assert not django_user_model.objects.filter(username="newagent_x").exists()


# --- Cookies and sessions in production -----------------------------------------------

# Real responses through the real middleware with the production settings; the
# session is kept in a signed cookie here only because the subprocess has no database.
COOKIES = """
import django
django.setup()
from django.conf import settings as s
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory

def view(request):
    get_token(request)
    request.session["signed_in"] = True
    return HttpResponse()

s.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
request = RequestFactory().get("/", secure=True, HTTP_HOST="sada.example.gov.sa")
response = SessionMiddleware(CsrfViewMiddleware(view))(request)
flags = {
    name: (bool(m["secure"]), bool(m["httponly"]), m["samesite"], m["max-age"])
    for name, m in response.cookies.items()
}
print(repr((flags, s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)))
"""


def test_production_cookies_are_secure_httponly_samesite_and_sessions_expire():
    result = _run(COOKIES, {})
    assert result.returncode == 0, result.stderr[-2000:]
    flags, age, _at_close = eval(result.stdout.strip().splitlines()[-1])  # noqa: S307
    session, csrf = flags["sessionid"], flags["csrftoken"]
    assert session[:3] == (True, True, "Lax"), session
    assert csrf[:3] == (True, True, "Lax"), csrf
    # A session ends: the cookie's max-age is the configured (bounded) session age.
    assert 0 < age <= 24 * 3600 and int(session[3]) == age


def test_the_cookie_flags_follow_the_environment():
    result = _run(COOKIES, {"SESSION_COOKIE_SECURE": "0", "SESSION_COOKIE_SAMESITE": "Strict"})
    flags, _age, _at_close = eval(result.stdout.strip().splitlines()[-1])  # noqa: S307
    assert flags["sessionid"][:3] == (False, True, "Strict")


# --- The X webhook: fail closed, a bounded CRC signer --------------------------------


def test_the_x_webhook_fails_closed_without_a_secret(client, settings):
    settings.X_CONSUMER_SECRET = ""
    assert client.get("/social/x/webhook/", {"crc_token": "abc"}).status_code == 403
    response = client.post("/social/x/webhook/", data=b"{}", content_type="application/json")
    assert response.status_code == 403


@FUZZ
@given(token=st.text(max_size=400))
def test_the_crc_endpoint_signs_only_short_printable_ascii_tokens(settings, token):
    settings.X_CONSUMER_SECRET = "crc-secret"
    response = Client().get("/social/x/webhook/", {"crc_token": token})
    valid = 0 < len(token) <= MAX_CRC_TOKEN_LENGTH and token.isascii() and token.isprintable()
    if valid:
        assert response.status_code == 200
        assert response.json() == {"response_token": crc_response_token("crc-secret", token)}
    else:
        assert response.status_code == 400 and "response_token" not in response.json()


def test_the_crc_limit_is_small():
    assert MAX_CRC_TOKEN_LENGTH <= 256


# --- Outbound webhooks: no internal addresses ----------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f000001/",  # as hex
        "http://0177.0.0.1/",  # octal
        "http://127.1/",  # short form
        "http://0/",
        "http://[::1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",  # 169.254.169.254, IPv4-mapped
        "http://[fe80::1%25eth0]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8000/",
    ],
)
def test_numeric_and_ipv6_spellings_of_internal_hosts_are_refused(url):
    with pytest.raises(webhooks.UnsafeWebhookURL):
        webhooks.check_url(url)


def test_a_redirect_is_not_followed(public_dns):  # noqa: F811
    subscriber = WebhookSubscriber.objects.create(
        name="hooks", url="https://hooks.example.org/in", secret="s", events=["case.created"]
    )
    case = open_case("83001")
    WebhookDelivery.objects.filter(case=case).delete()
    (delivery,) = webhooks.emit("case.created", case)
    with responses.RequestsMock() as mock:
        mock.post(
            subscriber.url, status=302, headers={"Location": "http://169.254.169.254/latest/"}
        )
        webhooks.deliver(delivery.pk)
        assert [call.request.url for call in mock.calls] == [subscriber.url]
    delivery.refresh_from_db()
    assert delivery.status != WebhookDelivery.Status.SUCCEEDED
