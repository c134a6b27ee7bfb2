"""A fake X on 127.0.0.1 (a random port), spoken to over real HTTP through tweepy.

The server is `tests.social_ingest.fakex.FakeX` behind `http.server`: mentions
pages with since_id / pagination_token semantics, POST /2/tweets recorded, the
account's own timeline, and injected failures (status codes, dropped
connections, stalls through hooks).
"""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import ACCOUNT_ID
from tests.fault.procs import Children
from tests.social_ingest.fakex import DROP, FakeX

CREDENTIALS = {
    "X_CONSUMER_KEY": "ck-fault",
    "X_CONSUMER_SECRET": "cs-fault",
    "X_ACCESS_TOKEN": f"{ACCOUNT_ID}-at-fault",
    "X_ACCESS_TOKEN_SECRET": "ats-fault",
}


class FakeXServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeX):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        # Ids of the mentions actually sent to a client in a mentions page: the
        # source of truth of `assert_invariants` (X lists only ~800, so a gap
        # leaves some mentions never served).
        self.served: set[str] = set()
        self.served_lock = threading.Lock()
        # (client port, method, path) of every request: tells which process asked.
        self.peers: list[tuple[int, str, str]] = []

    def handle_error(self, request, client_address):
        pass  # a client killed mid-request (the point of these tests): not an error

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _serve(self):
        parts = urlsplit(self.path)
        self.server.peers.append((self.client_address[1], self.command, parts.path))
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        status, headers, payload = self.server.fake.handle(self.command, parts.path, query, body)
        if payload == DROP:
            self.close_connection = True
            return  # no answer at all: the client sees the connection drop
        if status == 200 and isinstance(payload, dict) and parts.path.endswith("/mentions"):
            with self.server.served_lock:
                self.server.served.update(t["id"] for t in payload.get("data") or [])
        data = payload.encode() if isinstance(payload, str) else _json(payload)
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _serve


def _json(payload) -> bytes:
    return json.dumps(payload).encode()


@pytest.fixture
def x_server():
    fake = FakeX()
    server = FakeXServer(fake)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def live_x(settings, x_server) -> FakeX:
    """Settings pointed at the fake X: every X call of this test goes over HTTP to it."""
    settings.X_API_BASE_URL = x_server.url
    settings.X_HTTP_TIMEOUT = 5.0
    for name, value in CREDENTIALS.items():
        setattr(settings, name, value)
    return x_server.fake


def database_url(database: dict) -> str:
    """The URL of a Django database (`connection.settings_dict`)."""
    user = database["USER"] or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


def subprocess_env(x_server, database: dict | str, **overrides: str) -> dict:
    """Environment of a `manage.py` child using this test's PostgreSQL database (a
    settings dict, or a URL) and the fake X; `overrides` are more variables."""
    env = dict(os.environ)
    env.update(CREDENTIALS)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "SECRET_KEY": "fault-test-key",
            "DATABASE_URL": database if isinstance(database, str) else database_url(database),
            "X_API_BASE_URL": x_server.url if x_server is not None else "http://127.0.0.1:9",
            "X_HTTP_TIMEOUT": "5",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("REDIS_URL", None)  # the ORM broker unless a test says otherwise
    env.update(overrides)
    return env


@pytest.fixture
def children():
    """Start real processes with `children.start([...], env)`; all stopped at the end."""
    registry = Children()
    try:
        yield registry
    finally:
        registry.stop_all()
