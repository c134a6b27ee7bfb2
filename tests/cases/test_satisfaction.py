"""Satisfaction ratings: asked through the reply path, one-tap links that never write
on GET, once per case by constraint (also under concurrency), scores 1-5 only."""

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import public_services, services
from cases.exceptions import InvalidTransition
from cases.mention import Author, Mention
from cases.models import Case, CaseEvent, Queue, SatisfactionRating, SatisfactionRequest


def make_case(ext: str = "9101", *, language_hint: str = "") -> Case:
    mention = Mention(
        platform="x",
        external_id=ext,
        text="@SadaMinistry the road is blocked",
        created_at=timezone.now() - timedelta(minutes=5),
        author=Author(external_id=f"u{ext}", handle=f"citizen{ext}", name="Citizen"),
        conversation_id=ext,
    )
    case = services.intake(mention).case
    Case.objects.filter(pk=case.pk).update(queue=Queue.objects.get(slug="general"))
    case.refresh_from_db()
    return case


def resolved_case(ext: str = "9101") -> Case:
    case = make_case(ext)
    return services.case_resolve(case=case, actor=None)


def request_rating(case: Case) -> str:
    """Ask for a rating; returns the token carried by the reply's link."""
    message = public_services.case_request_rating(case=case, actor=None)
    return re.search(r"/r/([A-Za-z0-9_-]+)/", message.text).group(1)


def rating_url(token: str, score=None) -> str:
    if score is None:
        return reverse("public_rating", args=[token])
    return reverse("public_rating_score", args=[token, score])


# --- Asking -----------------------------------------------------------------------------


def test_request_goes_out_as_a_reply_with_a_hashed_single_link(db, settings):
    settings.SADA_PUBLIC_BASE_URL = "https://sada.example.gov.sa"
    case = resolved_case()
    message = public_services.case_request_rating(case=case, actor=None)
    assert message.direction == "out" and message.delivery == "queued"
    assert case.reference in message.text
    token = re.search(r"https://sada\.example\.gov\.sa/r/([A-Za-z0-9_-]{22,})/", message.text)
    request = SatisfactionRequest.objects.get(case=case)
    assert request.token_hash == hashlib.sha256(token.group(1).encode()).hexdigest()
    assert CaseEvent.objects.filter(case=case, kind="rating_requested").count() == 1
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED  # asking changes nothing else


def test_only_a_resolved_case_is_asked(db):
    case = make_case()
    with pytest.raises(InvalidTransition):
        public_services.case_request_rating(case=case, actor=None)
    assert not SatisfactionRequest.objects.exists()


def test_agent_asks_from_the_case_page(client, db, agent):
    case = resolved_case()
    client.force_login(agent)
    page = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert reverse("case_request_rating", args=[case.reference]) in page
    response = client.post(
        reverse("case_request_rating", args=[case.reference]), {"version": case.version}
    )
    assert response.status_code == 302
    assert SatisfactionRequest.objects.filter(case=case).count() == 1


def test_resolving_asks_for_a_rating_when_switched_on(db, settings):
    settings.SADA_RATING_ON_RESOLVE = False
    services.case_resolve(case=make_case("9102"), actor=None)
    assert not SatisfactionRequest.objects.exists()
    settings.SADA_RATING_ON_RESOLVE = True
    case = services.case_resolve(case=make_case("9103"), actor=None)
    assert SatisfactionRequest.objects.filter(case=case).count() == 1
    assert case.status == Case.Status.RESOLVED
    assert case.version == Case.objects.get(pk=case.pk).version  # the caller's copy is fresh


@pytest.mark.parametrize(
    "site, queue_choice, asked",
    [
        (False, "", False),
        (True, "", True),
        (False, "ask", True),  # the queue asks where the site does not
        (True, "never", False),  # e.g. emergencies: never, whatever the site does
    ],
)
def test_a_queue_asks_for_ratings_on_resolve_or_leaves_it_to_the_site(
    db, settings, site, queue_choice, asked
):
    settings.SADA_RATING_ON_RESOLVE = site
    Queue.objects.filter(slug="general").update(rating_on_resolve=queue_choice)
    case = services.case_resolve(case=make_case("9104"), actor=None)
    assert SatisfactionRequest.objects.filter(case=case).exists() is asked
    assert case.status == Case.Status.RESOLVED


# --- Rating -----------------------------------------------------------------------------


