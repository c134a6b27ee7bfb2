"""Outbound webhooks: queued with the change, signed, retried with backoff,
logged, and never sent to a private address (no SSRF). No network: the HTTP
call is mocked at the requests boundary (`responses`), DNS by a fake resolver."""

import hashlib
import hmac
import http.server
import json
import threading
import time
from datetime import timedelta

import pytest
import responses
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_q.models import OrmQ

from cases import webhooks
from cases.models_api import WebhookDelivery, WebhookSubscriber
from tests.cases.api.conftest import open_case as _open_case


def open_case(*args, **kw):
    """A case opened before the test's own emits: intake's own case.created
    delivery is dropped so each test counts only what it emits."""
    case = _open_case(*args, **kw)
    WebhookDelivery.objects.filter(case=case).delete()
    return case


pytestmark = pytest.mark.django_db

URL = "https://hooks.example.org/sada"


@pytest.fixture
def subscriber(public_dns):
    return WebhookSubscriber.objects.create(
        name="dashboard", url=URL, secret="s3cret", events=["case.created", "case.resolved"]
    )


def emitted(case, event="case.created"):
    deliveries = webhooks.emit(event, case)
    return deliveries


def test_emit_writes_a_delivery_per_interested_subscriber_and_queues_its_task(subscriber):
    WebhookSubscriber.objects.create(name="other", url=URL, events=["sla.breached"])
    WebhookSubscriber.objects.create(name="off", url=URL, events=["case.created"], is_active=False)
    case = open_case()
    tasks = OrmQ.objects.count()
    [delivery] = emitted(case)
    assert delivery.subscriber == subscriber and delivery.status == "pending"
    assert delivery.payload["event"] == "case.created"
    assert delivery.payload["id"] == str(delivery.uuid)
    assert delivery.payload["case"]["reference"] == case.reference
    assert delivery.payload["case"]["created_at"].endswith("Z")
    assert OrmQ.objects.count() == tasks + 1


def test_a_rolled_back_change_tells_nobody(subscriber):
    case = open_case()
    tasks, deliveries = OrmQ.objects.count(), WebhookDelivery.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        emitted(case)
        raise RuntimeError("the service failed after emitting")
    assert WebhookDelivery.objects.count() == deliveries and OrmQ.objects.count() == tasks


def test_unknown_event_is_a_programming_error(subscriber):
    with pytest.raises(ValueError):
        webhooks.emit("case.exploded", open_case())


@responses.activate
def test_delivery_is_signed_over_timestamp_and_body(subscriber):
    responses.post(URL, status=204)
    [delivery] = emitted(open_case())
    assert webhooks.deliver(delivery.pk) == "succeeded"
    [call] = responses.calls
    request = call.request
    timestamp = request.headers["X-Sada-Timestamp"]
    body = request.body if isinstance(request.body, bytes) else request.body.encode()
    expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert request.headers["X-Sada-Signature"] == f"sha256={expected}"
    assert request.headers["X-Sada-Event"] == "case.created"
    assert request.headers["X-Sada-Delivery"] == str(delivery.uuid)
    assert abs(int(timestamp) - time.time()) < 60
    assert json.loads(body)["case"]["reference"] == delivery.case.reference
    # What a receiver does: verify, and refuse a tampered body or an old timestamp.
    assert webhooks.verify("s3cret", timestamp, body, request.headers["X-Sada-Signature"])
    assert not webhooks.verify(
        "s3cret", timestamp, body + b" ", request.headers["X-Sada-Signature"]
    )
    assert not webhooks.verify("wrong", timestamp, body, request.headers["X-Sada-Signature"])
    old = str(int(timestamp) - 3600)
    assert not webhooks.verify("s3cret", old, body, webhooks.sign("s3cret", int(old), body))
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.response_status == 204
    assert delivery.attempts == 1 and delivery.delivered_at is not None


@responses.activate
def test_failures_are_retried_with_backoff_then_succeed(subscriber):
    responses.post(URL, status=503, body="busy")
    responses.post(URL, body=responses.ConnectionError("refused"))
    responses.post(URL, status=200)
    [delivery] = emitted(open_case())
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert webhooks.deliver(delivery.pk) == "retrying"
        delivery.refresh_from_db()
        assert delivery.attempts == 1 and delivery.response_status == 503
        assert delivery.error == "HTTP 503" and delivery.response_body == "busy"
        assert delivery.next_attempt_at == start + timedelta(seconds=webhooks.BACKOFF_SECONDS[0])
        # Not due yet: a second run (the broker redelivers, the sweep) sends nothing.
        assert webhooks.deliver(delivery.pk) == "not due"
        assert webhooks.deliver_due() == 0
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert webhooks.deliver_due() == 1
        assert webhooks.deliver(delivery.pk) == "retrying"
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and "ConnectionError" in delivery.error
    with time_machine.travel(start + timedelta(seconds=31 + 121), tick=False):
        assert webhooks.deliver(delivery.pk) == "succeeded"
    assert len(responses.calls) == 3
    # Done is done: running the task again sends nothing.
    assert webhooks.deliver(delivery.pk) == "done" and len(responses.calls) == 3


