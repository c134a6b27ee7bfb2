"""Every state-changing form and endpoint of the UI (and the API under a browser
session) refuses a POST without the CSRF token; the same POST with the token gets
through the check (so the 403 is the CSRF protection, not something else)."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from cases.views import CASE_FORMS
from tests.cases.test_views import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(supervisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    return client


def _token(client) -> str:
    client.get(reverse("inbox"))
    return client.cookies["csrftoken"].value


def _endpoints(case: Case) -> list[tuple[str, dict]]:
    ref = case.reference
    return [
        *(
            (reverse("case_action", args=[ref, action]), {"text": "x", "version": case.version})
            for action in CASE_FORMS
        ),
        (reverse("case_assign_me", args=[ref]), {}),
        (reverse("case_presence", args=[ref]), {}),
        (reverse("take_next"), {}),
        (reverse("inbox_bulk"), {"action": "resolve", "cases": [case.pk]}),
        (reverse("escalation_acknowledge", args=[999999]), {}),
        (reverse("set_language"), {"language": "en"}),
        (reverse("set_availability"), {"available": "0"}),
        (reverse("notifications"), {}),
        (reverse("password_change"), {"old_password": "x", "new_password1": "y"}),
        (reverse("logout"), {}),
        (reverse("api:case-note", args=[ref]), {"text": "x"}),
        (reverse("api:case-take-next"), {}),
        (reverse("admin:cases_queue_add"), {"slug": "x", "name_en": "x", "name_ar": "x"}),
    ]


def test_post_without_csrf_token_is_refused_everywhere(browser, supervisor):
    case = open_case()
    events = case.events.count()
    before = (supervisor.is_available, supervisor.language)
    for url, data in _endpoints(case):
        response = browser.post(url, data)
        assert response.status_code == 403, (url, response.status_code)
    assert case.events.count() == events
    supervisor.refresh_from_db()
    assert (supervisor.is_available, supervisor.language) == before
    assert "_auth_user_id" in browser.session  # the logout POST did not sign out


def test_the_same_posts_with_the_token_pass_the_csrf_check(browser):
    case = open_case()
    token = _token(browser)
    for url, data in _endpoints(case):
        if "logout" in url:
            continue  # would end the session for the rest of the loop
        response = browser.post(url, data, HTTP_X_CSRFTOKEN=token)
        refused = response.status_code == 403 and b"CSRF" in response.content
        assert not refused, (url, response.status_code)
