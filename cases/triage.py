"""Routing and priority of a new case: the database side of `routing.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .mention import Mention
from .models import Customer, Queue


@dataclass(frozen=True)
class TriageDecision:
    queue: Queue
    category: str
    priority: str
    priority_reasons: tuple[str, ...]
    tags: tuple[str, ...]
    language: str
    routed_by: str
    assignee_username: str = ""


def triage(
    mention: Mention, *, customer: Customer | None, account, now: datetime
) -> TriageDecision:
    queue = Queue.objects.get(slug="general")
    return TriageDecision(
        queue=queue,
        category="other",
        priority="P3",
        priority_reasons=(),
        tags=(),
        language=mention.lang,
        routed_by="",
    )
