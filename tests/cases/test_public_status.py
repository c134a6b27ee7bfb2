"""Public case status links: unguessable, stored hashed, expiring, leaking nothing;
a citizen's follow-up joins the case (reopening it) and stays inert on the case page."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import public_services, services
from cases.exceptions import InvalidInput
from cases.mention import Author, Mention
from cases.models import Case, CaseEvent, CaseStatusLink, Message, Queue

MARK_NAME = "ZzNameMarker7431"
MARK_HANDLE = "zzhandlemarker7431"
MARK_TEXT = "ZzTextMarker7431"
MARK_AGENT = "ZzAgentMarker7431"


def make_case(ext: str = "9001", *, text: str = f"@SadaMinistry help {MARK_TEXT}") -> Case:
    mention = Mention(
        platform="x",
        external_id=ext,
        text=text,
        created_at=timezone.now() - timedelta(minutes=5),
        author=Author(external_id=f"u{ext}", handle=MARK_HANDLE, name=MARK_NAME),
        conversation_id=ext,
    )
    case = services.intake(mention).case
    Case.objects.filter(pk=case.pk).update(queue=Queue.objects.get(slug="general"))
    case.refresh_from_db()
    return case


def link_for(case: Case) -> str:
    _link, token = public_services.status_link_create(case=case, actor=None)
    return token


def status_url(token: str) -> str:
    return reverse("public_status", args=[token])


# --- Unguessable, hashed --------------------------------------------------------------------


def test_token_has_128_random_bits_and_only_its_hash_is_stored(db):
    case = make_case()
    tokens = {link_for(case) for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)  # 16 bytes = 128 bits
    stored = list(CaseStatusLink.objects.values_list("token_hash", flat=True))
    assert sorted(stored) == sorted(hashlib.sha256(t.encode()).hexdigest() for t in tokens)
    assert not tokens & set(stored)


def test_lookup_is_by_hash_and_the_token_never_reaches_the_database(client, db):
    case = make_case()
    token = link_for(case)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(status_url(token)).status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert token not in sql
    assert hashlib.sha256(token.encode()).hexdigest() in sql


def test_wrong_or_malformed_token_is_404(client, db):
    case = make_case()
    token = link_for(case)
    wrong = ("A" if token[0] != "A" else "B") + token[1:]
    assert client.get(status_url(wrong)).status_code == 404
    assert client.get("/s/short/").status_code == 404
    assert client.get("/s/" + "x" * 20 + "%3Cscript%3E/").status_code == 404


# --- The page -------------------------------------------------------------------------------


def test_page_shows_reference_status_and_update_and_nothing_personal(client, db, agent):
    agent.first_name = MARK_AGENT
    agent.save()
    case = make_case()
    services.case_assign(case=case, assignee=agent, actor=agent)
    services.case_add_note(case=case, author=agent, text=f"note {MARK_TEXT}")
    token = link_for(case)
    response = client.get(status_url(token) + "?lang=en")
    body = response.content.decode()
    assert response.status_code == 200
    assert case.reference in body
    assert "being handled" in body
    for marker in (MARK_NAME, MARK_HANDLE, MARK_TEXT, MARK_AGENT, "agent_amal"):
        assert marker not in body
    assert "<script" not in body
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]


def test_page_is_arabic_rtl_by_default_and_english_ltr_on_request(client, db):
    token = link_for(make_case())
    arabic = client.get(status_url(token)).content.decode()
    assert 'lang="ar" dir="rtl"' in arabic
    assert "قيد المعالجة" in arabic or "تم الاستلام" in arabic
    english = client.get(status_url(token) + "?lang=en").content.decode()
    assert 'lang="en" dir="ltr"' in english
    assert "Your case" in english


def test_link_expires_the_set_days_after_the_case_was_closed(client, db, settings):
    settings.SADA_STATUS_LINK_DAYS_AFTER_CLOSE = 30
    case = make_case()
    token = link_for(case)
    services.case_set_status(case=case, status="closed", actor=None)
    closed = timezone.now()
    Case.objects.filter(pk=case.pk).update(resolved_at=closed - timedelta(days=29))
    assert client.get(status_url(token)).status_code == 200
    Case.objects.filter(pk=case.pk).update(resolved_at=closed - timedelta(days=30, minutes=1))
    response = client.get(status_url(token) + "?lang=en")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert case.reference not in response.content.decode()


def test_a_revoked_link_stops_working(client, db):
    case = make_case()
    token = link_for(case)
    CaseStatusLink.objects.update(revoked_at=timezone.now())
    assert client.get(status_url(token)).status_code == 410


# --- Follow-ups -----------------------------------------------------------------------------


def test_followup_joins_the_case_as_a_web_message_and_reopens_a_resolved_one(client, db):
    case = make_case()
    token = link_for(case)
    services.case_resolve(case=case, actor=None)
    text = "  شكراً، لكن المشكلة عادت \n"
    response = client.post(status_url(token), {"text": text})
    assert response.status_code == 302
    assert "sent=1" in response["Location"]
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.resolved_at is None
    message = case.messages.get(channel="web")
    assert message.text == text  # exactly as written
    assert message.direction == Message.Direction.INBOUND
    kinds = list(case.events.values_list("kind", flat=True))
    assert "reopened" in kinds and "message_received" in kinds and "public_followup" in kinds
    # The reply path still answers the customer's post on X, not the web message.
    reply = services.case_reply(case=case, author=None, text="نعتذر، نتابع الآن")
    assert reply.in_reply_to_id == "9001"


def test_followup_on_a_pending_case_makes_it_open(db):
    case = make_case()
    services.case_set_status(case=case, status="pending", actor=None)
    link, _token = public_services.status_link_create(case=case, actor=None)
    public_services.case_public_followup(link=link, text="here is the info")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_followup_is_refused_on_a_closed_case(client, db):
    case = make_case()
    token = link_for(case)
    services.case_set_status(case=case, status="closed", actor=None)
    response = client.post(status_url(token), {"text": "hello again"})
    assert response.status_code == 409
    assert not Message.objects.filter(channel="web").exists()
    assert "<textarea" not in client.get(status_url(token)).content.decode()


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_followup_text_is_bounded(client, db, text):
    token = link_for(make_case())
    response = client.post(status_url(token), {"text": text})
    assert response.status_code == 400
    assert not Message.objects.filter(channel="web").exists()


def test_followups_are_limited_per_hour(client, db, settings):
    settings.SADA_PUBLIC_FOLLOWUPS_PER_HOUR = 2
    token = link_for(make_case())
    assert client.post(status_url(token), {"text": "one"}).status_code == 302
    assert client.post(status_url(token), {"text": "two"}).status_code == 302
    assert client.post(status_url(token), {"text": "three"}).status_code == 429
    assert Message.objects.filter(channel="web").count() == 2


def test_followup_form_needs_the_csrf_token(db):
    token = link_for(make_case())
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(status_url(token), {"text": "no token"}).status_code == 403
    assert not Message.objects.filter(channel="web").exists()
    page = strict.get(status_url(token)).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = strict.post(status_url(token), {"text": "with token", "csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    assert Message.objects.filter(channel="web").count() == 1


def test_xss_in_a_followup_is_inert_on_the_case_page(client, db, supervisor):
    case = make_case()
    token = link_for(case)
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">"\'><svg onload=alert(3)>'
    assert client.post(status_url(token), {"text": payload}).status_code == 302
    assert Message.objects.get(channel="web").text == payload
    client.force_login(supervisor)
    page = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Sending the link -----------------------------------------------------------------------


def test_reply_with_a_status_link_carries_a_working_link(client, db, settings):
    settings.SADA_PUBLIC_BASE_URL = "https://sada.example.gov.sa"
    case = make_case()
    message = public_services.case_reply_with_status_link(
        case=case, author=None, text="نتابع طلبك، تابع الحالة هنا:"
    )
    match = re.search(r"https://sada\.example\.gov\.sa/s/([A-Za-z0-9_-]+)/$", message.text)
    assert match, message.text
    assert client.get(status_url(match.group(1))).status_code == 200
    assert CaseEvent.objects.filter(case=case, kind="status_link_created").count() == 1


def test_the_status_link_placeholder_is_replaced_in_place(db, settings):
    settings.SADA_PUBLIC_BASE_URL = "https://sada.example.gov.sa"
    message = public_services.case_reply_with_status_link(
        case=make_case(), author=None, text="Track it: {status_link} — thanks"
    )
    assert re.fullmatch(r"Track it: https://sada\S+/s/\S+/ — thanks", message.text)


def test_a_reply_x_would_refuse_leaves_no_link_behind(db, settings):
    settings.SADA_PUBLIC_BASE_URL = "https://sada.example.gov.sa"
    case = make_case()
    with pytest.raises(InvalidInput):
        public_services.case_reply_with_status_link(case=case, author=None, text="و" * 270)
    assert not CaseStatusLink.objects.exists()
    # 256 characters + a space + a link counted as 23 by X = 280: accepted.
    public_services.case_reply_with_status_link(case=case, author=None, text="و" * 256)
    assert CaseStatusLink.objects.count() == 1


def test_agent_ticks_add_a_status_link_in_the_reply_form(client, db, agent, settings):
    settings.SADA_PUBLIC_BASE_URL = "https://sada.example.gov.sa"
    case = make_case()
    client.force_login(agent)
    page = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert 'name="status_link"' in page
    url = reverse("case_action", args=[case.reference, "reply"])
    client.post(url, {"text": "plain", "version": case.version})
    case.refresh_from_db()
    client.post(url, {"text": "with link", "version": case.version, "status_link": "1"})
    texts = list(
        case.messages.filter(direction="out").order_by("id").values_list("text", flat=True)
    )
    assert texts[0] == "plain"
    assert texts[1].startswith("with link https://sada.example.gov.sa/s/")
