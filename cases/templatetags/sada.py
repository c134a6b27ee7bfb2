"""Template helpers of the agents' UI: times, numbers, SLA clocks, audit events.

Times are shown in the display time zone (activated per request), relative
and absolute, with the Hijri date beside the Gregorian one in Arabic. Audit
events are stored as machine values and put into words here, in the reader's
language, always escaped.
"""

from __future__ import annotations

import functools
import html
import re
from datetime import date, datetime, time, timedelta

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import dateformat, timezone
from django.utils.formats import get_format, number_format
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import (
    get_language,
    gettext,
    gettext_lazy,
    ngettext,
    pgettext_lazy,
)
from hijridate import Gregorian

from cases import sla

register = template.Library()


def _escaped(value) -> str:
    """`conditional_escape(value)`, as a plain function: Django's `escape` is wrapped
    for lazy arguments, and that wrapper was most of the cost of a row's ~25 escapes."""
    if isinstance(value, Promise):  # lazy text: what it reads now
        value = str(value)
    if hasattr(value, "__html__"):  # SafeString, or another library's safe markup
        return value.__html__()
    return html.escape(str(value))  # what django.utils.html.escape does


def _html(format_string: str, *args, **kwargs) -> SafeString:
    """`format_html` for the inbox's many small pieces: every value escaped unless it
    is already safe (tests/cases/test_inbox_render.py compares the two)."""
    return mark_safe(  # noqa: S308 - every value escaped
        format_string.format(
            *(_escaped(v) for v in args), **{k: _escaped(v) for k, v in kwargs.items()}
        )
    )


def _is_arabic() -> bool:
    return (get_language() or "").startswith("ar")