@responses.activate
def test_gives_up_after_the_last_backoff(subscriber):
    responses.post(URL, status=500)
    [delivery] = emitted(open_case())
    at = timezone.now()
    outcomes = []
    for wait in (0, *webhooks.BACKOFF_SECONDS):
        at += timedelta(seconds=wait)
        with time_machine.travel(at, tick=False):
            outcomes.append(webhooks.deliver(delivery.pk))
    assert outcomes == ["retrying"] * len(webhooks.BACKOFF_SECONDS) + ["failed"]
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == len(webhooks.BACKOFF_SECONDS) + 1


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
    ],
)
def test_private_addresses_are_refused_at_registration(public_dns, address):
    public_dns["hooks.example.org"] = address
    with pytest.raises(webhooks.UnsafeWebhookURL):
        webhooks.check_url(URL)
    subscriber = WebhookSubscriber(name="x", url=URL, events=["case.created"])
    with pytest.raises(ValidationError) as err:
        subscriber.full_clean()
    assert "url" in err.value.message_dict


def test_every_resolved_address_must_be_public(monkeypatch):
    import socket

    def two_answers(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr("cases.webhooks.socket.getaddrinfo", two_answers)
    with pytest.raises(webhooks.UnsafeWebhookURL) as err:
        webhooks.check_url(URL)
    assert err.value.context["addresses"] == ["10.0.0.7"]


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example.org/", "https://user:pw@hooks.example.org/", "https:///x"]
)
def test_only_plain_http_urls(public_dns, url):
    with pytest.raises(webhooks.UnsafeWebhookURL):
        webhooks.check_url(url)


def test_private_allowed_only_with_the_setting_and_the_flag(public_dns, settings):
    public_dns["hooks.example.org"] = "10.0.0.5"
    with pytest.raises(webhooks.UnsafeWebhookURL):
        webhooks.check_url(URL, allow_private=True)
    settings.SADA_WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(webhooks.UnsafeWebhookURL):
        webhooks.check_url(URL, allow_private=False)
    assert webhooks.check_url(URL, allow_private=True) == ["10.0.0.5"]


@responses.activate
def test_dns_that_turns_private_after_registration_is_refused_at_delivery(subscriber, public_dns):
    [delivery] = emitted(open_case())
    public_dns["hooks.example.org"] = "169.254.169.254"  # rebinding to cloud metadata
    assert webhooks.deliver(delivery.pk) == "failed"
    assert len(responses.calls) == 0
    delivery.refresh_from_db()
    assert "private" in delivery.error


class _Hook(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self):  # noqa: N802
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_connection_that_lands_on_a_private_address_is_refused(monkeypatch):
    """DNS rebinding between the check and the connect: the resolver says public to
    the check, then loopback to the connection. The socket's real peer is checked."""
    import socket

    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    answers = iter(["93.184.216.34"])

    def rebinding(host, p, *args, **kwargs):
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, p))]

    monkeypatch.setattr("cases.webhooks.socket.getaddrinfo", rebinding)
    subscriber = WebhookSubscriber.objects.create(
        name="rebind", url=f"http://rebind.example.org:{port}/", events=["case.created"]
    )
    try:
        [delivery] = webhooks.emit("case.created", open_case())
        assert webhooks.deliver(delivery.pk) == "failed"
        assert _Hook.hits == 0
        delivery.refresh_from_db()
        assert "connection time" in delivery.error and delivery.subscriber == subscriber
    finally:
        server.shutdown()


def test_services_emit_their_events(subscriber, agent):
    from cases import services

    subscriber.events = list(webhooks.WEBHOOK_EVENTS)
    subscriber.save()
    case = _open_case()
    services.case_assign(case=case, assignee=agent, actor=agent)
    services.case_resolve(case=case, actor=agent)
    emitted_events = list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))
    assert emitted_events[0] == "case.created"
    assert "case.assigned" in emitted_events and "case.resolved" in emitted_events
