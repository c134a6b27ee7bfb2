"""django-q2 tasks of the connector. Each takes ids, re-reads state and calls one
service; each may run twice (ORM broker: at least once) or never (Redis: at most
once), which the periodic tasks repair."""

from __future__ import annotations

import logging

from django.conf import settings
from django_q.tasks import async_task

from helpdesk.logging import log_context

from . import selectors, services
from .models import SocialAccount

logger = logging.getLogger(__name__)


def poll_due_accounts() -> list[int]:
    """Every minute (schedule "sada: poll X mentions"): one task per account whose
    own poll interval has elapsed and that is not paused."""
    due = services.accounts_poll_due()
    for account_id in due:
        async_task("social_ingest.tasks.poll_account", account_id)
    return due


def poll_account(account_id: int) -> str:
    account = SocialAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "gone"
    with log_context(account=account.handle):
        return services.account_poll(account=account).describe()


def deliver_reply(message_id: int) -> str:
    """Queued by `cases.services.case_reply` with the outbound message's id."""
    from cases.models import Message

    where = Message.objects.filter(pk=message_id).values("case__reference", "case__account__handle")
    context = where.first() or {}
    with log_context(
        case=context.get("case__reference"), account=context.get("case__account__handle")
    ):
        return services.reply_deliver(message_id=message_id)


def retry_deliveries() -> list[int]:
    """Every minute (schedule "sada: retry reply deliveries"): replies whose retry
    has come due, whose worker died mid-attempt, or whose task was lost."""
    due = selectors.deliveries_due(stale_seconds=settings.X_DELIVERY_STALE_SECONDS)
    for message_id in due:
        async_task("social_ingest.tasks.deliver_reply", message_id)
    return due
