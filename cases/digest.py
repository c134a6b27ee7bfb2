"""The weekly digest e-mail to supervisors: the key figures of last week (issue 11).

Run by the django-q2 schedule "sada: weekly digest" (migration 0019), Sundays at
07:00 in DISPLAY_TIME_ZONE, the start of the Saudi working week. The week is the
seven local days before the run's day, [Sunday 00:00, next Sunday 00:00). Each
supervisor gets it in their language (User.language), as plain text and HTML
(every value escaped); figures come from cases/reports.py, so they are the
ones the reports page shows for the same period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import reports
from .models import Case, DigestDelivery, Escalation, User
from .reports import ReportScope

logger = logging.getLogger(__name__)

LANGUAGES = ("ar", "en")


@dataclass(frozen=True)
class DigestResult:
    period_start: date
    sent: int
    skipped: int

    def as_dict(self) -> dict:
        return {
            "period_start": self.period_start.isoformat(),
            "sent": self.sent,
            "skipped": self.skipped,
        }


def digest_week(now: datetime) -> tuple[date, ReportScope]:
    """The seven local days before `now`'s local day, as a report scope."""
    zone = reports.display_zone()
    today = timezone.localtime(now, zone).date()
    first = today - timedelta(days=7)
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(today, time.min, zone)
    return first, ReportScope(start=start, end=end)


def digest_figures(scope: ReportScope, *, now: datetime) -> dict:
    """The key figures of a week, beside the week before for the volume."""
    previous = ReportScope(start=scope.start - timedelta(days=7), end=scope.start)
    times = reports.response_times(scope)
    sla = reports.sla_totals(reports.sla_compliance(scope, now=now))
    backlog = reports.backlog_by_day(scope)
    escalations = reports.escalations_by_level(scope)
    return {
        "cases": reports.volume_total(scope),
        "cases_before": reports.volume_total(previous),
        "answered": reports.answered_share(scope),
        "first_response": times["first_response"],
        "resolution": times["resolution"],
        "sla": sla,
        "escalations": sum(row["count"] for row in escalations),
        "escalations_unacknowledged": sum(
            row["count"] - row["acknowledged"] for row in escalations
        ),
        "open_at_end": backlog[-1]["open"] if backlog else 0,
        "categories": reports.volume_by_category(scope)[:5],
        "satisfaction": reports.satisfaction(scope),
        # Right now, not in the week: what still waits for a supervisor.
        "waiting_now": Escalation.objects.filter(acknowledged_at__isnull=True)
        .filter(case__status__in=Case.OPEN_STATUSES)
        .count(),
    }


def digest_recipients():
    """Active supervisors and superusers with an e-mail address."""
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(groups__name="Supervisors"))
        .distinct()
        .order_by("pk")
    )


def digest_render(figures: dict, *, first: date, last: date, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of the digest in `language` (ar or en)."""
    if language not in LANGUAGES:
        language = "ar"
    query = urlencode({"preset": "custom", "start": first.isoformat(), "end": last.isoformat()})
    context = {
        "f": figures,
        "first": first,
        "last": last,
        "url": f"{settings.SADA_BASE_URL.rstrip('/')}/reports/?{query}",
        "zone": settings.DISPLAY_TIME_ZONE,
    }
    with translation.override(language):
        subject = render_to_string("emails/weekly_digest_subject.txt", context).strip()
        text = render_to_string("emails/weekly_digest.txt", context)
        html = render_to_string("emails/weekly_digest.html", context)
    return " ".join(subject.split()), text, html


def weekly_digest_send(*, now: datetime | None = None) -> DigestResult:
    """E-mail last week's digest to every supervisor who has not had it yet.

    - The week is the seven local days before today (DISPLAY_TIME_ZONE).
    - Figures are computed once; each supervisor gets them in their language.
    - A DigestDelivery row (unique per user and week) is claimed under lock,
      the mail sent, then stamped: running the task twice sends nothing twice.
    """
    now = now or timezone.now()
    first, scope = digest_week(now)
    last = first + timedelta(days=6)
    recipients = list(digest_recipients())
    done = set(
        DigestDelivery.objects.filter(
            user__in=recipients, period_start=first, sent_at__isnull=False
        ).values_list("user_id", flat=True)
    )
    todo = [user for user in recipients if user.pk not in done]
    if not todo:
        return DigestResult(first, 0, len(recipients))
    figures = digest_figures(scope, now=now)
    rendered: dict[str, tuple[str, str, str]] = {}
    sent = 0
    for user in todo:
        # get_or_create survives another worker inserting the row at the same moment.
        DigestDelivery.objects.get_or_create(user=user, period_start=first)
        with transaction.atomic():
            delivery = (
                DigestDelivery.objects.select_for_update(skip_locked=True)
                .filter(user=user, period_start=first, sent_at__isnull=True)
                .first()
            )
            if delivery is None:
                continue  # sent already, or another worker is sending it now
            language = user.language if user.language in LANGUAGES else "ar"
            if language not in rendered:
                rendered[language] = digest_render(
                    figures, first=first, last=last, language=language
                )
            subject, text, html = rendered[language]
            mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
            mail.attach_alternative(html, "text/html")
            mail.send()
            delivery.sent_at = now
            delivery.save(update_fields=["sent_at"])
            sent += 1
    logger.info("weekly digest for %s: %s sent", first, sent)
    return DigestResult(first, sent, len(recipients) - sent)
