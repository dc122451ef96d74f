"""Rate limits per token (or per client address without one), kept in the cache.

A cache that does not answer (Redis away: django-redis ignores it) reads no history,
so requests pass unthrottled rather than fail: the limit protects, it never breaks.
"""

from rest_framework.throttling import SimpleRateThrottle

from config.proxies import client_address


class _PerToken(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        if not self.applies(request):
            return None
        token = request.auth
        ident = f"token-{token.pk}" if token is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request) -> str:
        """The client's address as the log-in throttle reads it (behind PROXY_COUNT
        proxies), not DRF's, which would believe any X-Forwarded-For a client sends."""
        return client_address(request) or "unknown"

    def applies(self, request) -> bool:
        raise NotImplementedError


class ReadThrottle(_PerToken):
    scope = "api-read"

    def applies(self, request) -> bool:
        return request.method in ("GET", "HEAD", "OPTIONS")


class WriteThrottle(_PerToken):
    scope = "api-write"

    def applies(self, request) -> bool:
        return request.method not in ("GET", "HEAD", "OPTIONS")
