"""Routing and priority of a new case: the database side of `routing.py`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max

from .cache import config_cache
from .mention import Mention
from .models import Case, Customer, Queue, User
from .models_routing import RoutingRule
from .routing import MentionFacts, RuleSpec, evaluate
from .text import TextIndex, detect_language

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


class TriageBatch:
    """What triage reads from the database, read once for a page of mentions: the
    recent cases of its customers (repeat contact), the queues, rule assignees.

    Cases the page opens count as repeat contact for the mentions after them.
    """

    def __init__(self, *, customers: Iterable[Customer], now: datetime):
        self._since = now - timedelta(days=REPEAT_WINDOW_DAYS)
        self._case_times: dict[int, list[datetime]] = defaultdict(list)
        ids = {c.pk for c in customers if c is not None and c.pk}
        if ids:
            for customer_id, created in Case.objects.filter(
                customer_id__in=ids, created_at__gte=self._since
            ).values_list("customer_id", "created_at"):
                self._case_times[customer_id].append(created)
        self._queues: dict[str, Queue] | None = None
        self._users: dict[str, User | None] = {}

    def case_opened(self, customer: Customer | None, created_at: datetime) -> None:
        if customer is not None and created_at >= self._since:
            self._case_times[customer.pk].append(created_at)

    def recent_case_ages_days(self, customer: Customer | None, now: datetime) -> tuple[float, ...]:
        if customer is None or not customer.pk:
            return ()
        return tuple(
            (now - created).total_seconds() / 86400 for created in self._case_times[customer.pk]
        )

    def queue(self, slug: str) -> Queue:
        # A rule may name a queue deleted since: its cases go to the general queue.
        if self._queues is None:
            self._queues = {queue.slug: queue for queue in Queue.objects.all()}
        found = self._queues.get(slug) or self._queues.get("general")
        if found is None:
            raise Queue.DoesNotExist("no queue 'general'")
        return found

    def user(self, username: str) -> User | None:
        if username not in self._users:
            self._users[username] = User.objects.filter(username=username, is_active=True).first()
        return self._users[username]


def mention_facts(
    mention: Mention,
    *,
    customer: Customer | None,
    account,
    now: datetime,
    batch: TriageBatch,
    index: TextIndex | None = None,
) -> MentionFacts:
    author = mention.author
    normalized = index.normalized if index is not None else None
    return MentionFacts(
        text=mention.text,
        language=detect_language(mention.text, mention.lang, normalized=normalized),
        account_handle=getattr(account, "handle", "") or "",
        followers=author.followers if author else None,
        verified=bool(author and author.verified),
        recent_case_ages_days=batch.recent_case_ages_days(customer, now),
    )


def triage(
    mention: Mention, *, customer: Customer | None, account, now: datetime, batch: TriageBatch
) -> TriageDecision:
    """Route and prioritise a new mention with the supervisors' rules."""
    # The text is normalised once: language, rules, priority and the incident key
    # all read this index.
    index = TextIndex(mention.text)
    facts = mention_facts(
        mention, customer=customer, account=account, now=now, batch=batch, index=index
    )
    decision = evaluate(active_rules(), facts, index=index)
    assignee = batch.user(decision.assignee) if decision.assignee else None
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
        queue=batch.queue(decision.queue),
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
