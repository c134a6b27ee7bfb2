"""social_ingest.clients: real tweepy code against recorded X answers (`responses`)."""

import json
from datetime import UTC, datetime

import pytest
import requests
from responses import matchers

from social_ingest import clients
from social_ingest.exceptions import (
    XForbidden,
    XNotConfigured,
    XRateLimited,
    XRejected,
    XUnauthorized,
    XUnavailable,
    XUsageCapped,
)
from tests.factories import ACCOUNT_ID
from tests.social_ingest.conftest import BASE, example, mentions_url, recording
from tests.social_ingest.fakex import DUPLICATE, TOO_MANY, USAGE_CAPPED


def client() -> clients.XClient:
    return clients.XClient(clients.credentials_for(""))


def add_recorded(rsps, interaction, url):
    response = interaction["response"]
    rsps.add(
        interaction["request"]["method"],
        url,
        json=response["json"],
        status=response["status"]["code"],
        headers={k: v for k, v in response["headers"].items() if k != "content-type"},
    )


def test_get_me_replays_the_recording_through_the_configured_base_url(x_settings, rsps):
    [interaction] = recording("test_client_get_me.json")
    add_recorded(rsps, interaction, f"{BASE}/2/users/me")
    x = client()
    me = x.get_me()
    assert me["data"] == {
        "id": "1072250532645998596",
        "name": "Tweepy Testing",
        "username": "TweepyDev",
    }
    sent = rsps.calls[0].request
    assert sent.url.startswith(f"{BASE}/2/users/me")  # not tweepy's api.twitter.com
    assert sent.headers["Authorization"].startswith("OAuth ")  # user context, OAuth 1.0a
    assert x.rate_limit == clients.RateLimit(
        limit=75, remaining=74, reset_at=datetime.fromtimestamp(1641543656, tz=UTC)
    )


def test_every_request_carries_the_configured_timeout(x_settings, rsps):
    x_settings.X_HTTP_TIMEOUT = 3.5
    rsps.add("GET", f"{BASE}/2/users/me", json={"data": {"id": "1", "username": "a"}})
    client().get_me()
    assert rsps.calls[0].request.req_kwargs["timeout"] == 3.5


def test_mentions_ask_for_the_fields_and_expansions_the_pipeline_needs(x_settings, rsps):
    [interaction] = recording("test_client_get_users_mentions.json")
    add_recorded(rsps, interaction, mentions_url())
    page = client().get_mentions(ACCOUNT_ID, since_id="123", pagination_token="abc")
    assert len(page["data"]) == 10 and page["meta"]["next_token"]
    query = rsps.calls[0].request.params
    assert query["since_id"] == "123" and query["pagination_token"] == "abc"
    assert query["max_results"] == "100"
    assert set(query["expansions"].split(",")) == {
        "author_id",
        "referenced_tweets.id",
        "in_reply_to_user_id",
    }
    fields = set(query["tweet.fields"].split(","))
    assert {
        "created_at",
        "conversation_id",
        "referenced_tweets",
        "edit_history_tweet_ids",
    } <= fields
    assert {"withheld", "entities", "lang", "in_reply_to_user_id"} <= fields
    assert set(query["user.fields"].split(",")) >= {
        "username",
        "name",
        "verified",
        "public_metrics",
    }
    assert rsps.calls[0].request.headers["Authorization"].startswith("OAuth ")


def test_create_reply_sends_what_tweepy_sends_and_returns_the_new_tweet(x_settings, rsps):
    ex = example("create_tweet_reply_example.json")
    rsps.add(
        "POST",
        f"{BASE}/2/tweets",
        json=ex["response"]["json"],
        status=201,
        match=[matchers.json_params_matcher(ex["request"]["json"])],
    )
    data = client().create_reply(
        text=ex["request"]["json"]["text"], in_reply_to_tweet_id="1929473068234027715"
    )
    assert data["id"] == "1929474120845938690"


def test_create_tweet_recording_201_is_read(x_settings, rsps):
    post = recording("test_client_create_and_delete_tweet.json")[0]
    add_recorded(rsps, post, f"{BASE}/2/tweets")
    assert client().create_reply(text="Test Tweet", in_reply_to_tweet_id="1")["id"] == (
        "1456012973835788293"
    )


@pytest.mark.parametrize(
    ("status", "body", "headers", "error", "kind"),
    [
        (429, TOO_MANY, {"x-rate-limit-reset": "1900000000"}, XRateLimited, "rate_limited"),
        (429, USAGE_CAPPED, {"x-rate-limit-reset": "1900000000"}, XUsageCapped, "usage_capped"),
        (
            401,
            {"title": "Unauthorized", "detail": "Unauthorized", "status": 401},
            {},
            XUnauthorized,
            "unauthorized",
        ),
        (403, DUPLICATE, {}, XForbidden, "forbidden"),
        (
            400,
            {"errors": [{"message": "Invalid since_id"}], "title": "Invalid Request"},
            {},
            XRejected,
            "rejected",
        ),
        (
            503,
            {"title": "Service Unavailable", "detail": "Service Unavailable"},
            {},
            XUnavailable,
            "unavailable",
        ),
        (500, "<html>Internal error</html>", {}, XUnavailable, "unavailable"),
        (502, [1, 2], {}, XUnavailable, "unavailable"),  # a body tweepy cannot read
    ],
)
def test_error_statuses_become_sada_errors_with_x_message(
    x_settings, rsps, status, body, headers, error, kind
):
    rsps.add(
        "GET",
        mentions_url(),
        status=status,
        headers={"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0", **headers},
        **({"body": body} if isinstance(body, str) else {"json": body}),
    )
    with pytest.raises(error) as caught:
        client().get_mentions(ACCOUNT_ID)
    assert caught.value.kind == kind and caught.value.status == status
    assert str(status) in caught.value.message
    if isinstance(body, dict) and body.get("detail"):
        assert body["detail"] in caught.value.message
    if error in (XRateLimited, XUsageCapped):
        assert caught.value.reset_at == datetime.fromtimestamp(1900000000, tz=UTC)


