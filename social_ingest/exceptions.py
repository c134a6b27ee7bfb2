"""What can go wrong talking to a platform, in Sada's words rather than tweepy's.

`clients.py` raises these; the poller and the delivery task decide what each
means (wait, alert, retry, give up). Each carries X's own message, which is
what an operator needs to see on the account or the case.
"""

from __future__ import annotations

from datetime import datetime


class XError(Exception):
    """A call to X did not succeed. `kind` is a machine code stored on the account."""

    kind = "error"
    # Could X have acted on the request even though we saw no success?
    # Only relevant to posting: decides whether a retry must first look for the post.
    maybe_applied = False

    def __init__(self, message: str, *, status: int | None = None, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail or message


class XNotConfigured(XError):
    """No credentials for the account: nothing was sent."""

    kind = "not_configured"


class XRateLimited(XError):
    """429 for the 15-minute window: wait until `reset_at`, then it works again."""

    kind = "rate_limited"

    def __init__(self, message: str, *, reset_at: datetime | None, **kw):
        super().__init__(message, **kw)
        self.reset_at = reset_at


class XUsageCapped(XRateLimited):
    """429 with problem type `.../usage-capped`: the monthly cap; waiting for the
    window reset does not help."""

    kind = "usage_capped"


class XUnauthorized(XError):
    """401: the credentials are wrong or revoked."""

    kind = "unauthorized"


class XForbidden(XError):
    """403: not allowed (suspended app, missing access level, duplicate text,
    deleted reply target). Retrying the same request gets the same answer."""

    kind = "forbidden"

    @property
    def is_duplicate(self) -> bool:
        return "duplicate" in self.detail.lower()


class XRejected(XError):
    """Another 4xx: the request itself is wrong; retrying it will not help."""

    kind = "rejected"


class XUnavailable(XError):
    """5xx, a timeout, a dropped connection or an unreadable answer: try again later."""

    kind = "unavailable"

    def __init__(self, message: str, *, maybe_applied: bool = True, **kw):
        super().__init__(message, **kw)
        self.maybe_applied = maybe_applied
