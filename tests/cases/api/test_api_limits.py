"""Body size (413) and request rates (429)."""

import io
import json

import pytest

from cases.api.exceptions import PayloadTooLarge
from cases.api.parsers import LimitedJSONParser
from cases.api.throttling import ApiKeyRateThrottle, ApiUserRateThrottle
from tests.cases.api.conftest import key_client, make_key, open_case

pytestmark = pytest.mark.django_db


def test_a_body_over_the_limit_is_a_413_before_anything_happens(agent_api, settings):
    case = open_case()
    big = {"text": "x" * (settings.SADA_API_MAX_BODY_BYTES + 1)}
    response = agent_api.post(f"/api/v1/cases/{case.reference}/note/", big, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not case.messages.filter(direction="note").exists()


def test_the_limit_holds_without_content_length(settings):
    """A chunked body has no Content-Length: the parser stops reading at the limit."""
    settings.SADA_API_MAX_BODY_BYTES = 100
    body = json.dumps({"text": "y" * 200}).encode()
    with pytest.raises(PayloadTooLarge):
        LimitedJSONParser().parse(io.BytesIO(body), "application/json", {})
    assert LimitedJSONParser().parse(io.BytesIO(b'{"a": 1}'), "application/json", {}) == {"a": 1}


def test_a_413_for_anonymous_callers_too(anon, settings):
    response = anon.post(
        "/api/v1/cases/take-next/",
        "{}" + " " * (settings.SADA_API_MAX_BODY_BYTES + 10),
        content_type="application/json",
    )
    assert response.status_code == 413


def test_throttled_per_key(monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "3/min"})
    _k, one = make_key()
    _k, two = make_key()
    first = key_client(one)
    for _ in range(3):
        assert first.get("/api/v1/queues/").status_code == 200
    response = first.get("/api/v1/queues/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and response.json()["retry_after"] > 0
    assert int(response["Retry-After"]) > 0
    assert key_client(two).get("/api/v1/queues/").status_code == 200


def test_throttled_per_user(monkeypatch, agent_api, supervisor_api):
    monkeypatch.setattr(ApiUserRateThrottle, "THROTTLE_RATES", {"api_user": "2/min"})
    assert agent_api.get("/api/v1/queues/").status_code == 200
    assert agent_api.get("/api/v1/queues/").status_code == 200
    assert agent_api.get("/api/v1/queues/").status_code == 429
    assert supervisor_api.get("/api/v1/queues/").status_code == 200