def test_a_duplicate_403_is_recognised(x_settings, rsps):
    rsps.add("POST", f"{BASE}/2/tweets", status=403, json=DUPLICATE)
    with pytest.raises(XForbidden) as caught:
        client().create_reply(text="same", in_reply_to_tweet_id="1")
    assert caught.value.is_duplicate
    assert caught.value.detail == DUPLICATE["detail"]


def test_429_without_reset_header_has_no_reset_time(x_settings, rsps):
    rsps.add("GET", mentions_url(), status=429, json=TOO_MANY)
    with pytest.raises(XRateLimited) as caught:
        client().get_mentions(ACCOUNT_ID)
    assert caught.value.reset_at is None


@pytest.mark.parametrize(
    ("exc", "maybe_applied"),
    [
        (requests.ReadTimeout("Read timed out."), True),
        (requests.ConnectTimeout("connect timeout"), False),
        (requests.ConnectionError("Connection aborted"), True),
    ],
)
def test_timeouts_and_dropped_connections_are_unavailable(x_settings, rsps, exc, maybe_applied):
    rsps.add("POST", f"{BASE}/2/tweets", body=exc)
    with pytest.raises(XUnavailable) as caught:
        client().create_reply(text="hi", in_reply_to_tweet_id="1")
    assert caught.value.maybe_applied is maybe_applied


def test_a_200_that_is_not_json_is_unavailable(x_settings, rsps):
    rsps.add("GET", mentions_url(), body="<html>maintenance</html>", status=200)
    with pytest.raises(XUnavailable):
        client().get_mentions(ACCOUNT_ID)


def test_a_201_without_a_tweet_id_is_not_taken_for_success(x_settings, rsps):
    rsps.add("POST", f"{BASE}/2/tweets", status=201, json={"data": {}})
    with pytest.raises(XUnavailable) as caught:
        client().create_reply(text="hi", in_reply_to_tweet_id="1")
    assert caught.value.maybe_applied


def test_no_credentials_is_not_configured(settings):
    for name in ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_BEARER_TOKEN"):
        setattr(settings, name, "")
    with pytest.raises(XNotConfigured):
        clients.XClient(clients.credentials_for(""))


def test_bearer_token_alone_reads_but_cannot_post(settings, rsps):
    settings.X_API_BASE_URL = BASE
    for name in ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"):
        setattr(settings, name, "")
    settings.X_BEARER_TOKEN = "app-bearer"
    rsps.add("GET", mentions_url(), json={"meta": {"result_count": 0}})
    x = clients.XClient(clients.credentials_for(""))
    assert x.get_mentions(ACCOUNT_ID) == {"meta": {"result_count": 0}}
    assert rsps.calls[0].request.headers["Authorization"] == "Bearer app-bearer"
    with pytest.raises(XNotConfigured):
        x.create_reply(text="hi", in_reply_to_tweet_id="1")


def test_an_account_can_have_its_own_credentials_in_the_environment(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("X_MOH_CONSUMER_KEY", "ck-moh")
    monkeypatch.setenv("X_MOH_CONSUMER_SECRET_FILE", str(secret_file))
    monkeypatch.setenv("X_MOH_ACCESS_TOKEN", "1-at")
    monkeypatch.setenv("X_MOH_ACCESS_TOKEN_SECRET", "ats")
    creds = clients.credentials_for("X_MOH")
    assert creds.consumer_key == "ck-moh" and creds.consumer_secret == "from-file"
    assert creds.user_context


def test_wait_on_rate_limit_is_off_and_raw_json_is_returned(x_settings):
    x = client()
    assert x.api.wait_on_rate_limit is False
    assert x.api.return_type is dict
    assert isinstance(x.api.session, clients.XSession)


def test_the_own_timeline_lookup_asks_for_reply_references(x_settings, rsps):
    rsps.add("GET", f"{BASE}/2/users/{ACCOUNT_ID}/tweets", json={"meta": {"result_count": 0}})
    client().get_own_tweets(ACCOUNT_ID, since_id="99")
    params = rsps.calls[0].request.params
    assert "referenced_tweets" in params["tweet.fields"] and params["since_id"] == "99"


def test_the_example_mentions_page_is_returned_verbatim(x_settings, rsps):
    body = example("mentions_response_example.json")["response"]
    rsps.add("GET", mentions_url(), json=body)
    assert client().get_mentions(ACCOUNT_ID) == json.loads(json.dumps(body))
