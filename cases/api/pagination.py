"""Keyset ("cursor") pagination: page 1,000 costs what page 1 costs.

A cursor holds the sort values of the row it stops at, and the next page is
`WHERE (sort keys) > (those values) ORDER BY sort keys LIMIT n+1`, served by an
index; there is no OFFSET and no COUNT. Every ordering ends with the primary
key, so ties never repeat or skip a row, and rows inserted while a client pages
do not shift the pages it has not read yet. A NULL sort value (a case with no
due time yet) sorts after every value, ascending.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = False
    nullable: bool = False
    datetime: bool = False


@dataclass(frozen=True)
class Page:
    results: list
    next: str | None
    previous: str | None


class InvalidCursor(NotFound):
    """As DRF's own cursor pagination: a cursor this API did not give names no page."""

    default_detail = "Invalid cursor: use the next or previous link as given."
    default_code = "invalid_cursor"


def _order_by(key: Key, descending: bool):
    expr = F(key.field)
    if not key.nullable:
        return expr.desc() if descending else expr.asc()
    # NULL is "after everything" going forwards (PostgreSQL's default; said
    # explicitly for SQLite, which sorts NULL first).
    return expr.desc(nulls_first=True) if descending else expr.asc(nulls_last=True)


def _beyond(key: Key, value: Any, descending: bool) -> Q:
    """Rows strictly after `value` on this key, in this direction."""
    name = key.field
    if value is None:  # NULL is the largest value
        return Q(**{f"{name}__isnull": False}) if descending else Q(pk__in=[])
    if descending:
        return Q(**{f"{name}__lt": value})
    after = Q(**{f"{name}__gt": value})
    return after | Q(**{f"{name}__isnull": True}) if key.nullable else after


def _equal(key: Key, value: Any) -> Q:
    if value is None:
        return Q(**{f"{key.field}__isnull": True})
    return Q(**{key.field: value})


def _after(keys: tuple[Key, ...], values: list, reverse: bool) -> Q:
    condition = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        descending = key.descending != reverse
        condition |= prefix & _beyond(key, value, descending)
        prefix &= _equal(key, value)
    first, value = keys[0], values[0]
    if not first.nullable and value is not None:
        # Redundant but index-friendly: a range on the leading key.
        descending = first.descending != reverse
        condition &= Q(**{f"{first.field}__{'lte' if descending else 'gte'}": value})
    return condition


def _encode(ordering: str, values: list, reverse: bool) -> str:
    raw = json.dumps(
        {"o": ordering, "v": [v.isoformat() if hasattr(v, "isoformat") else v for v in values]}
        | ({"r": 1} if reverse else {}),
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, ordering: str, keys: tuple[Key, ...]) -> tuple[list, bool]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = data["v"]
        if data["o"] != ordering or len(values) != len(keys):
            raise ValueError("cursor of another ordering")
        decoded = []
        for key, value in zip(keys, values, strict=True):
            if value is None:
                if not key.nullable:
                    raise ValueError("null value")
            elif key.datetime:
                value = parse_datetime(value)
                if value is None or value.tzinfo is None:
                    raise ValueError("bad datetime")
            elif not isinstance(value, int | str) or isinstance(value, bool):
                raise ValueError("bad value")
            decoded.append(value)
        return decoded, bool(data.get("r"))
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc


def paginate(
    queryset: QuerySet,
    request,
    *,
    ordering: str,
    keys: tuple[Key, ...],
    page_size: int,
    cursor: str | None,
) -> Page:
    values, reverse = (None, False)
    if cursor:
        values, reverse = _decode(cursor, ordering, keys)
        queryset = queryset.filter(_after(keys, values, reverse))
    order = [_order_by(key, key.descending != reverse) for key in keys]
    rows = list(queryset.order_by(*order)[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if reverse:
        rows.reverse()

    def link(row, backwards: bool) -> str:
        url = request.build_absolute_uri()
        row_values = [getattr(row, key.field) for key in keys]
        return replace_query_param(url, "cursor", _encode(ordering, row_values, backwards))

    if not rows:
        # Past either end: offer the way back to the start.
        first = remove_query_param(request.build_absolute_uri(), "cursor") if cursor else None
        return Page([], None, first)
    if reverse:
        return Page(rows, link(rows[-1], False), link(rows[0], True) if more else None)
    return Page(
        rows, link(rows[-1], False) if more else None, link(rows[0], True) if cursor else None
    )
