"""The public transparency page of an account: opt-in, hand-computed figures, small
counts withheld, no personal data, cached (no query on repeat), Arabic and English."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cases import services, transparency
from cases.mention import Author, Mention
from cases.models import Case, Queue
from social_ingest.models import SocialAccount

MARK_NAME = "ZzPubName5520"
MARK_HANDLE = "zzpubhandle5520"
MARK_TEXT = "ZzPubText5520"
MARK_AGENT = "ZzPubAgent5520"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def add_case(ext: str, *, account, created_at, category: str, wall=None, business=None, met=None):
    """A case of `account` written at `created_at`, first answered after `wall` seconds."""
    mention = Mention(
        platform="x",
        external_id=ext,
        text=f"@MinistryX {MARK_TEXT} {ext}",
        created_at=created_at,
        author=Author(external_id=f"u{ext}", handle=f"{MARK_HANDLE}{ext}", name=MARK_NAME),
        conversation_id=ext,
    )
    case = services.intake(mention, account=account).case
    Case.objects.filter(pk=case.pk).update(
        category=category,
        queue=Queue.objects.get(slug="general"),
        first_responded_at=created_at + timedelta(seconds=wall) if wall is not None else None,
        first_response_seconds=business,
        first_response_met=met,
        # Unanswered ones are still on time: not counted as missed.
        first_response_due=timezone.now() + timedelta(days=1),
    )
    return case


@pytest.fixture
def ministry(db, agent):
    """12 cases in the last 30 days, 2 older ones this year, and cases of others."""
    account = SocialAccount.objects.create(handle="MinistryX", transparency_public=True)
    other = SocialAccount.objects.create(handle="Quiet", transparency_public=False)
    now = timezone.now()
    recent = now - timedelta(days=2)
    categories = ["complaint"] * 6 + ["inquiry"] * 5 + ["praise"]
    for i, category in enumerate(categories):
        answered = i < 9
        add_case(
            str(9500 + i),
            account=account,
            created_at=recent + timedelta(minutes=i),
            category=category,
            wall=(i + 1) * 60 if answered else None,
            business=(i + 1) * 30 if answered else None,
            met=(i < 6) if answered else None,
        )
    for i in range(2):
        add_case(
            str(9600 + i),
            account=account,
            created_at=now - timedelta(days=100, minutes=i),
            category="complaint",
            wall=3600,
            business=3600,
            met=True,
        )
    add_case("9700", account=other, created_at=recent, category="complaint", wall=60, met=False)
    add_case("9701", account=None, created_at=recent, category="praise")
    # An agent's reply with their name on it: must not reach the page either.
    agent.first_name = MARK_AGENT
    agent.save()
    case = Case.objects.filter(account=account).first()
    services.case_reply(case=case, author=agent, text=f"reply {MARK_TEXT}")
    return account


def page_url(handle="MinistryX"):
    return reverse("public_transparency", args=[handle])


def json_url(handle="MinistryX"):
    return reverse("public_transparency_json", args=[handle])


def test_figures_equal_the_hand_computed_values(client, ministry):
    data = client.get(json_url()).json()
    month = data["periods"]["last_30_days"]
    assert month["cases"] == 12
    assert month["answered"] == 9
    assert month["answered_share"] == 0.75
    # 9 waits of 60..540 s: the median is the 5th, 300 s (business: 150 s).
    assert month["median_first_response_seconds"] == {"wall": 300.0, "business": 150.0}
    assert month["first_response_within_sla"] == {"met": 6, "missed": 3, "share": 0.6667}
    # praise (1) is fewer than 5; inquiry (5) is withheld with it, so that the single
    # small count is not the total minus the shown ones.
    assert month["categories"] == [
        {"category": "complaint", "label": "شكاوى", "count": 6},
        {"category": "inquiry", "label": "استفسارات", "count": None, "fewer_than": None},
        {"category": "praise", "label": "إشادة", "count": None, "fewer_than": 5},
    ]
    year = data["periods"]["last_12_months"]
    assert (year["cases"], year["answered"], year["answered_share"]) == (14, 11, 0.7857)
    # 11 waits: 60..540 and 3600 twice; the median is the 6th, 360 s (business: 180 s).
    assert year["median_first_response_seconds"] == {"wall": 360.0, "business": 180.0}
    assert year["first_response_within_sla"]["share"] == 0.7273
    assert [(c["category"], c["count"]) for c in year["categories"]] == [
        ("complaint", 8),
        ("inquiry", None),
        ("praise", None),
    ]
    assert len(year["months"]) == 12
    assert sum(m["cases"] for m in year["months"]) == 14
    # Month by month: 9 of 12 answered this month, both cases of 100 days ago.
    assert sorted((m["cases"], m["answered_share"]) for m in year["months"] if m["cases"]) == [
        (2, 1.0),
        (12, 0.75),
    ]
    assert {m["answered_share"] for m in year["months"] if not m["cases"]} == {None}


def test_small_categories_are_withheld():
    rows = [{"category": c, "count": n} for c, n in [("a", 9), ("b", 7), ("c", 4), ("d", 2)]]
    out = transparency.suppress_small(rows, minimum=5)
    assert [(r["category"], r["count"], r.get("fewer_than")) for r in out] == [
        ("a", 9, None),
        ("b", 7, None),
        ("c", None, 5),
        ("d", None, 5),
    ]
    lone = transparency.suppress_small(
        [
            {"category": "a", "count": 9},
            {"category": "b", "count": 7},
            {"category": "c", "count": 1},
        ],
        minimum=5,
    )
    assert [r["count"] for r in lone] == [9, None, None]
    assert (
        transparency.suppress_small([{"category": "a", "count": 1}], minimum=5)[0]["count"] is None
    )


def test_unknown_and_not_opted_in_handles_give_the_same_404(client, ministry):
    unknown, quiet = client.get(page_url("NoSuchOne")), client.get(page_url("Quiet"))
    assert unknown.status_code == quiet.status_code == 404
    assert unknown.content == quiet.content
    unknown_json, quiet_json = client.get(json_url("NoSuchOne")), client.get(json_url("Quiet"))
    assert unknown_json.status_code == quiet_json.status_code == 404
    assert unknown_json.content == quiet_json.content
    SocialAccount.objects.filter(handle="Quiet").update(transparency_public=True)
    cache.clear()
    assert client.get(page_url("Quiet")).status_code == 200


def test_page_and_json_carry_no_personal_data(client, ministry):
    references = list(Case.objects.values_list("reference", flat=True))
    for url in (page_url(), page_url() + "?lang=en", json_url(), json_url() + "?lang=en"):
        body = client.get(url).content.decode()
        for marker in (MARK_NAME, MARK_HANDLE, MARK_TEXT, MARK_AGENT, "agent_amal", "Quiet"):
            assert marker not in body, (url, marker)
        for reference in references:
            assert reference not in body


def test_a_repeat_request_costs_no_query(client, ministry, django_assert_num_queries):
    assert client.get(page_url()).status_code == 200
    assert client.get(json_url()).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(page_url()).status_code == 200
        assert client.get(json_url()).status_code == 200
    # Unknown handles are remembered too: probing costs nothing after the first time.
    client.get(page_url("Probe1"))
    with django_assert_num_queries(0):
        assert client.get(page_url("Probe1")).status_code == 404


def test_figures_are_kept_for_the_configured_time(client, ministry, settings):
    settings.SADA_PUBLIC_CACHE_SECONDS = 600
    client.get(json_url())
    add_case(
        "9800",
        account=ministry,
        created_at=timezone.now() - timedelta(hours=1),
        category="complaint",
    )
    assert client.get(json_url()).json()["periods"]["last_30_days"]["cases"] == 12
    cache.delete(transparency.cache_key("MinistryX", "ar"))
    assert client.get(json_url()).json()["periods"]["last_30_days"]["cases"] == 13


def test_arabic_rtl_by_default_and_english_ltr(client, ministry):
    arabic = client.get(page_url())
    body = arabic.content.decode()
    assert 'lang="ar" dir="rtl"' in body
    assert "75٫0٪" in body  # Arabic decimal separator and percent sign
    assert "كيف نرد على الجمهور" in body
    assert arabic.headers["Content-Language"] == "ar"
    english = client.get(page_url() + "?lang=en").content.decode()
    assert 'lang="en" dir="ltr"' in english
    assert "75.0%" in english and "How we answer the public" in english
    assert "fewer than 5" in english
    assert (
        client.get(json_url() + "?lang=en").json()["periods"]["last_30_days"]["categories"][0][
            "label"
        ]
        == "complaints"
    )


def test_json_is_embeddable_and_the_page_strict(client, ministry):
    data = client.get(json_url())
    assert data["Access-Control-Allow-Origin"] == "*"
    assert data["Content-Type"].startswith("application/json")
    json.loads(data.content)
    page = client.get(page_url())
    assert "Access-Control-Allow-Origin" not in page.headers
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script" not in page.content.decode()
    assert " style=" not in page.content.decode()


def test_a_supervisor_opts_an_account_in_from_the_admin(client, db, supervisor):
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    account = SocialAccount.objects.create(handle="OptMeIn")
    client.force_login(supervisor)
    url = reverse("admin:social_ingest_socialaccount_change", args=[account.pk])
    page = client.get(url).content.decode()
    assert 'name="transparency_public"' in page
    assert client.get(page_url("OptMeIn")).status_code == 404
    form = {
        "platform": "x",
        "handle": "OptMeIn",
        "display_name": "",
        "is_active": "on",
        "poll_interval_seconds": "60",
        "silence_alarm_hours": "6",
        "credentials_env": "",
        "transparency_public": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.transparency_public
    cache.clear()
    client.logout()
    assert client.get(page_url("OptMeIn")).status_code == 200
