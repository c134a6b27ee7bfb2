"""Structured logs: every line that concerns a case or an account says which.

`log_context(case=..., account=...)` sets the context for a block (or, as a
decorator, a function) in a contextvar, so it follows the code into services,
tasks and threads started with `contextvars.copy_context()`, and it is undone when
the block ends. `ContextFilter` (on the handler) copies it onto every record as
`record.case` and `record.account`; a value may be a callable, looked up only
when a line is actually written (no query for a request that logs nothing).

Two formats, chosen with LOG_FORMAT: `plain` (key=value, the default) and `json`
(one object per line). Both scrub the values of the secrets Sada knows
(SECRET_KEY, the X credentials of every account, channel and webhook secrets seen
by `register_secret`) from the finished line: a library that logs a request with
its Authorization header at DEBUG cannot leak a token.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

FIELDS = ("case", "account")
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "sada_log_context", default=None
)
_extra_secrets: set[str] = set()
# Shorter values are not secrets worth scrubbing (and would mangle ordinary text).
MIN_SECRET_LENGTH = 8
SECRET_ENV = re.compile(r"(SECRET|TOKEN|PASSWORD|_KEY$|^X_.*_KEY$)")


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add `case=` and/or `account=` (a value, or a callable giving it) to every log
    line written inside the block. Empty values leave the outer context alone."""
    current = _context.get() or {}
    token = _context.set({**current, **{k: v for k, v in fields.items() if v not in (None, "")}})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, str]:
    """The context as it stands, callables resolved (and remembered)."""
    context = _context.get() or {}
    resolved = {}
    for key, value in context.items():
        if callable(value):
            try:
                value = value()
            except Exception:  # noqa: BLE001 - a failing lookup must not lose the log line
                value = "?"
            context[key] = value  # the dict belongs to this block: resolve once
        resolved[key] = "" if value is None else str(value)
    return resolved


class ContextFilter(logging.Filter):
    """Puts `case` and `account` on every record (empty when not known)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_context()
        if not context.get("case"):
            # django.request logs a response after the middleware's block has ended;
            # its record carries the request, and the request the case's reference.
            match = getattr(getattr(record, "request", None), "resolver_match", None)
            reference = match.kwargs.get("reference") if match else None
            if reference:
                context = {"case": reference, "account": _case_account(reference)}
        for key in FIELDS:
            if not getattr(record, key, ""):
                setattr(record, key, context.get(key, ""))
        return True


def register_secret(value: str | None) -> None:
    """Scrub this value from every line from now on (a secret not in settings/env)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        _extra_secrets.add(value)


_secret_names: list[str] | None = None


def _setting_names() -> list[str]:
    """Names of the settings that hold secrets (found once; values read every time,
    so a changed setting is still scrubbed)."""
    global _secret_names
    if _secret_names is None:
        from django.conf import settings

        _secret_names = [n for n in dir(settings) if n.isupper() and SECRET_ENV.search(n)]
    return _secret_names


def _secrets() -> list[str]:
    found = set(_extra_secrets)
    try:
        from django.conf import settings

        for name in _setting_names():
            value = getattr(settings, name, None)
            if isinstance(value, str):
                found.add(value)
    except Exception:  # noqa: BLE001, S110 - settings not configured (e.g. at import time)
        pass
    for name, value in os.environ.items():
        if SECRET_ENV.search(name) and not name.endswith("_FILE"):
            found.add(value)
    # Longest first, so a secret containing another is scrubbed whole.
    return sorted((s for s in found if len(s) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def scrub(text: str) -> str:
    for secret in _secrets():
        if secret in text:
            text = text.replace(secret, "[secret]")
    return text


def _fields(record: logging.LogRecord) -> dict[str, str]:
    context = current_context()
    return {key: getattr(record, key, "") or context.get(key, "") for key in FIELDS}


def _quote(value: str) -> str:
    if value == "" or re.search(r'[\s="]', value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return value


class KeyValueFormatter(logging.Formatter):
    """`time=… level=… logger=… case=… account=… msg="…"`; case/account only when known."""

    def format(self, record: logging.LogRecord) -> str:
        parts = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            **{k: v for k, v in _fields(record).items() if v},
            "msg": record.getMessage(),
        }
        line = " ".join(f"{key}={_quote(str(value))}" for key, value in parts.items())
        if record.exc_info:
            line += " exc=" + _quote(self.formatException(record.exc_info))
        return scrub(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, case, account, msg (and exc)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            **_fields(record),
            "msg": record.getMessage(),
        }
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return scrub(json.dumps(data, ensure_ascii=False, default=str))


def _case_account(reference: str) -> str:
    from cases.models import Case

    return (
        Case.objects.filter(reference=reference).values_list("account__handle", flat=True).first()
        or ""
    )


class LogContextMiddleware:
    """A request about a case (a `reference` in its URL: UI, API) logs with that case
    and its account; the account is looked up only if a line is written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.urls import Resolver404, resolve

        try:
            reference = resolve(request.path_info).kwargs.get("reference")
        except Resolver404:
            reference = None
        if not reference:
            return self.get_response(request)
        with log_context(case=reference, account=lambda: _case_account(reference)):
            return self.get_response(request)
