"""Reads of the agents' web UI: the inbox list, the case page, the dashboard.

Everything starts from `visible_cases(user)`. Lists are keyset-paginated
(no OFFSET, no COUNT of the whole table) and load a page in a fixed number of
queries whatever its size.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Substr
from django.utils.dateparse import parse_datetime

from .models import Case, Message, Queue, User
from .search import search_filter
from .selectors import case_list, visible_cases
from .selectors_sla import set_sla_state

OPEN = list(Case.OPEN_STATUSES)
SLA_STATES = ("ok", "warning", "breached", "paused", "met")
MAX_PAGE = 200
COUNT_CAP = 100  # tab badges count up to this ("99+"), never the whole table


# --- SLA state: the SLA module's when it is there, a plain reading of the due times otherwise


def due_expression():
    """The deadline the clock is running towards: first response, then next/resolution."""
    return CaseWhen(
        When(first_responded_at__isnull=True, then=F("first_response_due")),
        default=Coalesce(F("next_response_due"), F("resolution_due")),
    )


# The inbox's sort key for "no running deadline": after every real one. A NOT NULL key
# lets the keyset cursor be an index range (migration 0021_inbox_cursor_index).
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


def due_key_expression():
    """`due_expression()` with NULL read as NO_DEADLINE (the index's expression)."""
    return Coalesce(due_expression(), Value(NO_DEADLINE, output_field=DateTimeField()))


# Before the SLA module, "warning" is a fixed share of each priority's usual target.
_FALLBACK_WARNING = {"P1": 5, "P2": 15, "P3": 60, "P4": 240}


def with_sla(queryset: QuerySet[Case], now: datetime) -> QuerySet[Case]:
    """Annotate `due_at`; `sla_state` (ok, warning, breached, paused, met) is an
    alias for filters and sorts. Rows that are shown get `sla_state` in Python
    (`selectors_sla.set_sla_state`): the SQL expression is only compiled when a
    filter or sort uses it."""
    queryset = queryset.annotate(due_at=due_expression())
    try:
        from .selectors_sla import alias_sla_state
    except ImportError:
        alias_sla_state = None
    if alias_sla_state is not None:
        return alias_sla_state(queryset, now)
    warning = [
        When(priority=p, due_at__lt=now + timedelta(minutes=m), then=Value("warning"))
        for p, m in _FALLBACK_WARNING.items()
    ]
    return queryset.annotate(
        sla_state=CaseWhen(
            When(status__in=[Case.Status.RESOLVED, Case.Status.CLOSED], then=Value("met")),
            When(status=Case.Status.PENDING, then=Value("paused")),
            When(due_at__lt=now, then=Value("breached")),
            *warning,
            default=Value("ok"),
            output_field=CharField(),
        )
    )


def business_calendar(calendar, years: range):
    """`calendar.to_calendar(years)`, built once per process and calendar version.

    Building it reads the calendar's periods, overrides and manual holidays (three
    queries) and the holidays package; every edit of the calendar or of one of its
    parts stamps its `updated_at` (models_sla._TouchesParent), which is part of the
    key, so an edited calendar is built again on its next use.
    """
    from .cache import config_cache

    key = ("business_calendar", calendar.pk, calendar.updated_at, years.start, years.stop)
    return config_cache.get(key, stamp=lambda: None, load=lambda: calendar.to_calendar(years))


def with_business_remaining(rows: list[Case], now: datetime) -> list[Case]:
    """Set `sla_remaining_seconds` on rows with a running clock: business seconds
    left until `due_at` on the case's SLA calendar.

    One query for the policies of the page and their calendars, whatever the
    number of rows (and three more to build a calendar not seen yet, see
    `business_calendar`); rows without a policy keep wall-clock time.
    """
    try:
        from .businesstime import business_seconds_between
        from .models import SlaPolicy
    except ImportError:
        return rows
    policy_ids = {
        row.sla_policy_id
        for row in rows
        if getattr(row, "sla_policy_id", None) and row.due_at and row.status in OPEN
    }
    if not policy_ids:
        return rows
    years = range(now.year - 1, now.year + 2)
    calendars = {
        policy.pk: business_calendar(policy.calendar, years)
        for policy in SlaPolicy.objects.filter(pk__in=policy_ids).select_related("calendar")
    }
    for row in rows:
        cal = calendars.get(getattr(row, "sla_policy_id", None))
        # Overdue shows wall-clock lateness: measuring weeks of business time
        # for every late row would cost more than it tells.
        no_clock = row.due_at is None or row.status == Case.Status.PENDING
        if cal is None or no_clock or row.due_at < now:
            continue
        row.sla_remaining_seconds = business_seconds_between(cal, now, row.due_at)
    return rows


# --- The inbox ------------------------------------------------------------------------


SORTS = {
    # name: keyset keys, (field, descending, nullable); the last key is unique.
    "due": [("due_key", False, False), ("id", False, False)],
    "priority": [("priority", False, False), ("due_key", False, False), ("id", False, False)],
    "newest": [("created_at", True, False), ("id", True, False)],
    "oldest": [("created_at", False, False), ("id", False, False)],
}
_DATETIME_KEYS = {"due_key", "due_at", "created_at"}


@dataclass
class InboxQuery:
    view: str = ""  # "", "mine", "unassigned", "escalated", "all", "queue"
    queue: str = ""  # the queue's slug, for view "queue" and the queue filter
    status: str = "active"  # "active" (new, open, pending), one status, or "any"
    priority: str = ""
    sla: str = ""
    language: str = ""
    account: int | None = None
    tag: str = ""
    assignee: str = ""  # a user id, "me" or "none"
    q: str = ""
    sort: str = ""  # a key of SORTS; empty: default_sort()
    after: str = ""  # keyset cursor
    limit: int = 50


@dataclass
class InboxPage:
    rows: list[Case]
    next_cursor: str
    has_more: bool
    sort: str = "due"  # the order applied (the default depends on the status filter)
    extra: dict = field(default_factory=dict)


def _key_value(row: Case, name: str):
    value = getattr(row, name)
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(row: Case, sort: str) -> str:
    values = [_key_value(row, name) for name, _desc, _null in SORTS[sort]]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list | None:
    """The key values of a cursor, or None for a malformed one (start from the top)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    keys = SORTS[sort]
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    parsed = []
    for (name, _desc, nullable), value in zip(keys, values, strict=True):
        if value is None:
            if not nullable:
                return None
            parsed.append(None)
        elif name in _DATETIME_KEYS:
            when = parse_datetime(value) if isinstance(value, str) else None
            if when is None:
                return None
            parsed.append(when)
        elif name == "id":
            if not isinstance(value, int):
                return None
            parsed.append(value)
        else:
            if not isinstance(value, str):
                return None
            parsed.append(value)
    return parsed


def keyset_after(keys: list[tuple[str, bool, bool]], values: list) -> Q:
    """Rows strictly after `values` in the order of `keys` (NULLs last)."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for (name, desc, nullable), value in zip(keys, values, strict=True):
        if value is None:
            after = Q(pk__in=[])  # nothing comes after a NULL but more NULLs
            equal = Q(**{f"{name}__isnull": True})
        else:
            after = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
            if nullable:
                after |= Q(**{f"{name}__isnull": True})
            equal = Q(**{name: value})
        condition |= equal_so_far & after
        equal_so_far &= equal
    # The same rows, plus a plain bound on the first key: an index range condition
    # (the OR above alone makes PostgreSQL scan the index from its start).
    name, desc, _nullable = keys[0]
    if values[0] is not None:
        condition &= Q(**{f"{name}__{'lte' if desc else 'gte'}": values[0]})
    return condition


def _order_by(sort: str) -> list:
    order = []
    for name, desc, nullable in SORTS[sort]:
        expression = F(name)
        if desc:
            # No NULLS LAST on a NOT NULL column: it would stop a backward index scan.
            order.append(expression.desc(nulls_last=True) if nullable else expression.desc())
        else:
            order.append(expression.asc(nulls_last=True) if nullable else expression.asc())
    return order


def first_inbound_text():
    """The first line of the case: its first customer message, cut short in the database."""
    text = (
        Message.objects.filter(case=OuterRef("pk"), direction=Message.Direction.INBOUND)
        .order_by("created_at", "id")
        .values("text")[:1]
    )
    return Substr(Subquery(text), 1, 280)


def inbox_base(user: User, query: InboxQuery, *, is_supervisor: bool) -> QuerySet[Case]:
    """The visible cases of one inbox view, with its filters; not ordered, not sliced."""
    qs = visible_cases(user, supervisor=is_supervisor)  # asking again is a query
    view = query.view
    if view == "mine":
        qs = qs.filter(assignee=user)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif view == "escalated":
        qs = qs.filter(escalation_level__gt=0)
    elif view == "queue" and query.queue:
        qs = qs.filter(queue__slug=query.queue)

    if query.status in ("active", ""):
        qs = qs.filter(status__in=OPEN)
    elif query.status in Case.Status.values:
        qs = qs.filter(status=query.status)
    if query.priority in Case.Priority.values:
        qs = qs.filter(priority=query.priority)
    if query.queue and view != "queue":
        qs = qs.filter(queue__slug=query.queue)
    if query.language:
        if query.language == "other":
            qs = qs.exclude(language__in=["ar", "en", "mixed"])
        else:
            qs = qs.filter(language=query.language)
    if query.account:
        qs = qs.filter(account_id=query.account)
    if query.tag:
        if connection.features.supports_json_field_contains:
            qs = qs.filter(tags__contains=[query.tag])
        else:  # SQLite: the JSON text as json.dumps wrote it holds the quoted tag
            qs = qs.annotate(tags_text=Cast("tags", TextField())).filter(
                tags_text__contains=json.dumps(query.tag)
            )
    if query.assignee == "me":
        qs = qs.filter(assignee=user)
    elif query.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif query.assignee.isdigit():
        qs = qs.filter(assignee_id=int(query.assignee))
    if query.q:
        qs = search_filter(qs, query.q)
    return qs


def default_sort(query: InboxQuery) -> str:
    """Open cases by the deadline their clock runs to; resolved and closed ones,
    whose clocks have stopped, newest first."""
    return "due" if query.status in ("", "active", "new", "open", "pending") else "newest"


def inbox_page(user: User, query: InboxQuery, *, now: datetime, is_supervisor: bool) -> InboxPage:
    """One page of the inbox in one query: rows, their SLA state and first line."""
    sort = query.sort if query.sort in SORTS else default_sort(query)
    qs = inbox_base(user, query, is_supervisor=is_supervisor)
    if query.sla in SLA_STATES:
        qs = with_sla(qs, now).filter(sla_state=query.sla)
    else:
        qs = qs.annotate(due_at=due_expression())
    qs = qs.annotate(due_key=due_key_expression())
    if query.after:
        values = decode_cursor(query.after, sort)
        if values is not None:
            qs = qs.filter(keyset_after(SORTS[sort], values))
    limit = max(1, min(query.limit, MAX_PAGE))
    qs = case_list(qs).annotate(first_text=first_inbound_text()).order_by(*_order_by(sort))
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    set_sla_state(rows, now)
    with_business_remaining(rows, now)
    return InboxPage(
        rows=rows,
        next_cursor=encode_cursor(rows[-1], sort) if has_more else "",
        has_more=has_more,
        sort=sort,
    )


def capped_count(queryset: QuerySet) -> int:
    """How many rows, counting no further than COUNT_CAP (a LIMITed subquery)."""
    return queryset.values("pk")[:COUNT_CAP].count()


@dataclass(frozen=True)
class Tab:
    key: str  # the value of the `view` parameter
    queue: str  # the queue's slug for a queue tab
    label: str
    count: int


def inbox_tabs(user: User, queues: list[Queue], *, is_supervisor: bool) -> list[Tab]:
    """The inbox's views with a capped count of open cases each (one query per tab)."""
    from django.utils.translation import gettext as _

    open_visible = visible_cases(user, supervisor=is_supervisor).filter(status__in=OPEN)
    tabs = [
        Tab("", "", _("All open") if is_supervisor else _("My queues"), capped_count(open_visible)),
        Tab("mine", "", _("Mine"), capped_count(open_visible.filter(assignee=user))),
        Tab(
            "unassigned",
            "",
            _("Unassigned"),
            capped_count(open_visible.filter(assignee__isnull=True)),
        ),
        Tab(
            "escalated",
            "",
            _("Escalated"),
            capped_count(open_visible.filter(escalation_level__gt=0)),
        ),
    ]
    for queue in queues:
        tabs.append(
            Tab("queue", queue.slug, str(queue), capped_count(open_visible.filter(queue=queue)))
        )
    return tabs


# --- The case page --------------------------------------------------------------------


def case_thread(case: Case) -> list[tuple[str, object]]:
    """Messages and events of a case in time order, as ("message"|"event", row)."""
    messages = list(case.messages.select_related("author", "customer").order_by("created_at", "id"))
    events = list(case.events.select_related("actor").order_by("created_at", "id"))
    items: list[tuple[datetime, int, str, object]] = [
        (m.created_at, 0, "message", m) for m in messages
    ] + [(e.created_at, 1, "event", e) for e in events]
    items.sort(key=lambda item: (item[0], item[1], item[3].pk))
    return [(kind, row) for _at, _order, kind, row in items]


def customer_earlier_cases(case: Case, user: User, *, limit: int = 10) -> list[Case]:
    """The customer's other cases that this user may see, newest first."""
    if not case.customer_id:
        return []
    return list(
        visible_cases(user)
        .filter(customer_id=case.customer_id)
        .exclude(pk=case.pk)
        .select_related("queue")
        .order_by("-created_at", "-id")[:limit]
    )


# --- The supervisor dashboard ---------------------------------------------------------


def due_soon(user: User, now: datetime, *, within: timedelta, limit: int = 50) -> list[Case]:
    """Open cases whose clock runs out within `within`, most urgent first."""
    qs = with_sla(visible_cases(user).filter(status__in=[Case.Status.NEW, Case.Status.OPEN]), now)
    qs = qs.filter(due_at__gte=now, due_at__lt=now + within)
    return list(case_list(qs).order_by("due_at", "id")[:limit])


def queue_health(user: User, now: datetime, *, day_start: datetime) -> list[Queue]:
    """Each queue with its open, unassigned, breached-today counts and oldest open case."""
    open_q = Q(cases__status__in=OPEN)
    # Breached today: a first-response deadline that fell between midnight and now
    # and was not met in time (still unanswered, or answered late).
    breached = Q(cases__first_response_due__gte=day_start, cases__first_response_due__lt=now) & (
        Q(cases__first_responded_at__isnull=True)
        | Q(cases__first_responded_at__gt=F("cases__first_response_due"))
    )
    return list(
        Queue.objects.annotate(
            open_count=Count("cases", filter=open_q),
            unassigned_count=Count("cases", filter=open_q & Q(cases__assignee__isnull=True)),
            breached_today=Count("cases", filter=breached),
            oldest_open=Min("cases__created_at", filter=open_q),
        ).order_by("slug")
    )


def agent_load(now: datetime) -> list[User]:
    """Active people in a role, with their open cases against their capacity."""
    return list(
        User.objects.filter(is_active=True, groups__name__in=["Agents", "Supervisors"])
        .distinct()
        .annotate(
            open_cases=Count(
                "assigned_cases", filter=Q(assigned_cases__status__in=OPEN), distinct=True
            )
        )
        .order_by("-is_available", "-open_cases", "username")
    )
