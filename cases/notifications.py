"""In-app notifications and their e-mails.

A notification row stores machine values (kind, case, escalation, data); the text
is rendered when shown or mailed, in the reader's language, from
`templates/notifications/<kind>.<language>.txt` (first line: the subject).
E-mails are sent by a task queued after the data is committed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification, User

logger = logging.getLogger(__name__)

LANGUAGES = ("ar", "en")


def notifications_create(notes: list[Notification]) -> list[Notification]:
    """Save in-app notifications and queue their e-mails (one task for all).

    - Only users with an e-mail address get one, and only when SADA_NOTIFY_EMAIL is on.
    - The task is queued so that a rolled-back transaction leaves none behind.
    """
    from .services import enqueue_on_commit

    if not notes:
        return []
    saved = Notification.objects.bulk_create(notes)
    if settings.SADA_NOTIFY_EMAIL:
        ids = [n.pk for n in saved]
        enqueue_on_commit("cases.tasks.notifications_send_email", ids)
    return saved


def render(notification: Notification, language: str | None = None) -> tuple[str, str]:
    """(subject, body) of a notification in the reader's language (ar or en)."""
    language = language or notification.user.language
    if language not in LANGUAGES:
        language = "ar"
    data = notification.data or {}
    zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    due = data.get("due")
    context = {
        "n": notification,
        "data": data,
        "reference": data.get("reference", ""),
        "target": data.get("target", ""),
        "level": data.get("level", ""),
        "reason": data.get("reason", ""),
        # Formatted here: the template engine would turn an aware time back into UTC.
        "due": datetime.fromisoformat(due).astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if due
        else "",
        "zone": settings.DISPLAY_TIME_ZONE,
        "url": _case_url(data.get("reference", "")),
    }
    text = render_to_string(f"notifications/{notification.kind}.{language}.txt", context)
    subject, _newline, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _case_url(reference: str) -> str:
    base = settings.SADA_BASE_URL.rstrip("/")
    return f"{base}/cases/{reference}/" if reference else base + "/"


def notifications_send_email(*, ids: list[int], now: datetime | None = None) -> int:
    """Mail the notifications with these ids that are not mailed yet; the count sent.

    - Each is claimed under a row lock (SKIP LOCKED), sent, then stamped, so a
      retried or duplicated task sends nothing twice that it knows was sent.
    - Users without an address or inactive are stamped without mail.
    """
    sent = 0
    for notification_id in ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(pk=notification_id, emailed_at__isnull=True)
                .first()
            )
            if notification is None:
                continue
            user: User = notification.user
            if user.is_active and user.email:
                subject, body = render(notification)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
                sent += 1
            notification.emailed_at = now or timezone.now()
            notification.save(update_fields=["emailed_at"])
    return sent


def notifications_mark_read(*, user: User, ids: list[int] | None = None, now=None) -> int:
    """Mark the user's notifications read (these ids, or all); the count changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now or timezone.now())
