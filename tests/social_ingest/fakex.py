"""A small fake of the X API v2 endpoints Sada uses, shared by the `responses`
tests and the real-HTTP fault tests (tests/fault/).

Semantics follow ../shared/fixtures/x/README.md: ids are strings; mentions come
newest first; `since_id` is exclusive; only the `reachable` most recent mentions
are listed; an empty page is `{"meta": {"result_count": 0}}`; every answer has
the x-rate-limit-* headers. Error bodies are X's real shapes.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import requests

from tests.factories import ACCOUNT_ID

DROP = "drop"  # close the connection without an answer
TIMEOUT = "timeout"  # (responses only) a read timeout

DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
DELETED_TARGET = {
    "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
TOO_MANY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
USAGE_CAPPED = {
    "title": "UsageCapExceeded",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
    "period": "Monthly",
    "scope": "Product",
}
UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
SERVICE_UNAVAILABLE = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}


def _key(tweet_id: str) -> tuple[int, str]:
    return (len(tweet_id), tweet_id)


@dataclass
class Failure:
    """One injected answer for a route, used once."""

    status: int = 503
    body: dict | str | None = None
    headers: dict = field(default_factory=dict)
    action: str = ""  # DROP or TIMEOUT instead of an answer
    apply: bool = False  # for a POST: create the tweet first, then answer this


class FakeX:
    def __init__(self, *, user_id: str = ACCOUNT_ID, username: str = "SadaMinistry"):
        self.user_id = user_id
        self.username = username
        self.reachable = 800
        self.mentions: dict[str, dict] = {}
        self.users: dict[str, dict] = {}
        self.own: dict[str, dict] = {}
        self.posts: list[dict] = []  # every accepted POST /2/tweets body
        self.deleted: set[str] = set()
        self.requests: list[tuple[str, str, dict]] = []
        self.failures: dict[str, list[Failure]] = {"mentions": [], "post": [], "own": [], "me": []}
        self.hooks: dict[str, Callable[[dict], None]] = {}
        self.own_tweets_give_reply_refs = True
        self.rate_limit = 450
        self.rate_remaining = 449
        self.lock = threading.RLock()
        self._next_id = 1930000000000000000

    # --- the world ---------------------------------------------------------------------

    def new_id(self) -> str:
        with self.lock:
            self._next_id += 1000
            return str(self._next_id)

    def add_mention(
        self,
        text: str = "@SadaMinistry hello",
        *,
        tweet_id: str | None = None,
        author_id: str = "500",
        username: str | None = None,
        **extra,
    ) -> dict:
        """A mention of the account, listed from now on."""
        tweet_id = tweet_id or self.new_id()
        tweet = {
            "id": tweet_id,
            "text": text,
            "author_id": author_id,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": extra.pop("conversation_id", tweet_id),
            "edit_history_tweet_ids": extra.pop("edit_history_tweet_ids", [tweet_id]),
            "lang": extra.pop("lang", "ar"),
            "entities": {"mentions": [{"username": self.username, "id": self.user_id}]},
            **extra,
        }
        with self.lock:
            self.mentions[tweet_id] = tweet
            self.users.setdefault(
                author_id,
                {
                    "id": author_id,
                    "username": username or f"user{author_id}",
                    "name": f"User {author_id}",
                    "verified": False,
                    "public_metrics": {"followers_count": 10},
                },
            )
        return tweet

    def burst(self, count: int, **kw) -> list[dict]:
        return [self.add_mention(f"@SadaMinistry burst {i}", **kw) for i in range(count)]

    def fail(self, route: str, *failures: Failure) -> None:
        with self.lock:
            self.failures[route].extend(failures)

    def served_mention_ids(self) -> set[str]:
        return set(self.mentions)

    # --- the API -----------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes | None):
        """(status, headers, body) for one request; body a dict, or DROP/TIMEOUT."""
        route = self._route(method, path)
        with self.lock:
            self.requests.append((method, path, dict(query)))
            failure = self.failures.get(route, []) and self.failures[route].pop(0)
        hook = self.hooks.get(route)
        if hook is not None:
            hook(query)  # may block (to kill the client mid-run) or raise
        with self.lock:
            if failure:
                if failure.apply and route == "post":
                    self._post(body)
                if failure.action:
                    return 0, {}, failure.action
                return failure.status, self._headers(failure.headers), failure.body
            if route == "mentions":
                return 200, self._headers(), self._mentions_page(query)
            if route == "own":
                return 200, self._headers(), self._own_page(query)
            if route == "me":
                data = {"id": self.user_id, "name": "Ministry", "username": self.username}
                return 200, self._headers(), {"data": data}
            if route == "post":
                return self._post(body)
        return 404, self._headers(), {"title": "Not Found Error", "status": 404}

    def _route(self, method: str, path: str) -> str:
        if method == "GET" and re.fullmatch(r"/2/users/\d+/mentions", path):
            return "mentions"
        if method == "GET" and re.fullmatch(r"/2/users/\d+/tweets", path):
            return "own"
        if method == "GET" and path == "/2/users/me":
            return "me"
        if method == "POST" and path == "/2/tweets":
            return "post"
        return "other"

    def _headers(self, extra: dict | None = None) -> dict:
        self.rate_remaining = max(0, self.rate_remaining - 1)
        headers = {
            "content-type": "application/json; charset=utf-8",
            "x-rate-limit-limit": str(self.rate_limit),
            "x-rate-limit-remaining": str(self.rate_remaining),
            "x-rate-limit-reset": str(int(time.time()) + 900),
        }
        headers.update(extra or {})
        return headers

    def _page(self, tweets: list[dict], query: dict[str, str], *, users: bool) -> dict:
        since = query.get("since_id", "")
        if since:
            tweets = [t for t in tweets if _key(t["id"]) > _key(since)]
        size = max(5, min(100, int(query.get("max_results") or 10)))
        offset = int(query.get("pagination_token", "tok-0").removeprefix("tok-") or 0)
        chunk = tweets[offset : offset + size]
        if not chunk:
            return {"meta": {"result_count": 0}}
        meta = {
            "result_count": len(chunk),
            "newest_id": chunk[0]["id"],
            "oldest_id": chunk[-1]["id"],
        }
        if offset + size < len(tweets):
            meta["next_token"] = f"tok-{offset + size}"
        page = {"data": [dict(t) for t in chunk], "meta": meta}
        if users:
            authors = {t["author_id"] for t in chunk}
            page["includes"] = {"users": [self.users[a] for a in sorted(authors)]}
        return page

    def _mentions_page(self, query: dict[str, str]) -> dict:
        listed = sorted(self.mentions.values(), key=lambda t: _key(t["id"]), reverse=True)
        return self._page(listed[: self.reachable], query, users=True)

    def _own_page(self, query: dict[str, str]) -> dict:
        listed = sorted(self.own.values(), key=lambda t: _key(t["id"]), reverse=True)
        if not self.own_tweets_give_reply_refs:
            listed = [{"id": t["id"], "text": t["text"]} for t in listed]
        return self._page(listed, query, users=False)

    def _post(self, body: bytes | None):
        doc = json.loads(body or b"{}")
        text = doc.get("text", "")
        target = (doc.get("reply") or {}).get("in_reply_to_tweet_id")
        if any(t["text"] == text for t in self.own.values()):
            return 403, self._headers(), DUPLICATE
        if target in self.deleted:
            return 403, self._headers(), DELETED_TARGET
        tweet_id = self.new_id()
        tweet = {
            "id": tweet_id,
            "text": text,
            "author_id": self.user_id,
            "edit_history_tweet_ids": [tweet_id],
        }
        if target:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": target}]
        self.own[tweet_id] = tweet
        self.posts.append(doc)
        data = {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}
        return 201, self._headers(), {"data": data}

    # --- `responses` adapter -----------------------------------------------------------

    def install(self, rsps, base_url: str) -> None:
        pattern = re.compile(re.escape(base_url.rstrip("/")) + r"/2/.*")
        for method in ("GET", "POST", "DELETE"):
            rsps.add_callback(method, pattern, callback=self._callback)

    def _callback(self, request: requests.PreparedRequest):
        parts = urlsplit(request.url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body = request.body.encode() if isinstance(request.body, str) else request.body
        status, headers, payload = self.handle(request.method, parts.path, query, body)
        if payload == DROP:
            raise requests.ConnectionError("Connection aborted: RemoteDisconnected")
        if payload == TIMEOUT:
            raise requests.ReadTimeout("Read timed out. (read timeout=10)")
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return status, headers, text


def in_minutes(minutes: float) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)
