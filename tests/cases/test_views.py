"""The agents' and supervisors' web UI: access, query counts, every action through
its service, stale submissions refused, and tweet text kept inert."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases import services
from cases.models import CannedResponse, Case, Queue
from cases.presence import presence_touch
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet, user


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Templates name static files; the test run has no collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def open_case(tweet_id="9001", text="@SadaMinistry hello", *, author="500", name=None, **kw):
    users = [user(author, f"user{author}", name=name or f"User {author}")]
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


def many_cases(n: int, *, start: int = 20000, queue: str = "general") -> list[Case]:
    tweets = [
        tweet(str(start + i), f"@SadaMinistry case {i}", author_id=str(700 + i)) for i in range(n)
    ]
    pages_ingest(parse_document(page(*tweets)), account=None, source="replay")
    cases = list(Case.objects.filter(messages__platform_id__in=[t["id"] for t in tweets]))
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(queue=Queue.objects.get(slug=queue))
    return cases


def login(client, person):
    client.force_login(person)
    return client


# --- Access ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_sign_in_page_is_arabic_and_right_to_left_by_default(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US")
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "تسجيل الدخول" in html


def test_sign_in_with_password_lands_on_the_inbox(client, agent):
    response = client.post(
        reverse("login"), {"username": agent.username, "password": "pw-" + agent.username}
    )
    assert response.status_code == 302 and response.url == reverse("inbox")


def test_language_choice_is_kept_on_the_user_and_turns_the_page_ltr(client, agent):
    login(client, agent)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.language == "en"
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html and "Take next" in html


def test_language_switch_refuses_an_outside_next_url(client, agent):
    login(client, agent)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.url == reverse("inbox")


def test_agent_sees_own_queue_and_outsider_gets_404(client, agent, other_agent):
    case = open_case()
    assert case.queue.slug == "general"
    assert (
        login(client, agent).get(reverse("case_detail", args=[case.reference])).status_code == 200
    )
    client.logout()
    login(client, other_agent)
    assert client.get(reverse("case_detail", args=[case.reference])).status_code == 404
    assert case.reference not in client.get("/").content.decode()
    # Actions on an invisible case are 404 too, and change nothing.
    response = client.post(
        reverse("case_action", args=[case.reference, "note"]),
        {"version": case.version, "text": "hi"},
    )
    assert response.status_code == 404
    assert not case.messages.filter(direction="note").exists()


def test_every_agent_sees_a_p1(client, other_agent):
    case = open_case()
    Case.objects.filter(pk=case.pk).update(priority="P1")
    login(client, other_agent)
    assert client.get(reverse("case_detail", args=[case.reference])).status_code == 200
    assert case.reference in client.get("/").content.decode()


def test_supervisor_sees_every_case_and_the_dashboard(client, supervisor, agent):
    case = open_case()
    Case.objects.filter(pk=case.pk).update(queue=Queue.objects.get(slug="complaints"))
    login(client, supervisor)
    assert case.reference in client.get("/").content.decode()
    response = client.get(reverse("supervisor_dashboard"))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    client.logout()
    login(client, agent)
    assert client.get(reverse("supervisor_dashboard")).status_code == 403


def test_dashboard_panels_show_queue_health_and_agent_load(client, supervisor, agent):
    case = open_case()
    services.case_assign(case=case, assignee=agent, actor=agent)
    login(client, supervisor)
    html = client.get(reverse("supervisor_dashboard") + "?partial=panels").content.decode()
    assert "<html" not in html  # a partial for the live refresh
    assert "agent_amal" in html and "الاستفسارات العامة" in html


# --- Inbox ------------------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("person", ["agent", "supervisor"])
def test_inbox_runs_a_fixed_number_of_queries_whatever_the_page_size(
    db, client, request, person, django_assert_num_queries
):
    someone = request.getfixturevalue(person)
    cases = many_cases(100)
    for case in cases[:30]:
        services.case_add_tags(case=case, tags=["وسم", "billing"], actor=None)
    for case in cases[30:60]:
        services.case_assign(case=case, assignee=someone, actor=someone)
    login(client, someone)
    client.get("/?n=10")  # warm the session and the content types
    with CaptureQueriesContext(connection) as ten:
        response = client.get("/?n=10")
    assert response.content.decode().count('class="row ') == 10
    with django_assert_num_queries(len(ten)):
        response = client.get("/?n=100")
    assert response.content.decode().count('class="row ') == 100


def test_inbox_pages_by_keyset_without_gaps_or_repeats(client, supervisor):
    cases = many_cases(23)
    login(client, supervisor)
    seen, after = [], ""
    for _round in range(10):
        url = "/?partial=rows&n=10" + (f"&after={after}" if after else "")
        response = client.get(url)
        html = response.content.decode()
        refs = [c.reference for c in cases if f'data-ref="{c.reference}"' in html]
        seen += refs
        after = response.context["page"].next_cursor
        if not after:
            break
    assert sorted(seen) == sorted(c.reference for c in cases)
    assert len(seen) == len(set(seen))


def test_inbox_sorts_by_sla_due_first(client, supervisor):
    late, soon = many_cases(2)
    now = timezone.now()
    Case.objects.filter(pk=late.pk).update(first_response_due=now + timedelta(hours=5))
    Case.objects.filter(pk=soon.pk).update(first_response_due=now + timedelta(minutes=5))
    login(client, supervisor)
    rows = client.get("/").context["rows"]
    assert [r.reference for r in rows][:2] == [soon.reference, late.reference]


def test_a_malformed_cursor_starts_from_the_top(client, supervisor):
    many_cases(3)
    login(client, supervisor)
    response = client.get("/?after=not-a-cursor!!")
    assert response.status_code == 200 and len(response.context["rows"]) == 3


def test_inbox_filters(client, supervisor, agent):
    a, b, c = many_cases(3)
    services.case_set_priority(case=a, priority="P2", actor=supervisor, reason="test")
    services.case_change_queue(case=a, queue=Queue.objects.get(slug="complaints"), actor=supervisor)
    services.case_add_tags(case=b, tags=["كهرباء"], actor=supervisor)
    services.case_assign(case=c, assignee=agent, actor=agent)
    login(client, supervisor)

    def refs(query):
        return {r.reference for r in client.get("/?" + query).context["rows"]}

    assert refs("priority=P2") == {a.reference}
    assert refs("tag=كهرباء") == {b.reference}
    assert refs(f"assignee={agent.pk}") == {c.reference}
    assert refs("assignee=none") == {a.reference, b.reference}
    assert refs("queue=complaints") == {a.reference}
    assert refs("view=queue:complaints") == {a.reference}
    assert refs("view=unassigned") == {a.reference, b.reference}
    assert refs("view=unassigned&priority=P2") == {a.reference}
    services.case_resolve(case=Case.objects.get(pk=a.pk), actor=supervisor)
    assert a.reference not in refs("")
    assert refs("status=resolved") == {a.reference}
    assert refs("status=resolved&sla=breached") | refs("status=resolved&sla=met") == {a.reference}


def test_agents_mine_view(client, agent):
    a, b = many_cases(2)
    services.case_assign(case=a, assignee=agent, actor=agent)
    login(client, agent)
    rows = client.get("/?view=mine").context["rows"]
    assert [r.reference for r in rows] == [a.reference]


def test_search_matches_normalised_arabic_and_handles(client, supervisor):
    found = open_case("9301", "@SadaMinistry أحتاج إسعاااف بسرعة", author="601")
    other = open_case("9302", "@SadaMinistry شكرا لكم", author="602")
    login(client, supervisor)

    def refs(q):
        return {r.reference for r in client.get("/", {"q": q}).context["rows"]}

    assert refs("اسعاف") == {found.reference}
    assert refs("احتاج اسعاف") == {found.reference}
    assert refs("@user602") == {other.reference}
    assert refs(found.reference) == {found.reference}
    assert refs("غير موجود") == set()


def test_search_sees_a_message_added_after_the_case_was_indexed(client, supervisor):
    case = open_case("9311", "@SadaMinistry مرحبا")
    login(client, supervisor)
    assert client.get("/", {"q": "مرحبا"}).context["rows"]
    services.case_add_note(case=case, author=supervisor, text="انقطاع الكهرباء")
    assert [r.reference for r in client.get("/", {"q": "الكهرباء"}).context["rows"]] == [
        case.reference
    ]


def test_take_next_opens_the_case_taken(client, agent):
    case = open_case()
    login(client, agent)
    response = client.post(reverse("take_next"))
    assert response.status_code == 302 and response.url == reverse(
        "case_detail", args=[case.reference]
    )
    case.refresh_from_db()
    assert case.assignee == agent
    response = client.post(reverse("take_next"), follow=True)
    assert "لا توجد حالة" in response.content.decode()


def test_bulk_actions_go_through_the_services_and_report_refusals(client, agent, other_agent):
    mine = many_cases(2)
    theirs = many_cases(1, start=30000, queue="complaints")[0]
    login(client, agent)
    response = client.post(
        reverse("inbox_bulk"),
        {"action": "assign_me", "refs": [mine[0].reference, mine[1].reference, theirs.reference]},
        follow=True,
    )
    html = response.content.decode()
    assert Case.objects.filter(pk__in=[c.pk for c in mine], assignee=agent).count() == 2
    assert theirs.reference in html  # refused: not visible to this agent
    assert Case.objects.get(pk=theirs.pk).assignee is None
    assert all(
        c.events.filter(kind="assigned", actor=agent).exists()
        for c in Case.objects.filter(pk__in=[m.pk for m in mine])
    )
    client.post(
        reverse("inbox_bulk"),
        {"action": "not_a_case", "reason": "spam", "refs": [mine[0].reference]},
    )
    assert Case.objects.get(pk=mine[0].pk).resolution == "not_a_case"
    response = client.post(
        reverse("inbox_bulk"), {"action": "not_a_case", "refs": [mine[1].reference]}, follow=True
    )
    assert Case.objects.get(pk=mine[1].pk).status == "open"  # no reason given: nothing done


def test_bulk_resolve_refuses_a_closed_case_and_does_the_rest(client, supervisor):
    a, b = many_cases(2)
    services.case_set_status(case=a, status="closed", actor=supervisor)
    login(client, supervisor)
    response = client.post(
        reverse("inbox_bulk"),
        {"action": "resolve", "refs": [a.reference, b.reference]},
        follow=True,
    )
    assert Case.objects.get(pk=b.pk).status == "resolved"
    assert Case.objects.get(pk=a.pk).status == "closed"
    messages = [str(m) for m in response.context["messages"]]
    assert any(a.reference in m for m in messages)


def test_live_refresh_returns_only_rows(client, agent):
    many_cases(3)
    login(client, agent)
    html = client.get("/?partial=rows&n=2", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and html.count('class="row ') == 2
    assert 'hx-swap-oob="true"' in html


# --- The case page --------------------------------------------------------------------------------


def test_case_page_shows_thread_customer_and_links_to_x(client, agent):
    case = open_case("9401", "@SadaMinistry عندي مشكلة", name="محمد")
    older = open_case("9402", "@SadaMinistry قديمة", name="محمد", minutes=-60)
    login(client, agent)
    html = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert "https://x.com/i/web/status/9401" in html
    assert "عندي مشكلة" in html and "محمد" in html
    assert older.reference in html  # earlier cases of the customer
    assert 'dir="auto"' in html and "<bdi" in html


def test_reply_is_queued_with_its_task(client, agent):
    from django_q.models import OrmQ

    case = open_case()
    login(client, agent)
    response = client.post(
        reverse("case_action", args=[case.reference, "reply"]),
        {"version": case.version, "text": "شكرًا لتواصلك، تم رفع طلبك"},
    )
    assert response.status_code == 302
    reply = case.messages.get(direction="out")
    assert reply.delivery == "queued" and reply.author == agent
    assert OrmQ.objects.count() == 1
    html = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert "شكرًا لتواصلك" in html and "delivery-queued" in html


def test_stale_reply_is_refused_with_the_new_state_and_the_draft_kept(client, agent, agent2):
    case = open_case()
    loaded = case.version
    services.case_assign(case=case, assignee=agent2, actor=agent2)  # someone else, meanwhile
    login(client, agent)
    response = client.post(
        reverse("case_action", args=[case.reference, "reply"]),
        {"version": loaded, "text": "مسودتي"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "مسودتي" in html  # the draft survives
    assert "agent_badr" in html  # the new state: assigned to the other agent
    fresh = Case.objects.get(pk=case.pk)
    assert f'name="version" value="{fresh.version}"' in html
    assert not case.messages.filter(direction="out").exists()


def test_reply_over_the_limit_is_refused_and_kept(client, agent):
    case = open_case()
    login(client, agent)
    text = "مرحبا " * 60
    response = client.post(
        reverse("case_action", args=[case.reference, "reply"]),
        {"version": case.version, "text": text},
    )
    assert response.status_code == 400
    assert "مرحبا مرحبا" in response.content.decode()
    assert not case.messages.filter(direction="out").exists()


@pytest.mark.parametrize(
    "action,data,check",
    [
        ("note", {"text": "ملاحظة داخلية"}, lambda c: c.messages.filter(direction="note").exists()),
        ("status", {"status": "pending"}, lambda c: c.status == "pending"),
        ("not_a_case", {"reason": "spam"}, lambda c: c.resolution == "not_a_case"),
        (
            "priority",
            {"priority": "P2", "reason": "حريق"},
            lambda c: (
                c.priority == "P2"
                and c.events.filter(kind="priority_changed", data__reason="حريق").exists()
            ),
        ),
        ("queue", {"queue": "complaints"}, lambda c: c.queue.slug == "complaints"),
        ("tags", {"tags": "كهرباء، عاجل"}, lambda c: c.tags[-2:] == ["كهرباء", "عاجل"]),
    ],
)
def test_case_actions_call_their_service(client, supervisor, action, data, check):
    case = open_case()
    login(client, supervisor)
    response = client.post(
        reverse("case_action", args=[case.reference, action]), {"version": case.version, **data}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert check(Case.objects.get(pk=case.pk))


def test_priority_change_needs_a_reason(client, agent):
    case = open_case()
    login(client, agent)
    response = client.post(
        reverse("case_action", args=[case.reference, "priority"]),
        {"version": case.version, "priority": "P1"},
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).priority == "P3"


def test_supervisor_assigns_and_agent_cannot_assign_others(client, supervisor, agent, agent2):
    case = open_case()
    login(client, supervisor)
    client.post(
        reverse("case_action", args=[case.reference, "assign"]),
        {"version": case.version, "assignee": agent.pk},
    )
    assert Case.objects.get(pk=case.pk).assignee == agent
    client.logout()
    login(client, agent)
    fresh = Case.objects.get(pk=case.pk)
    response = client.post(
        reverse("case_action", args=[case.reference, "assign"]),
        {"version": fresh.version, "assignee": agent2.pk},
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).assignee == agent


def test_assign_me_shortcut(client, agent):
    case = open_case()
    login(client, agent)
    response = client.post(
        reverse("case_assign_me", args=[case.reference]), {"version": case.version}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).assignee == agent


def test_merge_into_another_case_of_the_customer(client, agent):
    first = open_case("9501")
    second = open_case("9502", conversation_id="9502")
    login(client, agent)
    response = client.post(
        reverse("case_action", args=[second.reference, "merge"]),
        {"version": second.version, "into": first.reference.lower()},
    )
    assert response.status_code == 302 and response.url == reverse(
        "case_detail", args=[first.reference]
    )
    assert Case.objects.get(pk=second.pk).merged_into_id == first.pk


def test_unknown_action_is_404(client, agent):
    case = open_case()
    login(client, agent)
    assert client.post(reverse("case_action", args=[case.reference, "delete"])).status_code == 404


def test_events_are_put_into_words_in_the_readers_language(client, supervisor, agent):
    case = open_case()
    services.case_assign(case=case, assignee=agent, actor=supervisor)
    services.case_set_priority(case=case, priority="P2", actor=supervisor, reason="<b>سبب</b>")
    login(client, supervisor)
    html = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert "أُسندت إلى" in html or "أسندت إلى" in html
    assert "&lt;b&gt;سبب&lt;/b&gt;" in html  # a typed reason is shown, never interpreted
    supervisor.language = "en"
    supervisor.save()
    html = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert "Assigned to" in html and "Priority changed from P3 to P2" in html


# --- Collisions ---------------------------------------------------------------------------------


def test_presence_shows_who_else_has_the_case_open_and_who_is_typing(client, agent, agent2):
    case = open_case()
    presence_touch(case=case, user=agent2, typing=True)
    login(client, agent)
    html = client.post(
        reverse("case_presence", args=[case.reference]), {"version": case.version}
    ).content.decode()
    assert "agent_badr" in html and "يكتب" in html


def test_presence_says_when_the_case_changed_since_it_was_loaded(client, agent, agent2):
    case = open_case()
    loaded = case.version
    services.case_add_note(case=case, author=agent2, text="x")
    login(client, agent)
    html = client.post(
        reverse("case_presence", args=[case.reference]), {"version": loaded}
    ).content.decode()
    assert "stale-banner" in html


def test_presence_expires(agent, agent2):
    from cases.presence import presence_others

    case = open_case()
    then = timezone.now() - timedelta(minutes=1)
    presence_touch(case=case, user=agent2, now=then)
    assert presence_others(case=case, user=agent) == []
    presence_touch(case=case, user=agent2)
    assert [p.user for p in presence_others(case=case, user=agent)] == [agent2]


# --- Tweet text stays text ----------------------------------------------------------------------

HOSTILE = (
    '@SadaMinistry <script>alert("x")</script> <img src=x onerror=alert(1)> '
    '<a href="javascript:alert(2)">click</a> \u202egnp.exe\u202c done'
)


def test_hostile_tweet_is_escaped_everywhere(client, supervisor):
    case = open_case("9601", HOSTILE, name='<img src=x onerror=alert("name")>\u202e')
    login(client, supervisor)
    for url in ("/", reverse("case_detail", args=[case.reference])):
        response = client.get(url)
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert 'href="javascript:' not in html
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_tweet_links_only_for_numeric_ids():
    from cases.templatetags.sada import tweet_url

    assert tweet_url("123") == "https://x.com/i/web/status/123"
    assert tweet_url("javascript:alert(1)") == ""


# --- Canned responses -----------------------------------------------------------------------------


def test_canned_response_fills_placeholders_without_format_strings(db):
    case = open_case(name="سارة")
    canned = CannedResponse.objects.create(
        title="t", text="أهلًا {customer_name}، رقم طلبك {reference} {0.__class__} {unknown}"
    )
    text = canned.render(case)
    assert text == f"أهلًا سارة، رقم طلبك {case.reference} {{0.__class__}} {{unknown}}"


def test_canned_response_admin_validation_names_unknown_placeholders(db):
    from django.core.exceptions import ValidationError

    canned = CannedResponse(title="t", text="{customer_name} {nme}")
    with pytest.raises(ValidationError) as error:
        canned.full_clean()
    assert "{nme}" in str(error.value)


def test_canned_responses_of_the_case_queue_are_offered(client, agent):
    case = open_case()
    everywhere = CannedResponse.objects.create(title="عام", text="مرحبا {customer_name}")
    elsewhere = CannedResponse.objects.create(title="other-queue-only", text="x")
    elsewhere.queues.add(Queue.objects.get(slug="complaints"))
    login(client, agent)
    html = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert everywhere.title in html and "other-queue-only" not in html


# --- Formats ---------------------------------------------------------------------------------------


def test_arabic_numbers_group_with_the_arabic_separator_and_dates_carry_hijri():
    from datetime import UTC, datetime

    from cases.templatetags.sada import absolute, compact, hijri, num

    with translation.override("ar"), timezone.override("Asia/Riyadh"):
        assert num(1234567) == "1٬234٬567"
        assert compact(12345) == "12٫3 ألف"
        when = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        assert hijri(when) == "16 جمادى الآخرة 1448 هـ"
        assert "نوفمبر 2026" in absolute(when) and "1448 هـ" in absolute(when)
    with translation.override("en"), timezone.override("Asia/Riyadh"):
        assert num(1234567) == "1,234,567"
        assert "هـ" not in absolute(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))


def test_sla_chip_says_time_left_and_overdue():
    from types import SimpleNamespace

    from cases.templatetags.sada import countdown

    now = timezone.now()
    with translation.override("en"):
        chip = countdown(SimpleNamespace(sla_state="ok", due_at=now + timedelta(minutes=90)), now)
        assert "1h 30m left" in chip and "sla-ok" in chip
        chip = countdown(
            SimpleNamespace(sla_state="breached", due_at=now - timedelta(minutes=5)), now
        )
        assert "5m overdue" in chip and "sla-breached" in chip


def test_posts_read_in_their_own_direction_whatever_they_start_with():
    from cases.templatetags.sada import text_dir

    assert text_dir("@SadaMinistry انقطاع الكهرباء") == "rtl"
    assert text_dir("@SadaMinistry https://t.co/x How do I renew?") == "ltr"
    assert text_dir("#وزارة_الصحة hello") == "ltr"
    assert text_dir("123 🙂") == "auto"


def test_sla_chip_counts_business_time_on_the_case_calendar(client, supervisor):
    from cases.selectors_ui import with_business_remaining

    case = many_cases(1)[0]
    if not getattr(case, "sla_policy_id", None):
        pytest.skip("no SLA policy applied at intake")
    now = timezone.now()
    row = Case.objects.get(pk=case.pk)
    row.due_at = now + timedelta(days=3)
    with_business_remaining([row], now)
    # A P3 runs on working hours: three calendar days hold far fewer business seconds.
    assert 0 <= row.sla_remaining_seconds < 3 * 86400


def test_search_reindex_command_indexes_cases_loaded_in_bulk(db):
    import json
    from io import StringIO

    from django.core.management import call_command

    from cases.models import CaseSearchDocument

    case = open_case("9801", "@SadaMinistry حفرة في الطريق")
    CaseSearchDocument.objects.all().delete()
    out = StringIO()
    call_command("search_reindex", stdout=out)
    assert json.loads(out.getvalue())["indexed"] >= 1
    assert "حفره" in CaseSearchDocument.objects.get(case=case).document


def test_escalate_with_a_reason_from_the_case_page(client, agent):
    from cases.models import Escalation

    case = open_case()
    login(client, agent)
    response = client.post(
        reverse("case_action", args=[case.reference, "escalate"]),
        {"version": case.version, "reason": "خطر على الأرواح"},
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get(case=case)
    assert escalation.reason == "خطر على الأرواح" and escalation.raised_by == agent
    html = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert "خطر على الأرواح" in html


def test_supervisor_acknowledges_from_the_dashboard(client, agent, supervisor):
    from cases import sla_services

    case = open_case()
    escalation = sla_services.case_escalate(case=case, actor=agent, reason="urgent")
    login(client, supervisor)
    assert case.reference in client.get(reverse("supervisor_dashboard")).content.decode()
    response = client.post(reverse("escalation_acknowledge", args=[escalation.pk]))
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == supervisor
    panels = client.get(reverse("supervisor_dashboard") + "?partial=panels").content.decode()
    assert case.reference not in panels.split("esc-title")[1].split("due-title")[0]


def test_resolved_cases_list_newest_first_by_default(client, supervisor):
    first, second = many_cases(2)
    Case.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=2))
    Case.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(days=1))
    for case in (first, second):
        services.case_resolve(case=Case.objects.get(pk=case.pk), actor=supervisor)
    login(client, supervisor)
    response = client.get("/?status=resolved")
    assert response.context["page"].sort == "newest"
    assert [r.reference for r in response.context["rows"]] == [second.reference, first.reference]


def test_dashboard_shows_channel_health_from_the_connector(client, supervisor):
    from social_ingest.models import SocialAccount

    SocialAccount.objects.create(
        handle="SadaMinistry",
        health=SocialAccount.Health.RATE_LIMITED,
        last_error="429 Too Many Requests <b>",
        last_poll_at=timezone.now(),
    )
    login(client, supervisor)
    html = client.get(reverse("supervisor_dashboard") + "?partial=panels").content.decode()
    assert "@SadaMinistry" in html and "429 Too Many Requests &lt;b&gt;" in html
    assert "health-rate_limited" in html


def test_tweet_text_isolates_handles_and_links_and_stays_escaped():
    from cases.templatetags.sada import tweet_text

    html = tweet_text("@SadaMinistry شكرا <b>x</b> https://t.co/a?b=1&c=2\nسطر")
    assert html.startswith('<bdi dir="ltr">@SadaMinistry</bdi>')
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html
    assert '<bdi dir="ltr">https://t.co/a?b=1&amp;c=2</bdi>' in html
    assert "<br>سطر" in html
    assert tweet_text("mail@example.com") == "mail@example.com"


def test_agent_sets_themselves_away_and_back(client, agent):
    client.force_login(agent)
    client.post("/availability/", {"available": "0"})
    agent.refresh_from_db()
    assert agent.is_available is False
    client.post("/availability/", {"available": "1"})
    agent.refresh_from_db()
    assert agent.is_available is True


def test_notifications_page_lists_mine_and_marks_them_read(client, agent):
    from cases.models import Notification
    from tests.cases.test_services import open_case

    case = open_case("88001")
    Notification.objects.create(
        user=agent,
        kind="escalated",
        case=case,
        data={"reference": case.reference, "level": 2, "reason": "late"},
    )
    client.force_login(agent)
    page = client.get("/notifications/")
    assert page.status_code == 200 and case.reference in page.content.decode()
    assert client.get("/").context["nav_unread"]() == 1
    client.post("/notifications/")
    assert Notification.objects.get().read_at is not None
