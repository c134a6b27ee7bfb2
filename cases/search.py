"""Search over case text: every message, the customer's handle and name.

Text is matched in the one form `cases.text.normalize` gives (alef and ya
variants, tashkeel, elongation, Arabic-Indic digits all meet), so an agent
typing "اسعاف" finds "إسعاااف". Each case keeps its normalised document in
`CaseSearchDocument`; PostgreSQL searches it with full-text search (GIN index
on `to_tsvector('simple', document)`, prefix matching), SQLite with a plain
substring match per word.

Documents follow the cases by version: `search_catch_up` rebuilds those whose
case changed since (each search runs a small batch; a schedule and
`manage.py search_reindex` do the rest), so no write path needs to know.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import timedelta

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from .models import Case, CaseSearchDocument, Message
from .text import normalize

logger = logging.getLogger(__name__)

# A change committed this long after another one with a later updated_at is
# still picked up: transactions here are short, five minutes is generous.
COMMIT_LAG = timedelta(minutes=5)
REFERENCE = re.compile(r"^\s*C-\d{4}-\d{1,6}\s*$", re.IGNORECASE)


def search_document(case: Case, texts: list[str]) -> str:
    """The normalised search text of a case. Pure."""
    parts = [*texts]
    if case.customer_id and case.customer:
        parts += [case.customer.handle, case.customer.name]
    return normalize(" ".join(p for p in parts if p))


def _index(cases: list[Case]) -> int:
    """Write the documents of these cases (insert or replace), in two queries."""
    texts: dict[int, list[str]] = defaultdict(list)
    for case_id, text in Message.objects.filter(case__in=cases).values_list("case_id", "text"):
        texts[case_id].append(text)
    CaseSearchDocument.objects.bulk_create(
        [
            CaseSearchDocument(
                case=case,
                version=case.version,
                case_updated_at=case.updated_at,
                document=search_document(case, texts[case.pk]),
            )
            for case in cases
        ],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["version", "case_updated_at", "document"],
    )
    return len(cases)


def search_catch_up(*, limit: int = 500) -> int:
    """Rebuild the documents of cases changed since they were indexed; returns how many."""
    newest = CaseSearchDocument.objects.aggregate(at=Max("case_updated_at"))["at"]
    stale = Case.objects.exclude(
        Exists(CaseSearchDocument.objects.filter(case=OuterRef("pk"), version=OuterRef("version")))
    )
    if newest is not None:
        stale = stale.filter(updated_at__gte=newest - COMMIT_LAG)
    cases = list(stale.select_related("customer").order_by("updated_at", "id")[:limit])
    return _index(cases) if cases else 0


def search_catch_up_all(*, batch: int = 2000) -> int:
    """Index every case changed since the newest indexed change (the schedule)."""
    total = 0
    while True:
        done = search_catch_up(limit=batch)
        total += done
        if done < batch:
            return total


def search_reindex_missing(*, batch: int = 2000) -> int:
    """Index cases that have no document at all, whatever their age (first build)."""
    total = 0
    while True:
        cases = list(
            Case.objects.exclude(Exists(CaseSearchDocument.objects.filter(case=OuterRef("pk"))))
            .select_related("customer")
            .order_by("pk")[:batch]
        )
        if not cases:
            return total
        total += _index(cases)


def search_terms(query: str) -> list[str]:
    """The normalised words of a query that can be searched (letters and digits)."""
    return [word for word in normalize(query).split() if word.isalnum()][:12]


def search_filter(queryset: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Cases of `queryset` matching `query`: a reference, an @handle, or words."""
    query = (query or "").strip()
    if not query:
        return queryset
    if REFERENCE.match(query):
        return queryset.filter(reference__iexact=query.strip())
    if query.startswith("@") and " " not in query:
        return queryset.filter(customer__handle__iexact=query[1:])
    terms = search_terms(query)
    if not terms:
        return queryset.none()
    search_catch_up(limit=200)
    documents = CaseSearchDocument.objects.all()
    if connection.vendor == "postgresql":
        # Each word as a prefix: agents type the start of a word and expect hits.
        tsquery = " & ".join(f"{term}:*" for term in terms)
        documents = documents.extra(
            where=["to_tsvector('simple'::regconfig, document) @@ to_tsquery('simple', %s)"],
            params=[tsquery],
        )
    else:
        condition = Q()
        for term in terms:
            condition &= Q(document__contains=term)
        documents = documents.filter(condition)
    return queryset.filter(pk__in=documents.values("case_id"))


def search_refresh() -> int:
    """The scheduled task: changed cases first, then any case never indexed."""
    return search_catch_up_all() + search_reindex_missing()
