"""One rule for a customer's message joining a case: intake's pages and the public
follow-up (`case_customer_message`) share `customer_message_effects`."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from cases.intake import case_customer_message, customer_message_effects
from cases.models import Case, CaseEvent, Message
from social_ingest.models import SocialAccount
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday: a working day in Riyadh
SLA_FIELDS = (
    "status", "resolved_at", "last_customer_message_at", "resolution_running_since",
    "resolution_due", "resolution_warn_at", "next_response_due", "sla_check_at",
)  # fmt: skip


@pytest.fixture
def two_cases(db):
    """Two cases opened alike by two customers an hour ago."""
    account = SocialAccount.objects.create(handle="SadaMinistry")
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        doc = page(tweet("601", author_id="61"), tweet("602", author_id="62"))
        pages_ingest(parse_document(doc), account=account, source="poll")
    return (
        account,
        Case.objects.get(messages__platform_id="601"),
        Case.objects.get(messages__platform_id="602"),
    )


@pytest.mark.parametrize(
    ("status", "kinds"),
    [
        ("pending", ["message_received", "status_changed"]),
        ("resolved", ["message_received", "reopened"]),
        ("open", ["message_received"]),
    ],
)
def test_effects_open_a_waiting_case_and_name_the_events(two_cases, status, kinds):
    _account, case, _other = two_cases
    case.status, case.resolved_at = status, (NOW if status == "resolved" else None)
    version = case.version
    fields, events = customer_message_effects(case, written=NOW, platform_id="9", now=NOW)
    assert case.status == "open" and case.resolved_at is None
    assert case.last_customer_message_at == NOW and case.version == version + 1
    assert [e.kind for e in events] == kinds
    assert all(e.pk is None for e in events)  # nothing written
    assert {"updated_at", "version", "last_customer_message_at"} <= fields
    assert ("status" in fields) == (status != "open")


def test_an_edit_moves_neither_status_nor_clocks(two_cases):
    _account, case, _other = two_cases
    case.status = "pending"
    before = case.last_customer_message_at
    fields, events = customer_message_effects(
        case, written=NOW, platform_id="9", edit_of="601", now=NOW
    )
    assert case.status == "pending" and case.last_customer_message_at == before
    assert fields == {"updated_at", "version"}
    assert [(e.kind, e.data["edit_of"]) for e in events] == [("message_received", "601")]


def test_a_web_followup_and_a_posted_reply_change_a_resolved_case_alike(two_cases):
    account, web, posted = two_cases
    Case.objects.filter(pk__in=[web.pk, posted.pk]).update(
        status="resolved", resolved_at=NOW - timedelta(minutes=30)
    )
    with time_machine.travel(NOW, tick=False):
        web = Case.objects.select_for_update().get(pk=web.pk)
        message = case_customer_message(case=web, text="still broken", channel="web", now=NOW)
        reply = page(
            tweet("603", author_id="62", replied_to="602", conversation_id="602", created_at=NOW)
        )
        pages_ingest(parse_document(reply), account=account, source="poll")
    web, posted = Case.objects.get(pk=web.pk), Case.objects.get(pk=posted.pk)
    assert [getattr(web, f) for f in SLA_FIELDS] == [getattr(posted, f) for f in SLA_FIELDS]
    assert web.status == "open" and web.version == posted.version

    def latest(case):
        return list(
            CaseEvent.objects.filter(case=case, created_at__gte=NOW)
            .order_by("pk")
            .values_list("kind", flat=True)
        )

    assert latest(web) == latest(posted) == ["message_received", "reopened"]
    received = CaseEvent.objects.get(case=web, kind="message_received", created_at__gte=NOW)
    assert received.data == {"message_id": message.pk, "platform_id": "", "edit_of": ""}
    stored = Message.objects.get(pk=message.pk)
    assert (stored.channel, stored.direction, stored.text) == (
        "web",
        Message.Direction.INBOUND,
        "still broken",
    )
