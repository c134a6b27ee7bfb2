"""Numbers of the public pages in the reader's language: shares and durations."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext

from .sada import duration_text

register = template.Library()


@register.filter
def pct(share) -> str:
    """A share (0..1) as a percentage with one decimal: 87.5% / 87٫5٪."""
    if share is None:
        return "—"
    sign = "٪" if (get_language() or "").startswith("ar") else "%"
    return f"{number_format(round(share * 100, 1), decimal_pos=1)}{sign}"


@register.filter
def duration(seconds) -> str:
    """A median time ("1h 20m"); "—" when there is none."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return gettext("under a minute")
    return duration_text(seconds)
