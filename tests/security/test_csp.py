"""A Content-Security-Policy without 'unsafe-inline' scripts on every HTML page: the
UI, sign-in, the admin, the API docs, error pages; and no inline script on them
that the policy would not allow (so the pages still work under it)."""

import re

import pytest
from django.urls import reverse

from tests.cases.test_views import open_case

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)


def _script_src(policy: str) -> str:
    for directive in policy.split(";"):
        name, _sep, value = directive.strip().partition(" ")
        if name == "script-src":
            return value
    for directive in policy.split(";"):
        name, _sep, value = directive.strip().partition(" ")
        if name == "default-src":
            return value
    return ""


def assert_strict_csp(response):
    assert response.status_code in (200, 403, 404, 429), response.status_code
    policy = response.headers.get("Content-Security-Policy", "")
    assert policy, f"no CSP on {response.request['PATH_INFO']}"
    scripts = _script_src(policy)
    assert scripts, policy
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, policy
    assert "*" not in scripts.split() and "data:" not in scripts, policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    nonces = set(re.findall(r"'nonce-([^']+)'", scripts))
    for attrs in INLINE_SCRIPT.findall(response.content.decode()):
        if "application/json" in attrs or "application/ld+json" in attrs:
            continue  # data, not code
        found = re.search(r'nonce="([^"]+)"', attrs)
        assert found and found.group(1) in nonces, f"inline script the CSP blocks: {attrs!r}"


def test_public_pages(client):
    for url in (reverse("login"), "/no-such-page/", reverse("admin:login")):
        assert_strict_csp(client.get(url))


def test_ui_pages(client, supervisor):
    case = open_case()
    client.force_login(supervisor)
    for url in (
        reverse("inbox"),
        reverse("case_detail", args=[case.reference]),
        reverse("supervisor_dashboard"),
        reverse("notifications"),
        reverse("password_change"),
    ):
        assert_strict_csp(client.get(url))


def test_admin_pages(client, django_user_model):
    case = open_case()
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-root")
    client.force_login(admin)
    for url in (
        reverse("admin:index"),
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[case.pk]),
        reverse("admin:cases_caseevent_changelist"),
        reverse("admin:cases_user_add"),
        reverse("admin:axes_accessattempt_changelist"),
    ):
        assert_strict_csp(client.get(url))


def test_api_docs_use_a_fresh_nonce_not_unsafe_inline(client, supervisor):
    client.force_login(supervisor)
    seen = set()
    for url in (reverse("api:docs"), reverse("api:redoc"), reverse("api:docs")):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict_csp(response)
        if "redoc" not in url:
            assert INLINE_SCRIPT.search(response.content.decode())  # Swagger's inline script
        assert "fonts.googleapis.com" not in response.content.decode()
        seen.add(re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1])
    assert len(seen) == 3
