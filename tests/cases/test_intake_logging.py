"""Intake log lines say which case and which account they are about."""

import logging

import pytest

from cases import intake as case_intake
from cases.models import Case
from helpdesk.logging import ContextFilter
from social_ingest.models import InboundEvent, SocialAccount
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet


@pytest.fixture
def account(db):
    return SocialAccount.objects.create(handle="SadaMinistry", external_id="1700000000000000001")


@pytest.fixture
def lines(caplog):
    """Captured records with the production handler's filter (case/account set)."""
    caplog.handler.addFilter(ContextFilter())
    caplog.set_level(logging.INFO)
    yield caplog
    caplog.handler.filters.clear()


def test_an_intake_failure_on_a_case_logs_its_reference_and_account(account, lines, monkeypatch):
    pages_ingest(parse_document(page(tweet("801", author_id="9"))), account=account, source="poll")
    case = Case.objects.get()

    def exploding(*args, **kwargs):
        raise RuntimeError("sla maths exploded")

    monkeypatch.setattr(case_intake.sla_services, "sla_customer_message", exploding)
    reply = page(tweet("802", author_id="9", replied_to="801", conversation_id="801"))
    summary = pages_ingest(parse_document(reply), account=account, source="poll")

    assert summary["rejected"] == 1
    assert InboundEvent.objects.get(external_id="802").reason == "intake_failed"
    failed = [r for r in lines.records if "intake failed for poll item 802" in r.getMessage()]
    assert len(failed) == 1
    assert failed[0].case == case.reference
    assert failed[0].account == "SadaMinistry"
    # The page-level line before the one-by-one retry names the account too.
    page_line = [r for r in lines.records if "page failed" in r.getMessage()]
    assert page_line and page_line[0].account == "SadaMinistry"


def test_a_failure_opening_a_new_case_names_no_reference_a_rollback_would_reuse(
    account, lines, monkeypatch
):
    def exploding(*args, **kwargs):
        raise RuntimeError("rule engine exploded")

    monkeypatch.setattr(case_intake, "triage", exploding)
    pages_ingest(parse_document(page(tweet("901", author_id="9"))), account=account, source="poll")

    failed = [r for r in lines.records if "intake failed for poll item 901" in r.getMessage()]
    assert len(failed) == 1
    assert failed[0].case == ""
    assert failed[0].account == "SadaMinistry"
    assert not Case.objects.exists()


def test_a_rule_that_cannot_assign_logs_the_new_case(account, lines, monkeypatch):
    from cases.exceptions import InvalidInput

    def refusing(**kwargs):
        raise InvalidInput("not in the queue")

    real_triage = case_intake.triage

    def with_assignee(mention, **kwargs):
        decision = real_triage(mention, **kwargs)
        return case_intake.TriageDecision(
            **{**decision.__dict__, "assignee": account}  # any object: assignment refused
        )

    monkeypatch.setattr(case_intake, "triage", with_assignee)
    monkeypatch.setattr("cases.services.case_assign", refusing)
    pages_ingest(parse_document(page(tweet("701", author_id="9"))), account=account, source="poll")

    case = Case.objects.get()
    refused = [r for r in lines.records if "cannot assign" in r.getMessage()]
    assert len(refused) == 1
    assert refused[0].case == case.reference
    assert refused[0].account == "SadaMinistry"
