"""Routing and priority of a new case: the database side of `routing.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max

from .cache import config_cache
from .mention import Mention
from .models import Case, Customer, Queue, User
from .models_routing import RoutingRule
from .routing import MentionFacts, RuleSpec, evaluate
from .text import detect_language

# How far back repeat contact is counted; rules ask for at most this many days.
REPEAT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class TriageDecision:
    queue: Queue
    category: str
    priority: str
    priority_reasons: tuple[str, ...]
    tags: tuple[str, ...]
    language: str
    routed_by: str
    assignee: User | None = None
    not_a_case_reason: str = ""
    incident_key: str = ""


def active_rules() -> tuple[RuleSpec, ...]:
    """The active routing rules as specs, from the per-process configuration cache."""
    return config_cache.get(
        "routing_rules",
        stamp=lambda: tuple(RoutingRule.objects.aggregate(Max("updated_at"), Count("id")).values()),
        load=lambda: tuple(
            rule.to_spec()
            for rule in RoutingRule.objects.filter(is_active=True).select_related(
                "queue", "assignee"
            )
        ),
    )


def _queue(slug: str) -> Queue:
    # A rule may name a queue deleted since: its cases go to the general queue.
    return Queue.objects.filter(slug=slug).first() or Queue.objects.get(slug="general")


def mention_facts(
    mention: Mention, *, customer: Customer | None, account, now: datetime
) -> MentionFacts:
    ages: tuple[float, ...] = ()
    if customer is not None and customer.pk:
        since = now - timedelta(days=REPEAT_WINDOW_DAYS)
        ages = tuple(
            (now - created).total_seconds() / 86400
            for created in Case.objects.filter(
                customer=customer, created_at__gte=since
            ).values_list("created_at", flat=True)
        )
    author = mention.author
    return MentionFacts(
        text=mention.text,
        language=detect_language(mention.text, mention.lang),
        account_handle=getattr(account, "handle", "") or "",
        followers=author.followers if author else None,
        verified=bool(author and author.verified),
        recent_case_ages_days=ages,
    )


def triage(
    mention: Mention, *, customer: Customer | None, account, now: datetime
) -> TriageDecision:
    """Route and prioritise a new mention with the supervisors' rules."""
    facts = mention_facts(mention, customer=customer, account=account, now=now)
    decision = evaluate(active_rules(), facts)
    assignee = None
    if decision.assignee:
        assignee = User.objects.filter(username=decision.assignee, is_active=True).first()
    keyword = next(
        (
            reason.split(":", 1)[1]
            for match in decision.matched[:1]
            for reason in match.reasons
            if reason.startswith("keyword:")
        ),
        "",
    )
    return TriageDecision(
        queue=_queue(decision.queue),
        category=decision.category,
        priority=decision.priority,
        # Why, in machine codes: the priority factors and the words that matched.
        priority_reasons=decision.priority_reasons + ((f"keyword:{keyword}",) if keyword else ()),
        tags=decision.tags,
        language=facts.language,
        routed_by=decision.routed_by.name if decision.routed_by else "",
        assignee=assignee,
        not_a_case_reason=f"rule:{decision.not_a_case_by.name}" if decision.not_a_case_by else "",
        incident_key=keyword[:200],
    )
