"""Every write to a case. Views, admin actions, API views and tasks call these.

Each function is one transaction: a conditional update of the case, its
`CaseEvent`, and any follow-up work queued on commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import events
from .mention import Author, Mention
from .models import Case, CaseReferenceCounter, Customer, Message
from .triage import triage

logger = logging.getLogger(__name__)


# --- Intake ------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeResult:
    outcome: str  # "new_case", "appended" or "not_a_case"
    case: Case | None = None
    message: Message | None = None
    reason: str = ""  # why it is not a case (machine code)


def not_a_case_reason(mention: Mention, *, account_external_id: str = "") -> str:
    """Why a mention needs no case, or "" when it does. Pure."""
    if mention.is_retweet:
        return "retweet"
    if account_external_id and mention.author and mention.author.external_id == account_external_id:
        return "own_post"
    return ""


@transaction.atomic
def intake(
    mention: Mention, *, account=None, source: str = "poll", now: datetime | None = None
) -> IntakeResult:
    """Turn one mention into a case change.

    - A retweet or the account's own post opens no case; the caller records why.
    - An edited post joins the case of its original, whatever that case's state.
    - A reply to a post of a case, or a post in the conversation of the same
      customer's case, joins that case: a pending case becomes open (the
      customer answered), a case resolved less than SADA_REOPEN_DAYS ago
      reopens; a closed or older case is left alone and a new case opens.
    - Otherwise a new case opens, routed and prioritised by the rules.
    - Every change writes its CaseEvent in this transaction.
    """
    now = now or timezone.now()
    reason = not_a_case_reason(mention, account_external_id=getattr(account, "external_id", ""))
    if reason:
        return IntakeResult("not_a_case", reason=reason)

    customer = customer_upsert(mention.author, platform=mention.platform, now=now) if mention.author else None
    case = _thread_case(mention, customer)
    written = min(mention.created_at or now, now)
    if case is not None and _joins(case, mention, now):
        message = _add_inbound_message(case, mention, customer, written, now)
        return IntakeResult("appended", case=case, message=message)

    decision = triage(mention, customer=customer, account=account, now=now)
    case = Case.objects.create(
        reference=_next_reference(now),
        status=Case.Status.NEW,
        priority=decision.priority,
        priority_reasons=list(decision.priority_reasons),
        queue=decision.queue,
        category=decision.category,
        tags=list(decision.tags),
        customer=customer,
        account=account,
        channel=mention.platform,
        language=decision.language,
        conversation_id=mention.conversation_id or mention.external_id,
        routed_by=decision.routed_by,
        created_at=written,
        opened_at=now,
        updated_at=now,
        last_customer_message_at=written,
    )
    events.created(case, source=source, rule=decision.routed_by, at=now)
    message = _create_message(case, mention, customer, written, now)
    events.message_received(case, message_id=message.pk, platform_id=message.platform_id)
    return IntakeResult("new_case", case=case, message=message)


def customer_upsert(author: Author, *, platform: str, now: datetime) -> Customer:
    """The customer row of a platform author, refreshed with what the platform says now."""
    customer, created = Customer.objects.get_or_create(
        platform=platform,
        external_id=author.external_id,
        defaults={
            "handle": author.handle,
            "name": author.name,
            "followers": author.followers,
            "verified": author.verified,
            "first_seen_at": now,
            "updated_at": now,
        },
    )
    if created:
        return customer
    fresh = {
        "handle": author.handle or customer.handle,
        "name": author.name or customer.name,
        "followers": author.followers if author.followers is not None else customer.followers,
        "verified": author.verified or (customer.verified and not author.handle),
    }
    changed = [name for name, value in fresh.items() if getattr(customer, name) != value]
    if changed:
        for name in changed:
            setattr(customer, name, fresh[name])
        customer.updated_at = now
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


def _thread_case(mention: Mention, customer: Customer | None) -> Case | None:
    """The case this mention continues, locked for the change, or None."""
    found = None
    if mention.is_edit:
        found = (
            Message.objects.filter(channel=mention.platform, edit_root_id=mention.edit_root_id)
            .values_list("case_id", flat=True)
            .first()
        )
    if found is None and mention.in_reply_to_id and customer is not None:
        found = (
            Message.objects.filter(
                channel=mention.platform,
                platform_id=mention.in_reply_to_id,
                case__customer=customer,
            )
            .values_list("case_id", flat=True)
            .first()
        )
    if found is None and mention.conversation_id and customer is not None:
        found = (
            Case.objects.filter(customer=customer, conversation_id=mention.conversation_id)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
    if found is None:
        return None
    case = Case.objects.select_for_update().get(pk=found)
    seen = {case.pk}
    while case.merged_into_id and case.merged_into_id not in seen:
        seen.add(case.merged_into_id)
        case = Case.objects.select_for_update().get(pk=case.merged_into_id)
    return case


def _joins(case: Case, mention: Mention, now: datetime) -> bool:
    if mention.is_edit or case.is_open:
        return True
    if case.status == Case.Status.RESOLVED and case.resolved_at:
        return case.resolved_at >= now - timedelta(days=settings.SADA_REOPEN_DAYS)
    return False


def _add_inbound_message(
    case: Case, mention: Mention, customer: Customer | None, written: datetime, now: datetime
) -> Message:
    message = _create_message(case, mention, customer, written, now)
    old_status = case.status
    changes = {"updated_at": now, "version": F("version") + 1}
    if not mention.is_edit:
        changes["last_customer_message_at"] = written
        if case.status in (Case.Status.PENDING, Case.Status.RESOLVED):
            changes["status"] = Case.Status.OPEN
            changes["resolved_at"] = None
    Case.objects.filter(pk=case.pk).update(**changes)
    events.message_received(
        case,
        message_id=message.pk,
        platform_id=message.platform_id,
        edit_of=mention.edit_root_id if mention.is_edit else "",
    )
    if changes.get("status"):
        if old_status == Case.Status.RESOLVED:
            events.reopened(case, previous_status=old_status)
        else:
            events.status_changed(case, old=old_status, new=Case.Status.OPEN, cause="customer_replied")
    case.refresh_from_db()
    return message


def _create_message(
    case: Case, mention: Mention, customer: Customer | None, written: datetime, now: datetime
) -> Message:
    return Message.objects.create(
        case=case,
        direction=Message.Direction.INBOUND,
        channel=mention.platform,
        customer=customer,
        text=mention.text,
        platform_id=mention.external_id,
        edit_root_id=mention.edit_root_id or mention.external_id,
        conversation_id=mention.conversation_id,
        in_reply_to_id=mention.in_reply_to_id,
        withheld=mention.withheld,
        created_at=written,
        received_at=now,
    )


def _next_reference(now: datetime) -> str:
    """C-<year>-<6 digits>, gapless per year.

    The counter row stays locked until the intake commits, so references follow
    commit order; intake transactions are short, so the wait is too.
    """
    year = now.astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE)).year
    for _attempt in range(3):
        if CaseReferenceCounter.objects.filter(year=year).update(last=F("last") + 1):
            number = CaseReferenceCounter.objects.values_list("last", flat=True).get(year=year)
            return f"C-{year}-{number:06d}"
        try:
            with transaction.atomic():
                CaseReferenceCounter.objects.create(year=year, last=1)
            return f"C-{year}-{1:06d}"
        except IntegrityError:
            continue  # another intake created this year's row first
    raise RuntimeError("could not allocate a case reference")
