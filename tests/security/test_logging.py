"""Structured logs (helpdesk.logging): the case reference and the account on every line
that concerns them, in key=value or JSON; and no secret in any line, even from a
library logging at DEBUG."""

from __future__ import annotations

import json
import logging

import pytest

from cases import sla_services
from cases.mention import Author, Mention
from cases.services import case_reply, intake
from helpdesk.logging import ContextFilter, JsonFormatter, KeyValueFormatter, log_context
from social_ingest import tasks
from tests.social_ingest.conftest import account, fake_x, rsps, x_settings  # noqa: F401
from tests.social_ingest.fakex import UNAUTHORIZED, Failure

pytestmark = pytest.mark.django_db


def _record(msg="something happened", level=logging.WARNING) -> logging.LogRecord:
    record = logging.LogRecord("cases.services", level, __file__, 1, msg, (), None)
    ContextFilter().filter(record)
    return record


def test_a_line_inside_a_context_carries_case_and_account():
    with log_context(case="C-2026-000042", account="SadaMinistry"):
        record = _record("reply failed: duplicate")
    line = KeyValueFormatter().format(record)
    assert "case=C-2026-000042 account=SadaMinistry" in line
    assert 'msg="reply failed: duplicate"' in line and "level=WARNING" in line
    data = json.loads(JsonFormatter().format(record))
    assert data["case"] == "C-2026-000042" and data["account"] == "SadaMinistry"
    assert data["msg"] == "reply failed: duplicate" and data["logger"] == "cases.services"


def test_contexts_nest_and_end_with_their_block():
    with log_context(account="SadaMinistry"):
        with log_context(case="C-2026-000001"):
            inner = _record()
        outer = _record()
    after = _record()
    assert (inner.case, inner.account) == ("C-2026-000001", "SadaMinistry")
    assert (outer.case, outer.account) == ("", "SadaMinistry")
    assert (after.case, after.account) == ("", "")
    assert "case=" not in KeyValueFormatter().format(after)


def test_a_lazy_value_is_looked_up_only_when_a_line_is_written():
    calls = []

    def lookup():
        calls.append(1)
        return "LazyAccount"

    with log_context(case="C-1", account=lookup):
        assert calls == []
        first, second = _record(), _record()
    assert first.account == second.account == "LazyAccount" and calls == [1]


def test_log_context_works_as_a_decorator():
    @log_context(case="C-7")
    def work():
        return _record()

    assert work().case == "C-7" and _record().case == ""


def test_the_configured_handler_has_the_filter_and_the_chosen_format(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["context"]
    assert settings.LOGGING["filters"]["context"]["()"] == "helpdesk.logging.ContextFilter"
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"].startswith(
        "helpdesk.logging."
    )
    console = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h.formatter, KeyValueFormatter | JsonFormatter)
    ]
    assert console and any(isinstance(f, ContextFilter) for f in console[0].filters)


def _lines(caplog) -> list[str]:
    """Captured records as the production handler writes them."""
    formatter = KeyValueFormatter()
    out = []
    for record in caplog.records:
        ContextFilter().filter(record)
        out.append(formatter.format(record))
    return out


@pytest.fixture
def case(account):  # noqa: F811
    mention = Mention(
        platform="x",
        external_id="1929473068234027715",
        text="@SadaMinistry my permit renewal is stuck",
        author=Author(external_id="1353829371620040705", handle="mariadev", name="María"),
        conversation_id="1929473068234027715",
    )
    return intake(mention, account=account).case


def test_a_reply_delivery_failure_logs_the_case_and_the_account(fake_x, case, agent, caplog):  # noqa: F811
    fake_x.fail("post", Failure(401, UNAUTHORIZED))
    message = case_reply(case=case, author=agent, text="We are checking your permit now.")
    with caplog.at_level(logging.INFO):
        assert tasks.deliver_reply(message.pk) == "failed"
    failures = [r for r in caplog.records if "cannot post replies" in r.getMessage()]
    assert failures, [r.getMessage() for r in caplog.records]
    lines = [line for line in _lines(caplog) if "cannot post replies" in line]
    assert f"case={case.reference} account=SadaMinistry" in lines[0]


def test_an_escalation_logs_the_case_and_the_account(case, supervisor, caplog):
    with caplog.at_level(logging.INFO, logger="cases.sla_services"):
        sla_services.case_escalate(case=case, actor=supervisor, reason="stuck for two days")
    lines = [line for line in _lines(caplog) if "escalated by hand" in line]
    assert lines and f"case={case.reference} account=SadaMinistry" in lines[0]


def test_a_web_request_about_a_case_logs_with_its_case(client, supervisor, case, caplog):
    client.force_login(supervisor)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        # A refused change (409/400) is logged by Django as a warning: with the case.
        client.post(f"/cases/{case.reference}/priority/", {"version": 0, "priority": "P9"})
    lines = [line for line in _lines(caplog) if "django.request" in line]
    assert lines and f"case={case.reference} account=SadaMinistry" in lines[0]


def test_secrets_never_reach_the_logs_of_a_failing_x_call(fake_x, case, agent, caplog, settings):  # noqa: F811
    settings.X_CONSUMER_KEY = "ck-consumer-key-123456"
    settings.X_CONSUMER_SECRET = "cs-consumer-secret-abcdef"
    settings.X_ACCESS_TOKEN = "1499883121432117253-access-token-xyz"
    settings.X_ACCESS_TOKEN_SECRET = "ats-access-secret-987654"
    settings.X_BEARER_TOKEN = "AAAAbearer-token-000111"
    settings.SECRET_KEY = "django-secret-key-for-this-test-only"
    secrets = [
        settings.X_CONSUMER_KEY,
        settings.X_CONSUMER_SECRET,
        settings.X_ACCESS_TOKEN,
        settings.X_ACCESS_TOKEN_SECRET,
        settings.X_BEARER_TOKEN,
        settings.SECRET_KEY,
    ]
    fake_x.fail("post", Failure(401, UNAUTHORIZED))
    message = case_reply(case=case, author=agent, text="We are checking your permit now.")
    with caplog.at_level(logging.DEBUG):
        tasks.deliver_reply(message.pk)
        # A careless line that names a secret is scrubbed by the formatter.
        logging.getLogger("cases.services").warning(
            "signing with %s and %s", settings.X_ACCESS_TOKEN, settings.SECRET_KEY
        )
    assert len(caplog.records) > 3  # requests, tweepy and Sada's own lines were captured
    raw = caplog.text
    assert sum(secret in raw for secret in secrets) == 2  # only the careless line itself
    for line in _lines(caplog):
        for secret in secrets:
            assert secret not in line, line
    assert "[secret]" in _lines(caplog)[-1]
    json_line = JsonFormatter().format(caplog.records[-1])
    assert all(secret not in json_line for secret in secrets)


def test_an_api_key_is_not_logged_when_it_is_refused(client, caplog):
    raw = "sada_" + "k" * 40
    with caplog.at_level(logging.DEBUG):
        response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert raw not in caplog.text