@functools.lru_cache(maxsize=4096)
def _hijri_text(year: int, month: int, day: int) -> str:
    """The Hijri date of one Gregorian day, in Arabic ("" outside the Umm al-Qura
    tables, 1343-1500 AH). Pure, and asked for the same few days again and again."""
    try:
        h = Gregorian(year, month, day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    return f"{h.day} {h.month_name('ar')} {h.year} هـ"


@register.filter
def hijri(value: datetime | None) -> str:
    """The Hijri (Umm al-Qura) date of an instant in the display zone, in Arabic."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return _hijri_text(local.year, local.month, local.day)


# Django's date format characters (django.utils.dateformat) that depend only on the day,
# and those that depend only on the time of day. Any other one (a time zone's name or
# offset, "c", "r", "U") sends the format through dateformat.format as a whole.
_DAY_CHARS = frozenset("bdDEFjlLmMnNoStwWyYz")
_TIME_CHARS = frozenset("aAfgGhHiPsu")


@functools.lru_cache(maxsize=64)
def _format_parts(fmt: str) -> tuple[tuple[str, str], ...] | None:
    """`fmt` split as dateformat.format splits it: ("text", literal), ("day", char)
    and ("time", char) parts; None when it has a character of neither kind."""
    parts = []
    for i, piece in enumerate(dateformat.re_formatchars.split(fmt)):
        if i % 2:
            if piece in _DAY_CHARS:
                parts.append(("day", piece))
            elif piece in _TIME_CHARS:
                parts.append(("time", piece))
            else:
                return None
        elif piece:
            parts.append(("text", dateformat.re_escaped.sub(r"\1", piece)))
    return tuple(parts)


@functools.lru_cache(maxsize=64)
def _shows_seconds(fmt: str) -> bool:
    return any(kind == "time" and char in "su" for kind, char in _format_parts(fmt) or ())


@functools.lru_cache(maxsize=2048)
def _day_texts(fmt: str, language: str | None, day: date) -> dict[str, str]:
    """The day characters of `fmt` for one day; `language` (the active one) is part of
    the key because month and weekday names are translated."""
    formatter = dateformat.DateFormat(day)
    return {
        char: str(getattr(formatter, char)()) for kind, char in _format_parts(fmt) if kind == "day"
    }


@functools.lru_cache(maxsize=4096)
def _time_texts(fmt: str, language: str | None, clock: time) -> dict[str, str]:
    """The time characters of `fmt` for one time of day ("a.m."/"noon" are translated)."""
    formatter = dateformat.TimeFormat(clock)
    return {
        char: str(getattr(formatter, char)()) for kind, char in _format_parts(fmt) if kind == "time"
    }


@receiver(setting_changed)
def _forget_date_texts(*, setting, **kwargs) -> None:
    """Tests that change the translations or formats see the new texts (as Django's
    own format cache does)."""
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N", "FORMAT_MODULE_PATH"}:
        _day_texts.cache_clear()
        _time_texts.cache_clear()


def datetime_text(local: datetime, fmt: str, language: str | None) -> str:
    """`dateformat.format(local, fmt)` in the active `language`, from the per-day and
    per-minute texts: a page formats ~100 instants, most on the same few days, and the
    format characters cost more than the instants (tests compare with Django's)."""
    parts = _format_parts(fmt)
    if parts is None:
        return dateformat.format(local, fmt)
    day = _day_texts(fmt, language, local.date())
    clock = local.time() if _shows_seconds(fmt) else time(local.hour, local.minute)
    times = _time_texts(fmt, language, clock)
    return "".join(
        value if kind == "text" else (day if kind == "day" else times)[value]
        for kind, value in parts
    )


@register.filter
def absolute(value: datetime | None) -> str:
    """Date and time in the display zone; in Arabic, the Hijri date follows."""
    if not value:
        return ""
    language = get_language()
    local = timezone.localtime(value)
    text = datetime_text(local, get_format("DATETIME_FORMAT", language), language)
    if (language or "").startswith("ar"):
        h = _hijri_text(local.year, local.month, local.day)
        if h:
            text = f"{text} ({h})"
    return text


def relative_text(value: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    delta = (value - now).total_seconds()
    if abs(delta) < 60:
        return gettext("just now") if delta <= 0 else gettext("in under a minute")
    if delta < 0:
        return gettext("%(time)s ago") % {"time": timesince(value, now, depth=1)}
    return gettext("in %(time)s") % {"time": timeuntil(value, now, depth=1)}


@register.simple_tag
def when(value: datetime | None, style: str = "relative"):
    """<time> with the relative time shown and the absolute one on hover, or the reverse."""
    if not value:
        return format_html('<span class="muted">{}</span>', "—")
    return _time_html(value, relative_text(value), absolute(value), style)


def _time_html(value: datetime, rel: str, abs_: str, style: str = "relative"):
    shown, title = (abs_, rel) if style == "absolute" else (rel, abs_)
    return _html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), title, shown)


@register.filter
def num(value) -> str:
    """A whole number with the language's grouping (1,234 / 1٬234)."""
    if value is None or value == "":
        return "—"
    return number_format(value, force_grouping=True)


@register.filter
def compact(value) -> str:
    """Follower counts as people read them: 950, 12.3K, 1.2M."""
    if value is None:
        return "—"
    value = int(value)
    if value < 10_000:
        return num(value)
    if value < 1_000_000:
        return gettext("%(n)sK") % {"n": number_format(round(value / 1000, 1), decimal_pos=1)}
    return gettext("%(n)sM") % {"n": number_format(round(value / 1_000_000, 1), decimal_pos=1)}


def duration_text(seconds: float) -> str:
    """A short duration: "2d 3h", "1h 20m", "12m"."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return gettext("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)sh %(m)sm") % {"h": hours, "m": minutes}
    return gettext("%(m)sm") % {"m": minutes}


SLA_LABELS = {
    "ok": pgettext_lazy("sla state", "on time"),
    "warning": pgettext_lazy("sla state", "due soon"),
    "breached": pgettext_lazy("sla state", "overdue"),
    "paused": pgettext_lazy("sla state", "paused"),
    "met": pgettext_lazy("sla state", "met"),
}


@register.filter
def sla_label(state: str) -> str:
    return str(SLA_LABELS.get(state, state))


@register.simple_tag
def countdown(case, now: datetime | None = None):
    """The SLA chip of a row: time left (or overdue) to the running target, by state."""
    return _countdown_html(case, now or timezone.now(), absolute)


def _countdown_html(case, now: datetime, absolute_of) -> str:
    """`countdown`, with the due time written by `absolute_of`."""
    state = getattr(case, "sla_state", None)
    if state is None and hasattr(case, "first_response_met"):
        # Not set by the selector: the Python reading of the rule, from the row itself.
        state = sla.sla_state(case, now)
    state = state or "ok"
    due = getattr(case, "due_at", None)
    remaining = getattr(case, "sla_remaining_seconds", None)
    if due is None and state == "ok":
        return _html('<span class="sla sla-none">{}</span>', "—")
    if state in ("met", "paused") or due is None:
        text = str(SLA_LABELS.get(state, "")) if due or state != "ok" else "—"
    else:
        seconds = remaining if remaining is not None else (due - now).total_seconds()
        if state == "breached" or seconds < 0:
            text = gettext("%(t)s overdue") % {"t": duration_text(seconds)}
        else:
            text = gettext("%(t)s left") % {"t": duration_text(seconds)}
    title = absolute_of(due) if due else ""
    return _html(
        '<span class="sla sla-{}" title="{}" data-state="{}">{}</span>',
        state,
        f"{SLA_LABELS.get(state, state)} · {title}" if title else SLA_LABELS.get(state, state),
        state,
        text,
    )


@register.filter
def tweet_url(platform_id: str) -> str:
    """The tweet on X, for a numeric id only (never a link built from free text)."""
    return f"https://x.com/i/web/status/{platform_id}" if str(platform_id).isdigit() else ""


_STRONG_RTL = {"R", "AL"}
_SKIP_WORD = ("@", "#", "http://", "https://", "www.")


@register.filter
def text_dir(text: str) -> str:
    """The direction of a post as X shows it: from its first strong letter, leading
    @mentions, hashtags and links aside ("@SadaMinistry انقطاع" is right-to-left)."""
    import unicodedata

    for word in (text or "").split():
        if word.lower().startswith(_SKIP_WORD):
            continue
        for ch in word:
            kind = unicodedata.bidirectional(ch)
            if kind in _STRONG_RTL:
                return "rtl"
            if kind == "L":
                return "ltr"
    return "auto"


@register.filter
def age(value: datetime | None) -> str:
    if not value:
        return ""
    return duration_text((timezone.now() - value).total_seconds())


# --- Audit events, put into words ------------------------------------------------------

STATUS_NAMES = {
    "new": pgettext_lazy("status", "new"),
    "open": pgettext_lazy("status", "open"),
    "pending": pgettext_lazy("status", "pending"),
    "resolved": pgettext_lazy("status", "resolved"),
    "closed": pgettext_lazy("status", "closed"),
}


def _status(code: str) -> str:
    return str(STATUS_NAMES.get(code, code))


REASONS = {
    "followers": gettext_lazy("many followers"),
    "verified": gettext_lazy("verified account"),
    "default": gettext_lazy("default"),
}


@register.filter
def reason_label(code: str) -> str:
    """A priority reason code ("rule:Fire", "keyword:حريق", "manual:3") in words."""
    code = str(code)
    prefix, _sep, rest = code.partition(":")
    if prefix == "rule" and rest:
        return gettext("rule “%(name)s”") % {"name": rest}
    if prefix == "keyword" and rest:
        return gettext("wording “%(word)s”") % {"word": rest}
    if prefix == "manual":
        return gettext("set by a person")
    return str(REASONS.get(code, code))


TARGETS = {
    "first_response": gettext_lazy("first response"),
    "next_response": gettext_lazy("next response"),
    "resolution": gettext_lazy("resolution"),
}


def _target(code) -> str:
    return str(TARGETS.get(code, code or ""))


def _person(people: dict, pk) -> str:
    if pk is None:
        return gettext("nobody")
    return str(people.get(pk, gettext("user #%(id)s") % {"id": pk}))


def _queue(queues: dict, slug: str) -> str:
    return str(queues.get(slug, slug))


@register.simple_tag(takes_context=True)
def event_text(context, event) -> str:
    """One audit event as a sentence in the reader's language (autoescaped by the caller)."""
    people = context.get("people", {})
    queues = context.get("queue_names", {})
    d = event.data or {}
    kind = event.kind
    if kind == "created":
        return gettext("Case opened in %(queue)s with priority %(priority)s") % {
            "queue": _queue(queues, d.get("queue", "")),
            "priority": d.get("priority", ""),
        }
    if kind == "assigned":
        if d.get("how") == "take_next":
            return gettext("Taken by %(new)s") % {"new": _person(people, d.get("new"))}
        return gettext("Assigned to %(new)s") % {"new": _person(people, d.get("new"))}
    if kind == "status_changed":
        text = gettext("Status changed from %(old)s to %(new)s") % {
            "old": _status(d.get("old", "")),
            "new": _status(d.get("new", "")),
        }
        if d.get("resolution") == "not_a_case":
            text = gettext("Marked as not a case")
        if d.get("cause") == "customer_replied":
            text += " — " + gettext("the customer replied")
        if d.get("reason"):
            text += " — " + d["reason"]
        return text
    if kind == "reopened":
        return gettext("Reopened (was %(old)s)") % {"old": _status(d.get("previous_status", ""))}
    if kind == "priority_changed":
        text = gettext("Priority changed from %(old)s to %(new)s") % {
            "old": d.get("old", ""),
            "new": d.get("new", ""),
        }
        return text + (" — " + d["reason"] if d.get("reason") else "")
    if kind == "queue_changed":
        text = gettext("Moved from %(old)s to %(new)s") % {
            "old": _queue(queues, d.get("old", "")),
            "new": _queue(queues, d.get("new", "")),
        }
        if d.get("unassigned"):
            text += " — " + gettext("unassigned")
        return text + (" — " + d["reason"] if d.get("reason") else "")
    if kind == "tagged":
        return gettext("Tagged %(tags)s") % {"tags": list_sep().join(d.get("added", []))}
    if kind == "reply_delivered":
        return gettext("Reply published on X")
    if kind == "reply_failed":
        return gettext("Reply could not be published: %(error)s") % {"error": d.get("error", "")}
    if kind == "merged":
        return gettext("Merged into %(ref)s") % {"ref": d.get("into", "")}
    if kind == "merged_from":
        return ngettext(
            "%(ref)s merged into this case (%(n)s message)",
            "%(ref)s merged into this case (%(n)s messages)",
            d.get("messages") or 0,
        ) % {"ref": d.get("source", ""), "n": d.get("messages") or 0}
    if kind == "escalated":
        text = gettext("Escalated to level %(level)s") % {"level": d.get("level", "")}
        if d.get("target"):
            text += " — " + _target(d["target"])
        return text + (" — " + d["reason"] if d.get("reason") else "")
    if kind == "escalation_acknowledged":
        return gettext("Escalation (level %(level)s) acknowledged") % {"level": d.get("level", "")}
    if kind == "sla_warning":
        return gettext("SLA warning: %(target)s is due soon") % {"target": _target(d.get("target"))}
    if kind == "sla_breached":
        return gettext("SLA breached: %(target)s is overdue") % {"target": _target(d.get("target"))}
    if kind == "sla_policy_changed":
        return gettext("SLA targets recalculated")
    if kind == "status_link_created":
        return gettext("Status link sent to the customer")
    if kind == "public_followup":
        return gettext("The customer added a message through the status link")
    if kind == "rating_requested":
        return gettext("Satisfaction rating requested")
    if kind == "rated":
        return gettext("The customer rated the answer %(score)s out of 5") % {
            "score": d.get("score", "")
        }
    return kind.replace("_", " ")


@register.simple_tag(takes_context=True)
def actor_name(context, event) -> str:
    if event.actor_id:
        return _person(context.get("people", {}), event.actor_id)
    return {
        "system": gettext("Sada"),
        "rule": gettext("a rule"),
        "api": gettext("the API"),
    }.get(event.actor_kind, event.actor_kind)


@register.filter
def seconds_between(later: datetime | None, earlier: datetime | None) -> str:
    if not later or not earlier:
        return ""
    return duration_text((later - earlier).total_seconds())


@register.filter
def add_minutes(value: datetime, minutes: int) -> datetime:
    return value + timedelta(minutes=int(minutes))


@functools.cache
def _x_tlds() -> tuple[str, ...]:
    """The ASCII top-level domains X links without a protocol, from twitter-text itself,
    so the browser's counter and cases/replies.py agree on what is a link."""
    from twitter_text.regexp.valid_cctld import valid_cctld
    from twitter_text.regexp.valid_gtld import valid_gtld

    names: list[str] = []
    for regex in (valid_gtld, valid_cctld):
        body = regex.pattern[len("(?:(?:") : regex.pattern.index(")(?=")]
        names += [name for name in body.split("|") if name.isascii() and name.isalnum()]
    return tuple(sorted(set(names)))


@register.simple_tag
def x_tlds() -> list[str]:
    return list(_x_tlds())


@register.filter
def health_label(value: str) -> str:
    """A channel's health code in the reader's language (the connector's own labels)."""
    from social_ingest.models import SocialAccount

    return str(dict(SocialAccount.Health.choices).get(value, value))


# Handles and links read left to right inside right-to-left text: isolated, they stay
# whole ("@SadaMinistry", not "SadaMinistry@"). Matched on the escaped text, so
# nothing the citizen wrote can become markup.
_ISOLATE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{1,50}|\bhttps?://[^\s<>\"']+", re.IGNORECASE)


@register.filter(needs_autoescape=True)
def tweet_text(text: str, autoescape: bool = True) -> str:
    """A post as written: escaped, line breaks kept, @handles and links isolated."""
    escaped = conditional_escape(text or "") if autoescape else (text or "")
    isolated = _ISOLATE.sub(lambda m: f'<bdi dir="ltr">{m.group(0)}</bdi>', str(escaped))
    return mark_safe(isolated.replace("\n", "<br>"))  # noqa: S308 - escaped above


@register.simple_tag
def list_sep() -> str:
    """The comma between items of a list in the reader's language."""
    return "، " if _is_arabic() else ", "


# --- The inbox row ------------------------------------------------------------------
# One tag per row instead of ~40 template nodes: on a 50-row page the template
# engine's per-node work (variable lookups, localisation, escaping) cost more than
# the page's SQL. The markup is the one of the former _inbox_rows.html template;
# tests/cases/test_inbox_row_html.py renders both and compares them.

_ROW = (
    '<tr id="row-{ref}" class="row row-{priority} sla-row-{state}" data-ref="{ref}" '
    'data-href="{href}" data-version="{version}">\n'
    '  <td class="pick"><input type="checkbox" name="refs" value="{ref}" form="bulk" '
    'aria-label="{select}"></td>\n'
    '  <td><span class="prio prio-{priority}" title="{priority_label}">{priority}</span></td>\n'
    "  <td>{countdown}</td>\n"
    '  <td class="who">\n'
    '    <a class="case-link" href="{href}">\n'
    '      <bdi class="name" dir="auto">{name}</bdi>\n'
    "    </a>\n"
    '    <span class="sub">{handle}<bdi class="ref" dir="ltr">{ref}</bdi></span>\n'
    "  </td>\n"
    '  <td class="col-text">\n'
    '    <span class="first-line" dir="{text_dir}">{text}</span>\n'
    "    {tags}\n"
    "    {status}\n"
    "  </td>\n"
    '  <td class="queue">{queue}</td>\n'
    '  <td class="assignee">{assignee}</td>\n'
    '  <td class="age">{age}</td>\n'
    "</tr>"
)


# A reference as the case URL shows it (no character that reverse() would quote).
_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9_.~-]+")