def test_get_with_a_tapped_score_preselects_it_and_writes_nothing(client, db):
    token = request_rating(resolved_case())
    response = client.get(rating_url(token, 4) + "?lang=en")
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'value="4" required checked', body)
    assert not re.search(r'value="3" required checked', body)
    assert not SatisfactionRating.objects.exists()
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_post_records_once_and_a_second_gets_already_rated(client, db):
    case = resolved_case()
    token = request_rating(case)
    comment = 'سريع <b>شكراً</b> "ok"'
    response = client.post(rating_url(token), {"score": "4", "comment": comment})
    assert response.status_code == 200
    rating = SatisfactionRating.objects.get(case=case)
    assert (rating.score, rating.comment) == (4, comment)
    event = CaseEvent.objects.get(case=case, kind="rated")
    assert event.data["score"] == 4
    again = client.post(rating_url(token) + "?lang=en", {"score": "1"})
    assert again.status_code == 409
    assert "already rated" in again.content.decode()
    assert SatisfactionRating.objects.get(case=case).score == 4
    assert "already rated" in client.get(rating_url(token, 2) + "?lang=en").content.decode()


def test_a_second_request_after_rating_is_refused(db):
    case = resolved_case()
    token = request_rating(case)
    request = public_services.rating_lookup(token).request
    public_services.case_rate(request=request, score=5)
    with pytest.raises(public_services.AlreadyRated):
        public_services.case_request_rating(case=case, actor=None)


@pytest.mark.parametrize("score", ["0", "6", "abc", "", "٣", "4.5", "-1"])
def test_out_of_range_scores_are_400_with_a_reason_and_write_nothing(client, db, score):
    token = request_rating(resolved_case())
    response = client.post(rating_url(token) + "?lang=en", {"score": score})
    assert response.status_code == 400
    assert "Choose a score from 1 to 5" in response.content.decode()
    assert not SatisfactionRating.objects.exists()
    assert not CaseEvent.objects.filter(kind="rated").exists()


@pytest.mark.parametrize("score", ["0", "6", "abc"])
def test_a_tapped_link_with_a_bad_score_is_400(client, db, score):
    token = request_rating(resolved_case())
    response = client.get(rating_url(token, score) + "?lang=en")
    assert response.status_code == 400
    assert "Choose a score from 1 to 5" in response.content.decode()


def test_the_database_refuses_a_score_outside_1_to_5(db):
    case = resolved_case()
    for bad in (0, 6):
        with pytest.raises(IntegrityError), transaction.atomic():
            SatisfactionRating.objects.create(case=case, score=bad)


def test_a_long_comment_is_refused(client, db):
    token = request_rating(resolved_case())
    response = client.post(rating_url(token), {"score": "3", "comment": "x" * 1001})
    assert response.status_code == 400
    assert not SatisfactionRating.objects.exists()


def test_unknown_token_is_404_and_an_old_link_410(client, db, settings):
    token = request_rating(resolved_case())
    assert client.get(rating_url("A" * 22)).status_code == 404
    SatisfactionRequest.objects.update(
        created_at=timezone.now() - timedelta(days=settings.SADA_RATING_LINK_DAYS, minutes=1)
    )
    assert client.get(rating_url(token)).status_code == 410
    assert client.post(rating_url(token), {"score": "5"}).status_code == 410
    assert not SatisfactionRating.objects.exists()


def test_rating_form_needs_the_csrf_token(db):
    token = request_rating(resolved_case())
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(rating_url(token), {"score": "5"}).status_code == 403
    assert not SatisfactionRating.objects.exists()


def test_the_case_page_shows_the_rating_escaped(client, db, supervisor):
    case = resolved_case()
    token = request_rating(case)
    client.post(rating_url(token), {"score": "2", "comment": "<script>alert(1)</script>"})
    client.force_login(supervisor)
    page = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert "&lt;script&gt;alert(1)" in page and "<script>alert(1)" not in page


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_record_exactly_one_rating(postgres_only):
    case = resolved_case("9150")
    token = request_rating(case)
    request = public_services.rating_lookup(token).request
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def submit(score: int):
        try:
            barrier.wait()
            public_services.case_rate(request=request, score=score)
            outcomes.append("rated")
        except public_services.AlreadyRated:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(1 + i % 5,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["already"] * 5 + ["rated"]
    assert SatisfactionRating.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="rated").count() == 1


def test_supervisors_see_ratings_and_links_read_only_in_the_admin(client, db, supervisor):
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    case = resolved_case()
    token = request_rating(case)
    public_services.case_rate(request=public_services.rating_lookup(token).request, score=3)
    client.force_login(supervisor)
    for model in ("satisfactionrating", "satisfactionrequest", "casestatuslink"):
        assert client.get(reverse(f"admin:cases_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:cases_{model}_add")).status_code == 403
    rating = SatisfactionRating.objects.get(case=case)
    url = reverse("admin:cases_satisfactionrating_change", args=[rating.pk])
    assert client.post(url, {"score": "5"}).status_code == 403
    assert SatisfactionRating.objects.get(case=case).score == 3
