"""Request rates per API key and per signed-in user.

Throttling keeps one client from starving the others; it is NOT a security
boundary: counters live in the cache of each process (or a shared cache when
one is configured), are approximate, and reset with it.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from .auth import api_key


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        key = api_key(request)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.pk}


class ApiUserRateThrottle(SimpleRateThrottle):
    scope = "api_user"

    def get_cache_key(self, request, view):
        if api_key(request) is not None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
