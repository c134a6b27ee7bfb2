"""The end state every fault scenario must reach, whatever was killed or restarted.

`assert_invariants` reads the database (any alias: the private PostgreSQL of the
restart test too) and, when given, the fake X, and checks:

- every mention served (by X's mentions pages, a webhook, ...) is exactly one
  raw event and exactly one inbound message, and nothing else came in;
- every case has exactly one `created` event, and every inbound message its
  `message_received` event (or is the message the case was created from);
- no escalation level fired twice on a (case, target, round), no SLA warning or
  breach was recorded twice, no one was notified twice of one escalation;
- X received each reply once: one post per outbound message, each delivered
  message carries the id of a tweet that exists, and no tweet of ours is orphan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from cases.models import Case, CaseEvent, Message
from cases.models_sla import Escalation, Notification
from social_ingest.models import InboundEvent


@dataclass
class Totals:
    """What the scenario ended with, for its own assertions and the report."""

    mentions: int
    cases: int
    escalations: int
    warnings: int
    breaches: int
    replies_sent: int


def _dupes(values) -> dict:
    return {k: n for k, n in Counter(values).items() if n > 1}


def assert_invariants(
    *,
    served: set[str] | None,
    fake=None,
    using: str = "default",
    replies_delivered: bool = True,
) -> Totals:
    """Check the invariants; `served` None skips the "exactly these mentions" check
    (e.g. a scenario with no mentions); `fake` (a FakeX) checks replies against X."""
    inbound = list(
        Message.objects.using(using)
        .filter(direction=Message.Direction.INBOUND)
        .values_list("platform_id", flat=True)
    )
    assert not _dupes(inbound), f"a mention stored twice as a message: {_dupes(inbound)}"
    raw = list(InboundEvent.objects.using(using).values_list("external_id", flat=True))
    assert not _dupes(raw), f"a raw event stored twice: {_dupes(raw)}"
    if served is not None:
        missing = set(served) - set(inbound)
        assert not missing, f"{len(missing)} served mention(s) never became a message"
        extra = set(inbound) - set(served)
        assert not extra, f"{len(extra)} message(s) for mentions nobody served"
        assert set(raw) == set(served), "raw events differ from the mentions served"

    events = CaseEvent.objects.using(using)
    created = Counter(events.filter(kind="created").values_list("case_id", flat=True))
    case_ids = set(Case.objects.using(using).values_list("id", flat=True))
    assert set(created) == case_ids, "a case without its `created` event"
    assert not _dupes(created.elements()), "a case created twice"
    received = Counter(
        events.filter(kind="message_received").values_list("data__platform_id", flat=True)
    )
    assert not _dupes(received.elements()), "a message_received event written twice"

    escalated = [
        (e.case_id, e.data.get("target"), e.data.get("level"), e.data.get("escalation_id"))
        for e in events.filter(kind="escalated")
    ]
    assert not _dupes(e[3] for e in escalated), "one escalation announced twice"
    levels = list(
        Escalation.objects.using(using).values_list("case_id", "target", "round", "level")
    )
    assert not _dupes(levels), f"a level escalated twice: {_dupes(levels)}"
    assert len(escalated) == len(levels), "an escalation without its event, or the reverse"
    for kind in ("sla_warning", "sla_breached"):
        marks = [
            (e.case_id, e.data.get("target"), e.data.get("round")) for e in events.filter(kind=kind)
        ]
        assert not _dupes(marks), f"{kind} recorded twice: {_dupes(marks)}"
    notified = list(
        Notification.objects.using(using)
        .filter(escalation__isnull=False)
        .values_list("user_id", "escalation_id")
    )
    assert not _dupes(notified), "someone notified twice of one escalation"

    outbound = list(Message.objects.using(using).filter(direction=Message.Direction.OUTBOUND))
    sent = [m for m in outbound if m.delivery == Message.Delivery.SENT]
    assert not _dupes(m.platform_id for m in sent), "two replies claim one tweet"
    delivered_events = Counter(
        events.filter(kind="reply_delivered").values_list("data__message_id", flat=True)
    )
    assert not _dupes(delivered_events.elements()), "a reply marked delivered twice"
    assert set(delivered_events) == {m.pk for m in sent}
    if fake is not None:
        posts = Counter(
            ((p.get("reply") or {}).get("in_reply_to_tweet_id"), p.get("text")) for p in fake.posts
        )
        assert not _dupes(posts.elements()), f"X received a reply twice: {_dupes(posts)}"
        assert {m.platform_id for m in sent} <= set(fake.own), "a reply id X never issued"
        if replies_delivered:
            assert all(m.delivery == Message.Delivery.SENT for m in outbound), [
                (m.pk, m.delivery, m.delivery_error) for m in outbound
            ]
            assert {m.platform_id for m in sent} == set(fake.own), "a tweet of ours is orphan"
            assert len(fake.posts) == len(outbound)
    return Totals(
        mentions=len(inbound),
        cases=len(case_ids),
        escalations=len(levels),
        warnings=events.filter(kind="sla_warning").count(),
        breaches=events.filter(kind="sla_breached").count(),
        replies_sent=len(sent),
    )
