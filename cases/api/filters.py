"""The case list's query parameters: validated (a bad value is a 400, not an
empty list), then applied as SQL — never in Python — so the page stays one query.

`updated_since` is for incremental sync: it returns cases with
`updated_at >= updated_since`, oldest change first (ordering `updated`, i.e.
by `(updated_at, id)`). `updated_at` is stamped when a change starts, not when
it commits, so a change in flight during a client's read can appear later with
an earlier `updated_at`: clients ask again from the newest `updated_at` they
saw minus a small overlap (60 seconds covers any write transaction here) and
skip rows whose (reference, version) they already have.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from ..models import Case
from ..search import search_filter
from .pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Key
from .serializers import SLA_STATES, UTCDateTimeField

# Sort keys of each ordering; every one ends with the primary key (see pagination).
ORDERINGS: dict[str, tuple[Key, ...]] = {
    "created": (Key("created_at", datetime=True), Key("id")),
    "-created": (Key("created_at", True, datetime=True), Key("id", True)),
    "updated": (Key("updated_at", datetime=True), Key("id")),
    "-updated": (Key("updated_at", True, datetime=True), Key("id", True)),
    "due": (Key("first_response_due", nullable=True, datetime=True), Key("id")),
    "-due": (Key("first_response_due", True, nullable=True, datetime=True), Key("id", True)),
    # "P1" sorts before "P4": most urgent first, then by due time.
    "priority": (
        Key("priority"),
        Key("first_response_due", nullable=True, datetime=True),
        Key("id"),
    ),
    "-priority": (
        Key("priority", True),
        Key("first_response_due", True, nullable=True, datetime=True),
        Key("id", True),
    ),
}
DEFAULT_ORDERING = "-created"


def case_rows(queryset: QuerySet[Case], *, now: datetime) -> list[Case]:
    """What a case row shows, in one query whatever the number of rows; `sla_state`
    read in Python at `now`, like every displayed row (selectors_sla.set_sla_state)."""
    from ..selectors import case_list
    from ..selectors_sla import set_sla_state

    rows = list(case_list(queryset))
    set_sla_state(rows, now)
    return rows


class CommaSeparated(serializers.Field):
    """`?status=new,open` (or `?status=new&status=open`): a list of choices."""

    def __init__(self, *, choices=None, **kwargs):
        self.choices = list(choices) if choices is not None else None
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if self.field_name not in dictionary:
            return serializers.empty
        values = dictionary.getlist(self.field_name)
        return [item.strip() for value in values for item in value.split(",") if item.strip()]

    def to_internal_value(self, data):
        bad = [item for item in data if self.choices is not None and item not in self.choices]
        if bad:
            raise serializers.ValidationError(
                f"Unknown value(s): {', '.join(bad)}. Choose from: {', '.join(self.choices)}."
            )
        return data

    def to_representation(self, value):
        return value


class QuerySerializer(serializers.Serializer):
    """Query parameters: `?page_size=` (empty) is an error for a number, a date or a
    choice, as the schema says, not silently the default."""

    def to_internal_value(self, data):
        blank = [
            name
            for name, field in self.fields.items()
            if not isinstance(field, serializers.CharField | CommaSeparated)
            and name in data
            and any(value == "" for value in data.getlist(name))
        ]
        if blank:
            raise serializers.ValidationError({name: ["May not be empty."] for name in blank})
        return super().to_internal_value(data)


class CaseListQuery(QuerySerializer):
    status = CommaSeparated(choices=Case.Status.values, required=False)
    priority = CommaSeparated(choices=Case.Priority.values, required=False)
    queue = CommaSeparated(required=False)
    assignee = serializers.CharField(required=False, max_length=150)
    sla_state = CommaSeparated(choices=SLA_STATES, required=False)
    escalation_level = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    escalation_level_min = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    account = serializers.CharField(required=False, max_length=100)
    customer = serializers.CharField(required=False, max_length=100)
    language = serializers.CharField(required=False, max_length=10)
    category = serializers.CharField(required=False, max_length=30)
    tag = serializers.CharField(required=False, max_length=50)
    created_after = UTCDateTimeField(required=False)
    created_before = UTCDateTimeField(required=False)
    updated_after = UTCDateTimeField(required=False)
    updated_before = UTCDateTimeField(required=False)
    updated_since = UTCDateTimeField(required=False)
    search = serializers.CharField(required=False, max_length=200, allow_blank=True)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )
    cursor = serializers.CharField(required=False, max_length=2000)


class PageQuery(QuerySerializer):
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )
    cursor = serializers.CharField(required=False, max_length=2000)


class CustomerListQuery(PageQuery):
    search = serializers.CharField(required=False, max_length=200, allow_blank=True)


def _tag_filter(tag: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])
    # SQLite has no JSON containment: match the quoted element in the stored JSON.
    return Q(
        pk__in=Case.objects.alias(tags_text=Cast("tags", TextField()))
        .filter(tags_text__contains=json.dumps(tag))
        .values("pk")
    )


def filter_cases(queryset: QuerySet[Case], params: dict, *, user) -> QuerySet[Case]:
    """Apply validated CaseListQuery parameters (`user` resolves `assignee=me`)."""
    if params.get("status"):
        queryset = queryset.filter(status__in=params["status"])
    if params.get("priority"):
        queryset = queryset.filter(priority__in=params["priority"])
    if params.get("queue"):
        queryset = queryset.filter(queue__slug__in=params["queue"])
    assignee = params.get("assignee")
    if assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee == "me":
        queryset = queryset.filter(assignee=user) if user else queryset.none()
    elif assignee:
        queryset = queryset.filter(assignee__username=assignee)
    if params.get("sla_state"):
        queryset = queryset.filter(sla_state__in=params["sla_state"])
    if params.get("escalation_level") is not None:
        queryset = queryset.filter(escalation_level=params["escalation_level"])
    if params.get("escalation_level_min") is not None:
        queryset = queryset.filter(escalation_level__gte=params["escalation_level_min"])
    if params.get("account"):
        queryset = queryset.filter(account__handle__iexact=params["account"].lstrip("@"))
    if params.get("customer"):
        queryset = queryset.filter(customer__handle__iexact=params["customer"].lstrip("@"))
    if params.get("language"):
        queryset = queryset.filter(language=params["language"])
    if params.get("category"):
        queryset = queryset.filter(category=params["category"])
    if params.get("tag"):
        queryset = queryset.filter(_tag_filter(params["tag"].lstrip("#")))
    for name, lookup in (
        ("created_after", "created_at__gte"),
        ("created_before", "created_at__lt"),
        ("updated_after", "updated_at__gte"),
        ("updated_since", "updated_at__gte"),
        ("updated_before", "updated_at__lt"),
    ):
        if params.get(name) is not None:
            queryset = queryset.filter(**{lookup: params[name]})
    search = (params.get("search") or "").strip()
    if search:
        # The agent UI's search: a reference, an @handle, or words (Arabic
        # spelling variants meet), full-text on PostgreSQL.
        queryset = search_filter(queryset, search)
    return queryset


def ordering_of(params: dict) -> str:
    """The ordering asked for; an `updated_since` sync defaults to `updated`."""
    if params.get("ordering"):
        return params["ordering"]
    return "updated" if params.get("updated_since") else DEFAULT_ORDERING


def _str(max_length: int) -> dict:
    return {"type": "string", "maxLength": max_length, "pattern": r"^[^\x00]*$"}


def _csv(name: str, description: str, enum=None) -> OpenApiParameter:
    items = {"type": "string", **({"enum": list(enum)} if enum else {})}
    return OpenApiParameter(
        name,
        {"type": "array", "items": items},
        OpenApiParameter.QUERY,
        description=description + " Comma-separated for several.",
        style="form",
        explode=False,
    )


PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        _str(2000),
        OpenApiParameter.QUERY,
        description="Opaque position from a `next` or `previous` link.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        OpenApiParameter.QUERY,
        description=f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
    ),
]

_DT = {"type": "string", "format": "date-time"}


CASE_LIST_PARAMETERS = [
    _csv("status", "Only cases in these statuses.", Case.Status.values),
    _csv("priority", "Only these priorities.", Case.Priority.values),
    _csv("queue", "Only cases of these queues (slugs)."),
    OpenApiParameter(
        "assignee",
        _str(150),
        OpenApiParameter.QUERY,
        description="A username, `me`, or `none` (unassigned).",
    ),
    _csv("sla_state", "Only cases in these SLA states.", SLA_STATES),
    OpenApiParameter(
        "escalation_level",
        {"type": "integer", "minimum": 0, "maximum": 32767},
        OpenApiParameter.QUERY,
        description="Exactly this escalation level.",
    ),
    OpenApiParameter(
        "escalation_level_min",
        {"type": "integer", "minimum": 0, "maximum": 32767},
        OpenApiParameter.QUERY,
        description="At least this escalation level.",
    ),
    OpenApiParameter(
        "account",
        _str(100),
        OpenApiParameter.QUERY,
        description="Handle of the organisation account mentioned.",
    ),
    OpenApiParameter(
        "customer",
        _str(100),
        OpenApiParameter.QUERY,
        description="Handle of the customer.",
    ),
    OpenApiParameter("language", _str(10), OpenApiParameter.QUERY),
    OpenApiParameter("category", _str(30), OpenApiParameter.QUERY),
    OpenApiParameter("tag", _str(50), OpenApiParameter.QUERY, description="Cases with this tag."),
    OpenApiParameter(
        "created_after", _DT, OpenApiParameter.QUERY, description="created_at >= this."
    ),
    OpenApiParameter(
        "created_before", _DT, OpenApiParameter.QUERY, description="created_at < this."
    ),
    OpenApiParameter(
        "updated_after", _DT, OpenApiParameter.QUERY, description="updated_at >= this."
    ),
    OpenApiParameter(
        "updated_before", _DT, OpenApiParameter.QUERY, description="updated_at < this."
    ),
    OpenApiParameter(
        "updated_since",
        _DT,
        OpenApiParameter.QUERY,
        description="Incremental sync: cases with updated_at >= this, oldest change first "
        "(ordering defaults to `updated`). Ask again from the newest updated_at you saw "
        "minus 60 seconds and skip (reference, version) pairs you already have: a change "
        "committing late can carry a slightly earlier updated_at.",
    ),
    OpenApiParameter(
        "search",
        _str(200),
        OpenApiParameter.QUERY,
        description="A reference (C-2026-000123), an @handle, or words found in the case's "
        "messages or its customer's name (Arabic spelling variants match).",
    ),
    OpenApiParameter(
        "ordering",
        {"type": "string", "enum": list(ORDERINGS)},
        OpenApiParameter.QUERY,
        description="`due` (first response due, soonest first; none last), `created`, "
        "`priority` (P1 first, then due), `updated`; a leading `-` reverses. "
        f"Default `{DEFAULT_ORDERING}`, or `updated` with `updated_since`.",
    ),
    *PAGE_PARAMETERS,
]
