"""Helpers of the API tests: cases made the real way (a tweet through intake),
API keys, and clients for each persona."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Queue
from cases.models_api import ApiKey
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet


def open_case(tweet_id: str = "9001", *, queue: str = "", **kw) -> Case:
    """A case opened by intake from one tweet; moved to `queue` through the service."""
    kw.setdefault("author_id", str(500 + int(tweet_id) % 1000))
    pages_ingest(parse_document(page(tweet(tweet_id, **kw))), account=None, source="replay")
    case = Case.objects.get(messages__platform_id=tweet_id)
    if queue and case.queue.slug != queue:
        case = services.case_change_queue(
            case=case, queue=Queue.objects.get(slug=queue), actor=None
        )
    return case


def make_key(*, scopes=("read", "act"), queue: str = "", created_by=None, **fields):
    key = ApiKey(name="test", scopes=list(scopes), created_by=created_by, **fields)
    if queue:
        key.queue = Queue.objects.get(slug=queue)
    raw = key.set_new_key()
    key.save()
    return key, raw


def key_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def session_client(user) -> APIClient:
    """A signed-in browser (CSRF is checked in its own test)."""
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def agent_api(agent) -> APIClient:
    return session_client(agent)


@pytest.fixture
def other_agent_api(other_agent) -> APIClient:
    return session_client(other_agent)


@pytest.fixture
def supervisor_api(supervisor) -> APIClient:
    return session_client(supervisor)


@pytest.fixture
def public_dns(monkeypatch):
    """Webhook hosts resolve to a public address; no real DNS lookup happens."""
    answers = {}

    def fake_getaddrinfo(host, port, *args, **kwargs):
        address = answers.get(host, "93.184.216.34")
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr("cases.webhooks.socket.getaddrinfo", fake_getaddrinfo)
    return answers
