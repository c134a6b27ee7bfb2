"""Template filters of the reports page: durations, shares, report codes in words."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from .sada import duration_text

register = template.Library()

TARGETS = {
    "first_response": gettext_lazy("First response"),
    "resolution": gettext_lazy("Resolution"),
}
SOURCES = {
    "intake": gettext_lazy("At intake (automatic)"),
    "person": gettext_lazy("By a person"),
}
LANGUAGES = {
    "ar": gettext_lazy("Arabic"),
    "en": gettext_lazy("English"),
    "mixed": gettext_lazy("Mixed"),
    "": pgettext_lazy("language", "not detected"),
}


@register.filter
def seconds(value) -> str:
    """A duration in seconds as people read it (2d 3h, 1h 20m, 45s); — when None."""
    if value is None:
        return "—"
    if value < 60:
        return gettext("%(s)ss") % {"s": number_format(int(round(value)))}
    return duration_text(value)


@register.filter
def share(value) -> str:
    """A share 0..1 as a percentage with one decimal; — when None."""
    if value is None:
        return "—"
    return number_format(round(value * 100, 1), decimal_pos=1) + "%"


@register.filter
def target_label(code: str) -> str:
    return str(TARGETS.get(code, code))


@register.filter
def source_label(code: str) -> str:
    return str(SOURCES.get(code, code))


@register.filter
def language_label(code: str) -> str:
    return str(LANGUAGES.get(code, code))


INTAKE_REASONS = {
    "retweet": gettext_lazy("a retweet"),
    "own_post": gettext_lazy("our own post"),
}


@register.filter
def not_a_case_reason(code: str) -> str:
    """An intake reason code in words ("rule:Name" names the rule); people's reasons as written."""
    code = str(code)
    if code.startswith("rule:"):
        return gettext("rule “%(name)s”") % {"name": code[5:]}
    return str(INTAKE_REASONS.get(code, code))


@register.filter
def category_label(code: str) -> str:
    from cases.models_routing import CATEGORIES

    return str(dict(CATEGORIES).get(code, code))
