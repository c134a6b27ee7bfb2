"""Writes behind the public pages: case status links, citizens' follow-ups, ratings.

Citizens reach these without signing in, holding only a token from a reply.
Tokens are random (128 bits), shown once, stored as SHA-256: a lookup is by
hash, so neither the database nor the timing of a lookup reveals a valid one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from . import events, services
from .exceptions import CaseError, InvalidInput, InvalidTransition
from .intake import case_accepts_customer_message, case_customer_message
from .models import Case, Message, User
from .models_public import (
    CaseStatusLink,
    SatisfactionRating,
    SatisfactionRequest,
    new_token,
    token_hash,
)

logger = logging.getLogger(__name__)

FOLLOWUP_MAX_CHARS = 1000
COMMENT_MAX_CHARS = 1000
STATUS_LINK_PLACEHOLDER = "{status_link}"
# The channel of messages written on Sada's own public pages.
WEB_CHANNEL = "web"


class TooManyFollowups(CaseError):
    code = "too_many_followups"
    http_status = 429


class AlreadyRated(CaseError):
    code = "already_rated"
    http_status = 409


def public_url(path: str) -> str:
    """An absolute link for citizens: SADA_PUBLIC_BASE_URL (or SADA_BASE_URL) + path."""
    base = settings.SADA_PUBLIC_BASE_URL or settings.SADA_BASE_URL
    return base.rstrip("/") + path


def _current(case: Case) -> Case:
    """The case a link now leads to: a merged case's messages live in its target."""
    seen = {case.pk}
    while case.merged_into_id and case.merged_into_id not in seen:
        seen.add(case.merged_into_id)
        case = Case.objects.get(pk=case.merged_into_id)
    return case


# --- Case status links --------------------------------------------------------------


@dataclass(frozen=True)
class StatusLinkView:
    """What a token opens: the link, the case it leads to, and whether it still works."""

    link: CaseStatusLink
    case: Case
    state: str  # "ok", "expired" or "revoked"
    expires_at: datetime | None  # None while the case is open

    @property
    def can_follow_up(self) -> bool:
        return self.state == "ok" and case_accepts_customer_message(self.case, now=timezone.now())


def status_link_expiry(case: Case) -> datetime | None:
    """When links of this case stop working: SADA_STATUS_LINK_DAYS_AFTER_CLOSE days after
    it was resolved or closed (the earlier); None while it is open."""
    if case.is_open:
        return None
    ended = case.resolved_at or case.closed_at
    if ended is None:
        return None
    return ended + timedelta(days=settings.SADA_STATUS_LINK_DAYS_AFTER_CLOSE)


def status_link_lookup(token: str, *, now: datetime | None = None) -> StatusLinkView | None:
    """The link a token opens, or None (unknown token: the page is a 404)."""
    now = now or timezone.now()
    link = (
        CaseStatusLink.objects.select_related("case").filter(token_hash=token_hash(token)).first()
    )
    if link is None:
        return None
    case = _current(link.case)
    expires_at = status_link_expiry(case)
    if link.revoked_at is not None:
        state = "revoked"
    elif expires_at is not None and now >= expires_at:
        state = "expired"
    else:
        state = "ok"
    return StatusLinkView(link=link, case=case, state=state, expires_at=expires_at)


def status_link_create(
    *, case: Case, actor: User | None, now: datetime | None = None
) -> tuple[CaseStatusLink, str]:
    """A new status link for a case; returns it with its token (shown only now)."""
    now = now or timezone.now()
    token = new_token()
    link = CaseStatusLink.objects.create(
        case=case, token_hash=token_hash(token), created_by=actor, created_at=now
    )
    events.record(case, "status_link_created", actor=actor, at=now, link_id=link.pk)
    return link, token


def status_link_url(token: str) -> str:
    return public_url(reverse("public_status", args=[token]))


