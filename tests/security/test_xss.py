"""Stored XSS: the corpus of tests/security/xss_corpus.py stored where outsiders
(citizens on X) and insiders (supervisors' canned responses and rule names) put
text — tweet text, display names, handles, hashtags and tags, notes, escalation
reasons, canned responses, routing rule names, account names — and every page that
shows them checked with an HTML parser: the payload's text is there, its markup is
not (no element, no on* attribute, no script URL)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services, sla_services
from cases.models import CannedResponse, Case, Notification, Queue
from cases.models_routing import RoutingRule
from social_ingest.models import InboundEvent, SocialAccount
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.conftest import _user
from tests.factories import page, tweet, user
from tests.security.xss_corpus import MARKERS, PAYLOADS, assert_inert, inspect

pytestmark = pytest.mark.django_db

ACCOUNT = "XssMinistry"
QUEUE_NAME = "<svg onload=alert('XSS90')>"
PERSON_NAME = "\"><img src=x onerror=alert('XSS91')>"
# Canned-response titles hold 100 characters: the markers that fit.
IN_TITLES = [m for m, p in zip(MARKERS, PAYLOADS, strict=True) if m in p[:100]]


@pytest.fixture
def corpus(supervisor, settings):
    """One case per payload, the payload in every field a person outside or inside can set."""
    settings.SADA_NOTIFY_EMAIL = True
    supervisor.is_staff = True
    supervisor.email = "sara@example.gov.sa"
    supervisor.save(update_fields=["is_staff", "email"])
    general = Queue.objects.get(slug="general")
    general.members.add(supervisor)
    # Supervisors' own data: a queue's names and an agent's display name.
    general.name_ar = general.name_en = QUEUE_NAME
    general.save(update_fields=["name_ar", "name_en"])
    supervisor.first_name = PERSON_NAME
    supervisor.save(update_fields=["first_name"])
    # Another supervisor of the queue: the one notified (and e-mailed) of each escalation.
    watcher = _user("supervisor_watch", group="Supervisors", queues=["general"])
    watcher.email = "watch@example.gov.sa"
    watcher.save(update_fields=["email"])
    account = SocialAccount.objects.create(
        handle=ACCOUNT, external_id="4242", display_name=PAYLOADS[0]
    )
    if hasattr(account, "transparency_public"):
        account.transparency_public = True
        account.save(update_fields=["transparency_public"])
    for i, payload in enumerate(PAYLOADS):
        RoutingRule.objects.create(
            name=f"{payload} #{i}", keywords=f"xsskw{i:02d}", queue=general, order=1 + i
        )
        CannedResponse.objects.create(title=payload[:100], text="{customer_name} " + payload)
    cases = []
    for i, payload in enumerate(PAYLOADS):
        tweet_id = str(930000 + i)
        author = str(830000 + i)
        post = tweet(tweet_id, f"@{ACCOUNT} {payload} xsskw{i:02d}", author_id=author)
        post["entities"] = {"hashtags": [{"tag": payload}]}
        doc = page(post, users=[user(author, payload[:100], name=payload)])
        pages_ingest(parse_document(doc), account=account, source="replay")
        case = Case.objects.get(messages__platform_id=tweet_id)
        services.case_add_tags(case=case, tags=[payload], actor=supervisor)
        services.case_add_note(case=case, author=supervisor, text=payload)
        sla_services.case_escalate(case=case, actor=supervisor, reason=payload)
        cases.append(Case.objects.get(pk=case.pk))
    # A rejected raw event holding a payload, for the admin's inbound-event pages.
    InboundEvent.objects.create(
        external_id="invalid:xss",
        source="replay",
        payload={"text": PAYLOADS[0], "name": PAYLOADS[1]},
        state=InboundEvent.State.REJECTED,
        reason="id_missing",
        error=PAYLOADS[2],
    )
    client = Client()
    client.force_login(supervisor)
    watching = Client()
    watching.force_login(watcher)
    return {
        "cases": cases,
        "client": client,
        "watching": watching,
        "watcher": watcher,
        "supervisor": supervisor,
        "account": account,
    }


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_agent_ui_pages(corpus):
    client = corpus["client"]
    inbox = _get(client, "/")
    assert_inert(inbox, shows=[*MARKERS, "XSS90", "XSS91"], where="inbox")
    assert_inert(_get(client, "/?partial=rows"), shows=MARKERS, where="inbox rows")
    assert_inert(_get(client, "/?q=XSS05"), where="inbox search")
    for i, case in enumerate(corpus["cases"]):
        html = _get(client, reverse("case_detail", args=[case.reference]))
        assert_inert(html, shows=[MARKERS[i], "XSS90", "XSS91"], where=f"case page {i}")
        # The canned responses (all payloads) are offered on every case page.
        if i == 0:
            assert_inert(html, shows=IN_TITLES, where="case page canned responses")
    dashboard = _get(client, "/supervisor/")
    assert_inert(dashboard, shows=[*MARKERS, "XSS90"], where="supervisor dashboard")
    assert_inert(_get(client, "/supervisor/?partial=panels"), where="dashboard panels")
    assert Notification.objects.filter(user=corpus["watcher"]).count() >= len(PAYLOADS)
    assert_inert(_get(corpus["watching"], "/notifications/"), where="notifications")
    assert_inert(_get(corpus["watching"], "/supervisor/"), where="the watcher's dashboard")


def test_admin_changelists_and_change_pages(corpus):
    client = corpus["client"]
    changelists = [
        ("cases", "case"),
        ("cases", "customer"),
        ("cases", "caseevent"),
        ("cases", "routingrule"),
        ("cases", "cannedresponse"),
        ("cases", "escalation"),
        ("cases", "notification"),
        ("social_ingest", "inboundevent"),
        ("social_ingest", "socialaccount"),
    ]
    shown = {
        ("cases", "customer"): MARKERS,
        ("cases", "routingrule"): MARKERS,
        ("cases", "cannedresponse"): IN_TITLES,
    }
    for app, model in changelists:
        html = _get(client, reverse(f"admin:{app}_{model}_changelist"))
        assert_inert(html, shows=shown.get((app, model), []), where=f"admin {model} list")
    for i, case in enumerate(corpus["cases"]):
        html = _get(client, reverse("admin:cases_case_change", args=[case.pk]))
        assert_inert(html, shows=[MARKERS[i]], where=f"admin case {i}")
    rule = RoutingRule.objects.get(name__startswith=PAYLOADS[3])
    assert_inert(
        _get(client, reverse("admin:cases_routingrule_change", args=[rule.pk])),
        shows=[MARKERS[3]],
        where="admin rule",
    )
    customer = corpus["cases"][4].customer
    assert_inert(
        _get(client, reverse("admin:cases_customer_change", args=[customer.pk])),
        shows=[MARKERS[4]],
        where="admin customer",
    )
    event = InboundEvent.objects.get(external_id="invalid:xss")
    assert_inert(
        _get(client, reverse("admin:social_ingest_inboundevent_change", args=[event.pk])),
        shows=MARKERS[:3],
        where="admin inbound event",
    )
    assert_inert(
        _get(client, reverse("admin:cases_routingrule_try") + "?text=" + PAYLOADS[1]),
        where="admin try a text",
    )


def test_emails_escape_their_html_parts(corpus):
    from cases.notifications import notifications_send_email

    ids = list(Notification.objects.values_list("pk", flat=True))
    assert ids
    notifications_send_email(ids=ids)
    try:
        from cases.digest import weekly_digest_send
    except ImportError:
        weekly_digest_send = None
    if weekly_digest_send is not None:
        weekly_digest_send(now=timezone.now() + timezone.timedelta(days=7))
    assert any(m.to == [corpus["watcher"].email] for m in mail.outbox), "no notification e-mail"
    html_parts = 0
    for message in mail.outbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html_parts += 1
                assert_inert(content, where=f"e-mail {message.subject!r}")
        # A plain-text part is not HTML, but a mail client that guesses must not find markup
        # it would turn into a link or image of ours: subjects stay on one line.
        assert "\n" not in message.subject
    assert html_parts or weekly_digest_send is None


def test_api_docs_and_schema_carry_no_data(corpus):
    client = corpus["client"]
    for url in (reverse("api:schema"), reverse("api:docs"), reverse("api:redoc")):
        body = _get(client, url)
        assert not re.search(r"XSS\d\d", body), f"{url} carries stored data"
        if "docs" in url:
            assert_inert(body, where=url)
    # The API itself answers JSON (never HTML a browser would render).
    response = client.get(f"/api/v1/cases/{corpus['cases'][0].reference}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


def test_public_pages(corpus):
    anonymous = Client()
    response = anonymous.get(f"/public/{ACCOUNT}/")
    if response.status_code == 200:
        assert_inert(response.content.decode(), where="public transparency page")
    try:
        from cases.public_services import status_link_create
    except ImportError:
        return
    for i in (0, 7, 27):
        _link, token = status_link_create(case=corpus["cases"][i], actor=corpus["supervisor"])
        html = _get(anonymous, f"/s/{token}/")
        assert_inert(html, where=f"public status page {i}")


# Payloads that are plain text even when inserted unescaped (they test other layers:
# template evaluation, linkifying, double unescaping).
INERT_RAW = {"XSS07", "XSS16", "XSS17", "XSS25", "XSS26"}


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_the_checker_catches_each_payload_left_unescaped(index):
    """The checks above can fail: each payload pasted raw into a page is caught."""
    from django.utils.html import escape

    raw = (
        f'<div title="x">{PAYLOADS[index]}</div><input value="{PAYLOADS[index]}">'
        f"<input value='{PAYLOADS[index]}'>"
    )
    problems, _text = inspect(raw)
    assert bool(problems) is (MARKERS[index] not in INERT_RAW), problems
    escaped = (
        f'<div title="x">{escape(PAYLOADS[index])}</div><input value="{escape(PAYLOADS[index])}">'
    )
    problems, text = inspect(escaped)
    assert problems == [] and MARKERS[index] in text


def test_the_checker_finds_a_marker_only_where_a_payload_put_it():
    token = "EUNEc4IXSSOcfleNmxOHz8ZhcrwancSFdaQr0baVEZUSRLQZwbMjmE8OoIPOand2"
    assert inspect(f'<body hx-headers=\'{{"X-CSRFToken": "{token}"}}\'>')[0] == []
    assert inspect(f"<img src=x title=t id=\"'{MARKERS[1]}'\">")[0] != []
    assert inspect(f"<script>alert('{MARKERS[2]}')</script>")[0] != []