class _RowKit:
    """What the inbox rows of one rendering share, worked out once: the reader's
    language, zone and date format, the fixed words and the case URL around the
    reference. Per row, only the row's own values are formatted."""

    def __init__(self):
        from django.urls import reverse

        from cases.models import Case

        self.language = get_language()
        self.zone = timezone.get_current_timezone()
        self.datetime_format = get_format("DATETIME_FORMAT", self.language)
        self.arabic = (self.language or "").startswith("ar")
        marker = "C-0"
        self.href_head, _marker, self.href_tail = reverse("case_detail", args=[marker]).rpartition(
            marker
        )
        self.priority_labels = {value: str(label) for value, label in Case.Priority.choices}
        self.status_labels = {value: str(label) for value, label in Case.Status.choices}
        self.select = gettext("Select %(ref)s")
        self.unassigned = format_html('<span class="muted">{}</span>', gettext("unassigned"))

    def absolute(self, value: datetime | None) -> str:
        """`absolute(value)` in the language and zone of this rendering."""
        if not value:
            return ""
        local = timezone.localtime(value, self.zone)
        text = datetime_text(local, self.datetime_format, self.language)
        if self.arabic:
            h = _hijri_text(local.year, local.month, local.day)
            if h:
                text = f"{text} ({h})"
        return text

    def href(self, reference: str) -> str:
        from django.urls import reverse

        if _PLAIN_REFERENCE.fullmatch(reference):
            return f"{self.href_head}{reference}{self.href_tail}"
        return reverse("case_detail", args=[reference])


