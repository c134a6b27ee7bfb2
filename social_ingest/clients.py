"""The only module that talks to X over the network.

A thin layer over tweepy's v2 `Client`:

- user-context OAuth 1.0a (the organisation account's own mentions and replies),
  with the app's bearer token as a read-only fallback;
- `return_type=dict`: the raw JSON is what gets stored;
- `wait_on_rate_limit=False`: tweepy would otherwise sleep inside a worker, and
  without bound when the reset header is missing;
- every request has a timeout and goes to `settings.X_API_BASE_URL` (tweepy 4.17
  hard-codes `https://api.twitter.com`), so a local fake X can stand in;
- tweepy's and requests' exceptions become the small `exceptions.X*` family,
  carrying X's own message.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import tweepy
from django.conf import settings

from .exceptions import (
    XError,
    XForbidden,
    XNotConfigured,
    XRateLimited,
    XRejected,
    XUnauthorized,
    XUnavailable,
    XUsageCapped,
)

logger = logging.getLogger(__name__)

TWEEPY_HOST = "https://api.twitter.com"
MAX_RESULTS = 100  # X allows 5..100 per page

MENTION_PARAMS = {
    "expansions": ["author_id", "referenced_tweets.id", "in_reply_to_user_id"],
    "tweet_fields": [
        "author_id",
        "created_at",
        "conversation_id",
        "lang",
        "entities",
        "referenced_tweets",
        "in_reply_to_user_id",
        "public_metrics",
        "edit_history_tweet_ids",
        "withheld",
    ],
    "user_fields": ["username", "name", "verified", "public_metrics"],
}


@dataclass(frozen=True)
class Credentials:
    consumer_key: str = ""
    consumer_secret: str = ""
    access_token: str = ""
    access_token_secret: str = ""
    bearer_token: str = ""

    @property
    def user_context(self) -> bool:
        return all(
            (self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret)
        )


@dataclass(frozen=True)
class RateLimit:
    limit: int | None
    remaining: int | None
    reset_at: datetime | None


def _env(name: str) -> str:
    """Like the settings' `env()`: `NAME_FILE` (a mounted secret) wins over `NAME`."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, "")


def credentials_for(prefix: str = "") -> Credentials:
    """The credentials of an account: the `X_*` settings, or for an account with its
    own `credentials_env` prefix (say `X_MOH`), `X_MOH_CONSUMER_KEY` and so on from
    the environment. Secrets are never stored in the database or the repository."""
    if not prefix or prefix == "X":
        return Credentials(
            consumer_key=settings.X_CONSUMER_KEY,
            consumer_secret=settings.X_CONSUMER_SECRET,
            access_token=settings.X_ACCESS_TOKEN,
            access_token_secret=settings.X_ACCESS_TOKEN_SECRET,
            bearer_token=settings.X_BEARER_TOKEN,
        )
    return Credentials(
        consumer_key=_env(f"{prefix}_CONSUMER_KEY"),
        consumer_secret=_env(f"{prefix}_CONSUMER_SECRET"),
        access_token=_env(f"{prefix}_ACCESS_TOKEN"),
        access_token_secret=_env(f"{prefix}_ACCESS_TOKEN_SECRET"),
        bearer_token=_env(f"{prefix}_BEARER_TOKEN"),
    )


