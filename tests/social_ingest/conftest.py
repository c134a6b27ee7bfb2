"""Fixtures of the X connector tests: credentials, the organisation account, and X
replayed at the HTTP boundary (the `responses` library), so tweepy really runs."""

import json

import pytest
import responses

from social_ingest.models import SocialAccount
from tests.conftest import fixture_path
from tests.factories import ACCOUNT_ID
from tests.social_ingest.fakex import FakeX

BASE = "https://api.x.test"


@pytest.fixture
def x_settings(settings):
    settings.X_API_BASE_URL = BASE
    settings.X_CONSUMER_KEY = "ck-test"
    settings.X_CONSUMER_SECRET = "cs-test"
    settings.X_ACCESS_TOKEN = f"{ACCOUNT_ID}-at-test"
    settings.X_ACCESS_TOKEN_SECRET = "ats-test"
    settings.X_BEARER_TOKEN = ""
    settings.X_POLL_OVERLAP_SECONDS = 300
    return settings


@pytest.fixture
def account(db) -> SocialAccount:
    return SocialAccount.objects.create(
        platform="x", handle="SadaMinistry", external_id=ACCOUNT_ID, display_name="Ministry"
    )


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake_x(x_settings, rsps) -> FakeX:
    fake = FakeX()
    fake.install(rsps, BASE)
    return fake


def recording(name: str) -> list[dict]:
    """The interactions of a decoded tweepy cassette (real X answers, 2021-2022)."""
    doc = json.loads(fixture_path("tweepy", "decoded", name).read_text())
    return doc["interactions"]


def example(name: str) -> dict:
    return json.loads(fixture_path("examples", name).read_text())


def mentions_url(user_id: str = ACCOUNT_ID) -> str:
    return f"{BASE}/2/users/{user_id}/mentions"
