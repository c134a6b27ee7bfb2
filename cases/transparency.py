"""Figures of an account's public transparency page, computed with the supervisor
reports' aggregates (cases/reports.py) and cached.

No personal data leaves here: counts, shares and medians only, never a name,
handle, text, reference or agent. A category with fewer than SADA_PUBLIC_MIN_COUNT
cases in a period is shown as "fewer than N"; when only one category is that
small, the count of the next smallest is withheld too ("fewer_than": None), so
the small one cannot be worked out from the total (complementary suppression).

Figures are computed once per account and language and kept in the cache
(Django's CACHES) for SADA_PUBLIC_CACHE_SECONDS: a flood of anonymous requests
costs no query after the first. An unknown or not opted-in handle is remembered
as "none" for a shorter time, so probing handles costs no query either.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import reports

HANDLE = re.compile(r"^[A-Za-z0-9_]{1,50}$")
CACHE_VERSION = 1
# A handle that has no public page is remembered as such at most this long.
MISSING_TTL_SECONDS = 60

CATEGORY_LABELS = {
    "emergency": _("emergencies"),
    "complaint": _("complaints"),
    "inquiry": _("inquiries"),
    "praise": _("praise"),
    "suggestion": _("suggestions"),
    "other": _("other"),
}


def cache_key(handle: str, language: str) -> str:
    return f"sada:public:{CACHE_VERSION}:{handle.lower()}:{language}"


def figures_for(handle: str, language: str, *, now: datetime | None = None) -> dict | None:
    """The public figures of an opted-in account, or None (unknown or not opted in)."""
    if not HANDLE.match(handle):
        return None
    key = cache_key(handle, language)
    found = cache.get(key)
    if found is not None:
        return found or None  # {}: known to have no public page
    from social_ingest.models import SocialAccount

    account = (
        SocialAccount.objects.filter(handle__iexact=handle, transparency_public=True)
        .order_by("id")
        .first()
    )
    if account is None:
        cache.set(key, {}, min(MISSING_TTL_SECONDS, settings.SADA_PUBLIC_CACHE_SECONDS))
        return None
    with translation.override(language):
        figures = compute(account, now=now or timezone.now())
    cache.set(key, figures, settings.SADA_PUBLIC_CACHE_SECONDS)
    return figures


def compute(account, *, now: datetime) -> dict:
    """Every figure of the page, in the active language (labels only; numbers are numbers)."""
    zone = reports.display_zone()
    local_month = now.astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    year_start = local_month
    for _month in range(11):  # back to the first day of the month 11 months ago
        year_start = (year_start - timedelta(days=1)).replace(day=1)
    last_30 = reports.ReportScope(now - timedelta(days=30), now, account_id=account.pk)
    last_12 = reports.ReportScope(year_start.astimezone(UTC), now, account_id=account.pk)
    year = _period(last_12, now)
    year["months"] = _months(last_12)
    return {
        "account": account.handle,
        "name": account.display_name,
        "language": translation.get_language(),
        "generated_at": now,
        "cache_seconds": settings.SADA_PUBLIC_CACHE_SECONDS,
        "min_count": settings.SADA_PUBLIC_MIN_COUNT,
        "periods": {"last_30_days": _period(last_30, now), "last_12_months": year},
    }


def _period(scope: reports.ReportScope, now: datetime) -> dict:
    answered = reports.answered_share(scope)
    first = reports.response_times(scope)["first_response"]
    sla = reports.sla_totals(reports.sla_compliance(scope, now=now)).get(
        "first_response", {"met": 0, "breached": 0, "share": None}
    )
    return {
        "start": scope.start,
        "end": scope.end,
        "cases": answered["cases"],
        "answered": answered["answered"],
        "answered_share": answered["share"],
        "median_first_response_seconds": {
            "wall": first["median_wall"],
            "business": first["median_business"],
        },
        "first_response_within_sla": {
            "met": sla["met"],
            "missed": sla["breached"],
            "share": sla["share"],
        },
        "categories": suppress_small(reports.volume_by_category(scope)),
    }


def _months(scope: reports.ReportScope) -> list[dict]:
    """The trend: cases and the share answered, month by month (local months)."""
    shares = reports.answered_share_by_month(scope)
    return [
        {
            "month": row["month"],
            "label": date_format(row["month"], "YEAR_MONTH_FORMAT"),
            "cases": row["count"],
            "answered_share": shares[row["month"]],
        }
        for row in reports.volume_by_month(scope)
    ]


def suppress_small(rows: list[dict], minimum: int | None = None) -> list[dict]:
    """Categories with their counts; those under `minimum` get count None and
    `fewer_than` = minimum; a withheld companion gets count None and fewer_than None. Pure.

    A lone small category is joined by the next smallest, so that no single hidden
    count can be recovered as the total minus the shown ones.
    """
    minimum = settings.SADA_PUBLIC_MIN_COUNT if minimum is None else minimum
    small = {i for i, row in enumerate(rows) if row["count"] < minimum}
    companion = set()
    if len(small) == 1 and len(rows) > 1:
        shown = [i for i in range(len(rows)) if i not in small]
        companion.add(min(shown, key=lambda i: (rows[i]["count"], -i)))
    out = []
    for i, row in enumerate(rows):
        code = row["category"]
        label = str(CATEGORY_LABELS.get(code, code))
        if i in small:
            out.append({"category": code, "label": label, "count": None, "fewer_than": minimum})
        elif i in companion:
            out.append({"category": code, "label": label, "count": None, "fewer_than": None})
        else:
            out.append({"category": code, "label": label, "count": row["count"]})
    # Hidden ones last, so the order does not hint at their size.
    return sorted(out, key=lambda r: r["count"] is None)
