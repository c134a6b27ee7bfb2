"""The agents' UI in real Chromium, as a new agent would use it, in Arabic and English."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from cases import services
from cases.models import Case, Message, Queue, User
from cases.replies import weighted_length
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-1"


def person(username: str, group: str, queues=("general",), **extra) -> User:
    someone = User.objects.create_user(username=username, password=PASSWORD, **extra)
    someone.groups.add(Group.objects.get(name=group))
    for slug in queues:
        Queue.objects.get(slug=slug).members.add(someone)
    return someone


def ingest(tweet_id: str, text: str, *, author: str, name: str, handle: str = "", **kw) -> Case:
    users = [user(author, handle or f"user{author}", name=name, followers=12_345)]
    pages_ingest(
        parse_document(page(tweet(tweet_id, text, author_id=author, **kw), users=users)),
        account=None,
        source="replay",
    )
    case = Case.objects.get(messages__platform_id=tweet_id)
    # Routing rules are not under test here: every case starts in "general".
    Case.objects.filter(pk=case.pk).update(queue=Queue.objects.get(slug="general"))
    case.refresh_from_db()
    return case


def sign_in(page_, base: str, username: str) -> None:
    page_.goto(base + "/accounts/login/")
    page_.fill("input[name=username]", username)
    page_.fill("input[name=password]", PASSWORD)
    page_.click(".auth-card button[type=submit]")
    page_.wait_for_url(base + "/")


def demo_cases() -> dict[str, Case]:
    cases = {
        "power": ingest(
            "8001",
            "@SadaMinistry انقطاع الكهرباء في حي النرجس منذ ٣ ساعات، متى يعود؟",
            author="501",
            name="عبدالله القحطاني",
            handle="abdullah_q",
            minutes=-40,
        ),
        "license": ingest(
            "8002",
            "@SadaMinistry How do I renew my business license online? The portal shows an error.",
            author="502",
            name="Sarah M.",
            handle="sarah_m",
            lang="en",
            minutes=-30,
        ),
        "thanks": ingest(
            "8003",
            "@SadaMinistry شكرًا على سرعة الاستجابة 🌹",
            author="503",
            name="نورة",
            handle="noura_55",
            minutes=-20,
        ),
    }
    services.case_set_priority(case=cases["power"], priority="P2", actor=None, reason="rule:outage")
    services.case_add_tags(case=cases["power"], tags=["كهرباء"], actor=None)
    return cases


def test_agent_filters_takes_next_replies_and_sees_first_response_met(
    live_server, new_page, artifacts
):
    from django_q.models import OrmQ

    agent = person("amal", "Agents", first_name="أمل", last_name="القحطاني")
    cases = demo_cases()
    tab = new_page()
    base = live_server.url
    sign_in(tab, base, "amal")
    expect(tab.locator("html")).to_have_attribute("dir", "rtl")
    expect(tab.locator("html")).to_have_attribute("lang", "ar")
    expect(tab.get_by_role("button", name=re.compile("خذ التالية"))).to_be_visible()
    tab.screenshot(path=str(artifacts / "inbox-ar.png"), full_page=True)

    # Filter: priority P2 only.
    tab.select_option("select[name=priority]", "P2")
    tab.click("#filters button[type=submit]")
    expect(tab.locator("#inbox-rows tr.row")).to_have_count(1)
    expect(tab.locator("#inbox-rows")).to_contain_text("انقطاع الكهرباء")

    # Take next: the most urgent unassigned case of the agent's queues (the P2).
    tab.get_by_role("button", name=re.compile("خذ التالية")).click()
    power = cases["power"]
    tab.wait_for_url(f"{base}/cases/{power.reference}/")
    expect(tab.locator(".case-meta")).to_contain_text("أمل")

    # Reply, watching X's weighted counter.
    reply = "نعتذر عن الانقطاع، تم رفع بلاغك للفريق الفني 🙏 https://moi.gov.sa/status"
    tab.fill("#id_reply_text", reply)
    expect(tab.locator("[data-count]")).to_have_text(str(weighted_length(reply)))
    tab.screenshot(path=str(artifacts / "case-ar.png"), full_page=True)
    tab.get_by_role("button", name="إرسال الرد").click()
    tab.wait_for_url(re.compile(rf"/cases/{power.reference}/"))
    expect(tab.locator(".messages")).to_contain_text("أُدرج الرد للنشر على X")

    out = Message.objects.get(case=power, direction="out")
    assert out.delivery == "queued" and out.text == reply and out.author == agent
    task = OrmQ.objects.get()
    assert task.task["func"] == "social_ingest.tasks.deliver_reply"
    assert task.task["args"] == (out.pk,)

    # X accepts it (the connector's side, simulated): the first-response clock is met.
    services.reply_delivered(message_id=out.pk, platform_id="8101")
    tab.reload()
    expect(tab.locator(".clocks")).to_contain_text("تم الوفاء")
    expect(tab.locator(f"#m{out.pk} .delivery-sent")).to_be_visible()
    expect(tab.locator(f'#m{out.pk} a[href="https://x.com/i/web/status/8101"]')).to_be_visible()


def test_keyboard_moves_through_the_inbox_and_opens_a_case(live_server, new_page):
    person("amal", "Agents")
    cases = demo_cases()
    tab = new_page()
    sign_in(tab, live_server.url, "amal")
    rows = tab.locator("#inbox-rows tr.row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_class(re.compile("cursor"))
    tab.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("cursor"))
    tab.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("cursor"))
    tab.keyboard.press("?")
    expect(tab.locator("dialog#help")).to_be_visible()
    tab.keyboard.press("Escape")
    first_ref = rows.nth(0).get_attribute("data-ref")
    tab.keyboard.press("x")
    expect(tab.locator("[data-bulk]")).to_be_visible()
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{live_server.url}/cases/{first_ref}/")
    assert first_ref in {c.reference for c in cases.values()}
    tab.keyboard.press("a")
    tab.wait_for_load_state()
    expect(tab.locator(".case-meta")).to_contain_text("amal")


def test_live_refresh_keeps_the_agents_place_and_selection(live_server, new_page, settings):
    person("amal", "Agents")
    demo_cases()
    tab = new_page()
    sign_in(tab, live_server.url, "amal")
    rows = tab.locator("#inbox-rows tr.row")
    tab.keyboard.press("j")
    cursor_ref = rows.nth(1).get_attribute("data-ref")
    rows.nth(2).locator("input[name=refs]").check()
    selected_ref = rows.nth(2).get_attribute("data-ref")
    ingest("8009", "@SadaMinistry بلاغ جديد وصل الآن", author="509", name="جديد")
    with tab.expect_response(lambda r: "partial=rows" in r.url, timeout=30_000):
        # What the poll does every few seconds, without waiting for it.
        tab.evaluate("htmx.ajax('GET', '/?partial=rows', '#inbox-rows')")
    expect(tab.locator("#inbox-rows")).to_contain_text("بلاغ جديد")
    expect(tab.locator(f"#row-{cursor_ref}")).to_have_class(re.compile("cursor"))
    expect(tab.locator(f"#row-{selected_ref} input[name=refs]")).to_be_checked()


def test_second_agent_sees_the_collision_and_a_stale_reply_is_refused(live_server, new_page):
    person("amal", "Agents")
    person("badr", "Agents")
    case = demo_cases()["license"]
    url = f"{live_server.url}/cases/{case.reference}/"

    amal, badr = new_page(), new_page()
    sign_in(amal, live_server.url, "amal")
    sign_in(badr, live_server.url, "badr")
    amal.goto(url)
    badr.goto(url)
    badr.fill("#id_reply_text", "Draft from Badr")  # typing: a heartbeat says so at once
    expect(amal.locator("#presence")).to_contain_text("badr", timeout=20_000)
    expect(amal.locator("#presence .typing")).to_be_visible(timeout=20_000)

    amal.fill("#id_reply_text", "Thank you, you can renew at the portal; we fixed the error.")
    amal.get_by_role("button", name="إرسال الرد").click()
    expect(amal.locator(".messages")).to_contain_text("أُدرج الرد")

    badr.get_by_role("button", name="إرسال الرد").click()
    expect(badr.locator(".messages")).to_contain_text("تغيّرت الحالة منذ فتحتها")
    expect(badr.locator("#id_reply_text")).to_have_value("Draft from Badr")
    expect(badr.locator(".thread")).to_contain_text("we fixed the error")  # the new state
    assert Message.objects.filter(case=case, direction="out").count() == 1


def test_supervisor_acknowledges_an_escalation_from_the_dashboard(live_server, new_page, artifacts):
    from cases import sla_services

    agent = person("amal", "Agents")
    person("sara", "Supervisors", queues=())
    case = demo_cases()["power"]
    services.case_assign(case=case, assignee=agent, actor=agent)
    escalation = sla_services.case_escalate(
        case=Case.objects.get(pk=case.pk), actor=agent, reason="المواطن مريض ويحتاج الكهرباء"
    )
    tab = new_page()
    sign_in(tab, live_server.url, "sara")
    tab.goto(live_server.url + "/supervisor/")
    panel = tab.locator(".dash-escalations")
    expect(panel).to_contain_text(case.reference)
    expect(panel).to_contain_text("المواطن مريض")
    tab.screenshot(path=str(artifacts / "dashboard-ar.png"), full_page=True)
    panel.get_by_role("button", name="إقرار").click()
    expect(tab.locator(".messages")).to_contain_text("تم الإقرار")
    expect(tab.locator(".dash-escalations")).not_to_contain_text(case.reference)
    escalation.refresh_from_db()
    assert escalation.acknowledged_by.username == "sara"


HOSTILE_TEXT = (
    '@SadaMinistry <script>alert("x")</script> <img src=x onerror=alert(1)> '
    '<a href="javascript:alert(2)">click</a> \u202eexe.txt\u202c end'
)
HOSTILE_NAME = '<img src=x onerror=alert("n")>\u202eevil'


def test_hostile_tweet_is_shown_inert_and_readable(live_server, new_page, artifacts):
    person("amal", "Agents")
    case = ingest("8666", HOSTILE_TEXT, author="666", name=HOSTILE_NAME, handle="hostile")
    tab = new_page()
    dialogs = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(tab, live_server.url, "amal")
    expect(tab.locator("#inbox-rows")).to_contain_text('<script>alert("x")</script>')
    tab.goto(f"{live_server.url}/cases/{case.reference}/")
    text = tab.locator(".msg-in .msg-text").inner_text()
    assert '<script>alert("x")</script>' in text
    assert "<img src=x onerror=alert(1)>" in text
    assert '<a href="javascript:alert(2)">click</a>' in text
    assert "\u202eexe.txt\u202c" in text
    assert '<img src=x onerror=alert("n")>' in tab.locator(".customer-name").inner_text()
    assert tab.locator("script:not([src]):not([type='application/json'])").count() == 0
    assert tab.locator(".thread img, .customer img").count() == 0
    assert tab.locator("a[href^='javascript:']").count() == 0
    tab.wait_for_timeout(300)
    assert dialogs == []


COUNTER_SAMPLES = [
    "مرحبا بكم",
    "Hello world",
    "شكرًا 🌹🌹",
    "👨‍👩‍👧 family",
    "🇸🇦 اليوم الوطني",
    "日本語のテキスト",
    "زوروا https://moi.gov.sa/services?id=1. شكرا",
    "moi.gov.sa و example.com/path",
    "file.txt is not a link",
    "test@example.com",
    "line one\r\nline two",
    "e\u0301 composed",
    "رابط (https://example.com/a) هنا",
    "@SadaMinistry #وزارة_الصحة",
    "❤️ 1️⃣",
    "مرحبا " * 50,
]


def test_weighted_counter_in_the_browser_matches_the_server(live_server, new_page):
    person("amal", "Agents")
    case = demo_cases()["power"]
    tab = new_page()
    sign_in(tab, live_server.url, "amal")
    tab.goto(f"{live_server.url}/cases/{case.reference}/")
    browser_counts = tab.evaluate(
        "(texts) => texts.map(t => window.Sada.weightedLength(t))", COUNTER_SAMPLES
    )
    assert browser_counts == [weighted_length(t) for t in COUNTER_SAMPLES]


def test_counter_counts_the_status_link_the_reply_will_carry(live_server, new_page, settings):
    from cases.public_services import STATUS_LINK_PLACEHOLDER, new_token, status_link_url

    settings.SADA_PUBLIC_BASE_URL = "https://sada.moi.gov.sa"
    link = status_link_url(new_token())  # the real reply carries one like it
    assert weighted_length(link) == 23
    person("amal", "Agents")
    case = demo_cases()["power"]
    tab = new_page()
    sign_in(tab, live_server.url, "amal")
    tab.goto(f"{live_server.url}/cases/{case.reference}/")
    box, count = tab.locator("input[name=status_link]"), tab.locator("[data-count]")
    text = "تم استلام بلاغك، تابع حالته هنا  "
    tab.fill("#id_reply_text", text)
    expect(count).to_have_text(str(weighted_length(text)))
    box.check()  # appended after a space, the text's own trailing spaces dropped
    expect(count).to_have_text(str(weighted_length(f"{text.rstrip()} {link}")))
    placed = f"Follow it at {STATUS_LINK_PLACEHOLDER} (Arabic and English)"
    tab.fill("#id_reply_text", placed)
    expect(count).to_have_text(str(weighted_length(placed.replace(STATUS_LINK_PLACEHOLDER, link))))
    box.uncheck()
    expect(count).to_have_text(str(weighted_length(placed)))
    # 260 characters can be sent alone, not with the link (260 + 1 + 23 > 280).
    tab.fill("#id_reply_text", "ا" * 260)
    expect(tab.locator("#reply-form button[type=submit]")).to_be_enabled()
    box.check()
    expect(count).to_have_text("284")
    expect(tab.locator("#reply-form button[type=submit]")).to_be_disabled()


def test_english_screenshots_read_left_to_right(live_server, new_page, artifacts):
    agent = person("amal", "Agents")
    cases = demo_cases()
    services.case_assign(case=cases["license"], assignee=agent, actor=agent)
    services.case_add_note(case=cases["license"], author=agent, text="Checked the portal logs.")
    tab = new_page()
    sign_in(tab, live_server.url, "amal")
    tab.get_by_role("button", name="English").click()
    expect(tab.locator("html")).to_have_attribute("dir", "ltr")
    expect(tab.get_by_role("button", name=re.compile("Take next"))).to_be_visible()
    tab.screenshot(path=str(artifacts / "inbox-en.png"), full_page=True)
    tab.goto(f"{live_server.url}/cases/{cases['power'].reference}/")
    expect(tab.locator(".thread")).to_contain_text("انقطاع الكهرباء")
    tab.screenshot(path=str(artifacts / "case-en.png"), full_page=True)
    tab.goto(f"{live_server.url}/cases/{cases['license'].reference}/")
    tab.screenshot(path=str(artifacts / "case-en-ltr-tweet.png"), full_page=True)