class XSession(requests.Session):
    """tweepy's session, sent to `base_url` with a timeout on every request."""

    def __init__(self, base_url: str, timeout: float):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.last_response: requests.Response | None = None
        # The last rate-limit headers X sent (not every answer carries them).
        self.last_rate_limit: RateLimit | None = None

    def request(self, method, url, *args, **kwargs):
        # Rewritten before requests prepares the request, so the OAuth 1.0a
        # signature covers the URL actually called.
        if isinstance(url, str) and url.startswith(TWEEPY_HOST):
            url = self.base_url + url[len(TWEEPY_HOST) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        self.last_response = None
        response = super().request(method, url, *args, **kwargs)
        self.last_response = response
        self.last_rate_limit = rate_limit_of(response) or self.last_rate_limit
        return response


def _epoch(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _header_int(headers, name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


def rate_limit_of(response: requests.Response | None) -> RateLimit | None:
    if response is None or "x-rate-limit-remaining" not in response.headers:
        return None
    headers = response.headers
    return RateLimit(
        limit=_header_int(headers, "x-rate-limit-limit"),
        remaining=_header_int(headers, "x-rate-limit-remaining"),
        reset_at=_epoch(headers.get("x-rate-limit-reset")),
    )


def _problem(response: requests.Response) -> tuple[str, str]:
    """(problem type, X's message) from an error body, whatever its shape."""
    try:
        body = response.json()
    except ValueError:
        return "", (response.text or response.reason or "")[:500]
    if not isinstance(body, dict):
        return "", str(body)[:500]
    problem_type = str(body.get("type") or "")
    messages = [str(body[key]) for key in ("detail", "title") if body.get(key)][:1]
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            messages.append(str(error.get("detail") or error.get("message") or ""))
            problem_type = problem_type or str(error.get("type") or "")
        elif isinstance(error, str):
            messages.append(error)
    if isinstance(body.get("error"), str):
        messages.append(body["error"])
    return problem_type, "; ".join(m for m in messages if m)[:500] or response.reason or ""


def error_from_response(response: requests.Response) -> XError:
    """The Sada error for an X error response (also used on tweepy's exceptions)."""
    status = response.status_code
    problem_type, detail = _problem(response)
    message = f"X answered {status}: {detail}" if detail else f"X answered {status}"
    if status == 429:
        reset_at = _epoch(response.headers.get("x-rate-limit-reset"))
        if problem_type.rstrip("/").endswith("usage-capped"):
            return XUsageCapped(message, reset_at=reset_at, status=status, detail=detail)
        return XRateLimited(message, reset_at=reset_at, status=status, detail=detail)
    if status == 401:
        return XUnauthorized(message, status=status, detail=detail)
    if status == 403:
        return XForbidden(message, status=status, detail=detail)
    if status >= 500:
        return XUnavailable(message, status=status, detail=detail)
    return XRejected(message, status=status, detail=detail)


class XClient:
    """One organisation account's view of X. Methods return X's JSON as dicts."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
    ):
        if not (credentials.user_context or credentials.bearer_token):
            raise XNotConfigured(
                "No X credentials configured (X_CONSUMER_KEY, X_CONSUMER_SECRET, "
                "X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET)."
            )
        self.credentials = credentials
        self.api = tweepy.Client(
            bearer_token=credentials.bearer_token or None,
            consumer_key=credentials.consumer_key or None,
            consumer_secret=credentials.consumer_secret or None,
            access_token=credentials.access_token or None,
            access_token_secret=credentials.access_token_secret or None,
            return_type=dict,
            wait_on_rate_limit=False,
        )
        self.session = XSession(
            base_url or settings.X_API_BASE_URL,
            settings.X_HTTP_TIMEOUT if timeout is None else timeout,
        )
        self.api.session = self.session

    @property
    def rate_limit(self) -> RateLimit | None:
        """The latest rate-limit headers X sent this client, if any."""
        return self.session.last_rate_limit

    def _call(self, method, *args, **kwargs) -> dict:
        try:
            result = method(*args, **kwargs)
        except tweepy.HTTPException as exc:
            raise error_from_response(exc.response) from exc
        except (AttributeError, TypeError) as exc:
            # tweepy reads every error body as a JSON object; a list or a string
            # body breaks its exception before it is raised.
            response = self.session.last_response
            if response is not None and response.status_code >= 400:
                raise error_from_response(response) from exc
            raise
        except requests.JSONDecodeError as exc:  # a 2xx whose body is not JSON
            raise XUnavailable(f"X sent an unreadable answer: {exc}") from exc
        except requests.ConnectTimeout as exc:
            raise XUnavailable(
                f"X did not accept the connection in time: {exc}", maybe_applied=False
            ) from exc
        except requests.Timeout as exc:
            raise XUnavailable(f"X did not answer in time: {exc}") from exc
        except requests.RequestException as exc:
            raise XUnavailable(f"Could not reach X: {exc}") from exc
        if not isinstance(result, dict):
            raise XUnavailable(f"X sent an unexpected answer: {str(result)[:200]}")
        return result

    def _user_context(self, what: str) -> bool:
        if self.credentials.user_context:
            return True
        if what == "read":
            return False
        raise XNotConfigured(f"Posting needs user-context credentials (OAuth 1.0a) for {what}.")

    def get_me(self) -> dict:
        """GET /2/users/me: the account the credentials belong to."""
        return self._call(
            self.api.get_me,
            user_fields=["username", "name", "verified", "public_metrics"],
            user_auth=self._user_context("get_me"),
        )

    def get_mentions(self, user_id: str, *, since_id: str = "", pagination_token: str = "") -> dict:
        """One page of GET /2/users/:id/mentions, newest first."""
        return self._call(
            self.api.get_users_mentions,
            user_id,
            since_id=since_id or None,
            pagination_token=pagination_token or None,
            max_results=MAX_RESULTS,
            user_auth=self._user_context("read"),
            **MENTION_PARAMS,
        )

    def get_own_tweets(
        self, user_id: str, *, since_id: str = "", pagination_token: str = ""
    ) -> dict:
        """One page of GET /2/users/:id/tweets (the account's own posts, replies
        included), to find a reply an earlier attempt may have posted."""
        return self._call(
            self.api.get_users_tweets,
            user_id,
            since_id=since_id or None,
            pagination_token=pagination_token or None,
            max_results=MAX_RESULTS,
            tweet_fields=["created_at", "referenced_tweets", "in_reply_to_user_id"],
            user_auth=self._user_context("read"),
        )

    def create_reply(self, *, text: str, in_reply_to_tweet_id: str) -> dict:
        """POST /2/tweets answering a tweet; returns `data` ({"id", "text"})."""
        body = self._call(
            self.api.create_tweet,
            text=text,
            in_reply_to_tweet_id=in_reply_to_tweet_id,
            user_auth=self._user_context("posting"),
        )
        data = body.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            # Posted or not, we cannot tell: the retry looks before posting again.
            raise XUnavailable(f"X accepted the post but sent no tweet id: {str(body)[:200]}")
        return data


def client_for(account) -> XClient:
    """The client of an organisation account (a `SocialAccount`)."""
    return XClient(credentials_for(account.credentials_env))
