"""Storing what platforms send, exactly once, and handing it to the helpdesk."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.services import intake

from .models import InboundEvent, SocialAccount
from .parsers import ParsedItem, ParsedPage

logger = logging.getLogger(__name__)

OUTCOMES = ("new_cases", "appended", "not_a_case", "duplicates", "rejected")
_INTAKE_OUTCOME = {"new_case": "new_cases", "appended": "appended", "not_a_case": "not_a_case"}


def mention_ingest(
    *, item: ParsedItem, account: SocialAccount | None, source: str, now: datetime | None = None
) -> str:
    """Store one raw item and turn it into a case change, in one transaction.

    - The raw item is stored first; the unique (platform, external id) makes a
      second delivery fail there, whatever path it came by: "duplicates".
    - An item that could not be parsed is kept, with why: "rejected".
    - Otherwise `cases.services.intake` decides; its outcome is recorded on the event.
    Returns the summary key the outcome counts under.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = InboundEvent.objects.create(
                    platform="x",
                    external_id=item.external_id,
                    account=account,
                    source=source,
                    payload=item.raw,
                    received_at=now,
                    state=InboundEvent.State.REJECTED
                    if item.error
                    else InboundEvent.State.PROCESSED,
                    reason=item.error,
                    error=item.detail,
                )
        except IntegrityError:
            return "rejected" if item.error else "duplicates"
        if item.error:
            logger.warning("rejected %s item %s: %s", source, item.external_id, item.detail)
            return "rejected"
        result = intake(item.mention, account=account, source=source, now=now)
        if result.outcome == "not_a_case":
            event.state = InboundEvent.State.NOT_A_CASE
            event.reason = result.reason
            event.save(update_fields=["state", "reason"])
        else:
            event.case = result.case
            event.save(update_fields=["case"])
        return _INTAKE_OUTCOME[result.outcome]


def chronological(items: list[ParsedItem]) -> list[ParsedItem]:
    """Oldest first, so a thread's first post opens the case and its clock.

    X serves pages newest first; snowflake ids grow with time, so ordering by id
    is ordering by time. Entries without a usable id keep their place at the end.
    """
    dated = [i for i in items if i.mention]
    return sorted(dated, key=lambda i: (len(i.external_id), i.external_id)) + [
        i for i in items if not i.mention
    ]


def pages_ingest(pages: list[ParsedPage], *, account: SocialAccount | None, source: str) -> Counter:
    """Every item of the pages, each in its own transaction; the summary counts."""
    summary: Counter = Counter(dict.fromkeys(OUTCOMES, 0))
    for item in chronological([item for page in pages for item in page.items]):
        summary[mention_ingest(item=item, account=account, source=source)] += 1
    summary["received"] = sum(summary[key] for key in OUTCOMES)
    if account is not None and summary["received"] > summary["duplicates"] + summary["rejected"]:
        SocialAccount.objects.filter(pk=account.pk).update(last_mention_at=timezone.now())
    return summary