@register.simple_tag(takes_context=True)
def inbox_row(context, case, now: datetime | None = None):
    """One row of the inbox list (see _inbox_rows.html)."""
    from django.utils.formats import localize

    kit = context.render_context.get(_RowKit)
    if kit is None:
        kit = context.render_context[_RowKit] = _RowKit()
    customer = case.customer
    name = (customer and (customer.name or customer.handle)) or "—"
    handle = ""
    if customer and customer.handle:
        handle = _html('<bdi class="handle" dir="ltr">@{}</bdi> · ', customer.handle)
    tags = ""
    if case.tags:
        tags = _html(
            '<span class="tags">{}</span>',
            mark_safe(  # noqa: S308 - every part escaped by _html
                "".join(_html('<bdi class="tag" dir="auto">{}</bdi>', t) for t in case.tags)
            ),
        )
    status = ""
    if case.status not in ("new", "open"):
        status = _html(
            '<span class="status status-{}">{}</span>',
            case.status,
            kit.status_labels.get(case.status, case.status),
        )
    if case.assignee:
        assignee = _html("<bdi>{}</bdi>", case.assignee)
    else:
        assignee = kit.unassigned
    created = case.created_at
    age = (
        _time_html(created, relative_text(created), kit.absolute(created))
        if created
        else when(created)
    )
    return _html(
        _ROW,
        ref=case.reference,
        priority=case.priority,
        state=getattr(case, "sla_state", ""),
        href=kit.href(case.reference),
        version=localize(case.version),
        select=kit.select % {"ref": case.reference},
        priority_label=kit.priority_labels.get(case.priority, case.priority),
        countdown=_countdown_html(case, now or timezone.now(), kit.absolute),
        name=name,
        handle=handle,
        text_dir=text_dir(case.first_text),
        text=tweet_text(case.first_text or ""),
        tags=tags,
        status=status,
        queue=case.queue,
        assignee=assignee,
        age=age,
    )
