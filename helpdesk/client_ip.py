"""The address a request came from, for sign-in throttling (django-axes)."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind SADA_TRUSTED_PROXIES proxies, the address the outermost of
    them received the request from.

    Each proxy appends the address it received the request from to X-Forwarded-For,
    so with N proxies the N-th entry from the right was written by the outermost one;
    entries further left were sent by the client, and anyone can send them. A header
    with fewer entries, or an entry that is not an IP address, means the proxies are
    not as configured: REMOTE_ADDR is used, as without the setting.

    Written here rather than through django-ipware (axes' own option): ipware checks
    the number of entries of the whole header, so a client that sends its own
    X-Forwarded-For (a corporate proxy does) falls back to the proxy's address, and
    with a lockout per username and address that locks the username for everyone
    behind the proxy. This is the rule of Werkzeug's ProxyFix (`x_for=N`).
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.SADA_TRUSTED_PROXIES
    if hops <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-hops]))
    except ValueError:
        return remote