def status_link_example() -> str:
    """A link shaped like every status link (base, path, token length): X weighs it as
    it will weigh the real one, so a reply's length can be counted before it exists."""
    return status_link_url("x" * len(new_token()))


@transaction.atomic
def case_reply_with_status_link(
    *,
    case: Case,
    author: User | None,
    text: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Message:
    """Reply to the customer with a link to the case's public status page.

    - `{status_link}` in the text is replaced by the link; otherwise the link is
      appended after a space (X counts a link as 23 characters).
    - The link and the reply are one transaction: a reply X would refuse (too
      long, closed case) leaves no link behind.
    """
    now = now or timezone.now()
    _link, token = status_link_create(case=case, actor=author, now=now)
    url = status_link_url(token)
    if STATUS_LINK_PLACEHOLDER in text:
        full = text.replace(STATUS_LINK_PLACEHOLDER, url)
    else:
        full = f"{text.rstrip()} {url}"
    return services.case_reply(
        case=case, author=author, text=full, expected_version=expected_version, now=now
    )


@transaction.atomic
def case_public_followup(
    *, link: CaseStatusLink, text: str, now: datetime | None = None
) -> Message:
    """A citizen adds a message to their case from its public status page.

    - Only through a link that still works, on a case that accepts a customer
      message (see `case_accepts_customer_message`); otherwise InvalidTransition.
    - The text is kept exactly as written: 1 to FOLLOWUP_MAX_CHARS characters.
    - At most SADA_PUBLIC_FOLLOWUPS_PER_HOUR follow-ups per case and hour
      (TooManyFollowups): a leaked link cannot flood the team.
    - It joins the case the way intake adds a customer's post: an inbound message
      on channel "web", a pending case becomes open, a resolved one reopens, the
      SLA clocks react, and a `message_received` event is written.
    """
    now = now or timezone.now()
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("The message cannot be empty.")
    if len(text) > FOLLOWUP_MAX_CHARS:
        raise InvalidInput(
            f"The message is {len(text)} characters; the limit is {FOLLOWUP_MAX_CHARS}.",
            limit=FOLLOWUP_MAX_CHARS,
        )
    link = CaseStatusLink.objects.select_related("case").get(pk=link.pk)
    target = _current(link.case)
    # Lock the case as intake does before adding a message.
    case = Case.objects.select_for_update().get(pk=target.pk)
    expires_at = status_link_expiry(case)
    if link.revoked_at is not None or (expires_at is not None and now >= expires_at):
        raise InvalidTransition("This link no longer works.", reference=case.reference)
    if not case_accepts_customer_message(case, now=now):
        raise InvalidTransition("This case is closed.", reference=case.reference)
    recent = Message.objects.filter(
        case=case,
        direction=Message.Direction.INBOUND,
        channel=WEB_CHANNEL,
        created_at__gte=now - timedelta(hours=1),
    ).count()
    if recent >= settings.SADA_PUBLIC_FOLLOWUPS_PER_HOUR:
        raise TooManyFollowups("Too many messages in the last hour; try again later.")
    message = case_customer_message(case=case, text=text, channel=WEB_CHANNEL, now=now)
    events.record(case, "public_followup", at=now, link_id=link.pk, message_id=message.pk)
    return message


# --- Satisfaction ratings ------------------------------------------------------------------


@dataclass(frozen=True)
class RatingView:
    request: SatisfactionRequest
    state: str  # "ok", "expired" or "rated"


def rating_lookup(token: str, *, now: datetime | None = None) -> RatingView | None:
    """The rating request a token opens, or None (unknown: 404)."""
    now = now or timezone.now()
    request = (
        SatisfactionRequest.objects.select_related("case")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if request is None:
        return None
    if SatisfactionRating.objects.filter(case_id=request.case_id).exists():
        state = "rated"  # only for what the page shows; recording relies on the constraint
    elif now >= request.created_at + timedelta(days=settings.SADA_RATING_LINK_DAYS):
        state = "expired"
    else:
        state = "ok"
    return RatingView(request=request, state=state)


def rating_url(token: str, score: int | None = None) -> str:
    if score is None:
        return public_url(reverse("public_rating", args=[token]))
    return public_url(reverse("public_rating_score", args=[token, score]))


def _rating_text(case: Case, token: str) -> str:
    language = "en" if case.language == "en" else "ar"
    with translation.override(language):
        return gettext("How did we handle %(reference)s? Rate us from 1 to 5: %(url)s") % {
            "reference": case.reference,
            "url": rating_url(token),
        }


@transaction.atomic
def case_request_rating(
    *,
    case: Case,
    actor: User | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Message:
    """Ask the customer of a resolved case to rate how it was handled.

    - Only a resolved case, not rated yet (InvalidTransition / AlreadyRated).
    - The rating link goes out as a reply through `case_reply` (the one reply
      path: X's length check, queued delivery), in the case's language.
    - Writes a `rating_requested` event.
    """
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.RESOLVED:
        raise InvalidTransition(
            "Only a resolved case can be rated.", reference=case.reference, status=case.status
        )
    if SatisfactionRating.objects.filter(case=case).exists():
        raise AlreadyRated("This case was already rated.", reference=case.reference)
    token = new_token()
    request = SatisfactionRequest.objects.create(
        case=case, token_hash=token_hash(token), created_by=actor, created_at=now
    )
    message = services.case_reply(
        case=case,
        author=actor,
        text=_rating_text(case, token),
        expected_version=expected_version,
        now=now,
    )
    events.record(case, "rating_requested", actor=actor, at=now, request_id=request.pk)
    return message


def parse_score(raw) -> int:
    """A score from a form or URL: a whole number from 1 to 5, or InvalidInput saying why."""
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or not text.isascii():
        raise InvalidInput("The score must be a whole number from 1 to 5.")
    score = int(text)
    if not 1 <= score <= 5:
        raise InvalidInput("The score must be from 1 to 5.")
    return score


@transaction.atomic
def case_rate(
    *, request: SatisfactionRequest, score, comment: str = "", now: datetime | None = None
) -> SatisfactionRating:
    """Record the customer's rating of a case, once.

    - Score 1 to 5, comment up to COMMENT_MAX_CHARS (InvalidInput otherwise, nothing written).
    - Once per case, by the unique case of SatisfactionRating: of two submissions at
      once, exactly one is recorded; the other gets AlreadyRated.
    - A link older than SADA_RATING_LINK_DAYS no longer records (InvalidTransition).
    - Writes a `rated` event with the score, in the same transaction.
    """
    now = now or timezone.now()
    score = parse_score(score)
    comment = comment or ""
    if len(comment) > COMMENT_MAX_CHARS:
        raise InvalidInput(f"The comment is longer than {COMMENT_MAX_CHARS} characters.")
    if now >= request.created_at + timedelta(days=settings.SADA_RATING_LINK_DAYS):
        raise InvalidTransition("This rating link has expired.")
    try:
        with transaction.atomic():
            rating = SatisfactionRating.objects.create(
                case_id=request.case_id,
                request=request,
                score=score,
                comment=comment,
                created_at=now,
            )
    except IntegrityError:
        raise AlreadyRated("This case was already rated.") from None
    events.record(rating.case, "rated", at=now, score=score, request_id=request.pk)
    return rating


def rating_on_resolve(*, case: Case, actor: User | None, now: datetime) -> Case:
    """Resolving a case also asks for a rating where its queue says so, or, where the
    queue leaves it to the site, with SADA_RATING_ON_RESOLVE on.

    A case that cannot be answered (no customer post, e.g. from another channel)
    is resolved all the same: the request is skipped and logged.
    """
    if not case.queue.asks_rating_on_resolve():
        return case
    try:
        case_request_rating(case=case, actor=actor, now=now)
    except CaseError as exc:
        logger.info("no rating request for %s: %s", case.reference, exc.message)
    case.refresh_from_db()
    return case
