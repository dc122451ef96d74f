"""The project's own views: liveness, readiness and the error pages."""

import sys
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.views import defaults
from django.views.decorators.http import require_GET

from config.middleware import language_of

# Seconds a client (a browser, htmx's retry, a load balancer) is asked to wait.
RETRY_AFTER = 5
NO_STORE = "no-store"


@require_GET
def healthz(request):
    """Liveness, for load balancers and the benchmark's baseline: answers without any work."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def healthz_database(request):
    """Liveness with one database round trip: the benchmark's one-query reference (what
    a page that needs the database costs at the least). 503 while the database fails."""
    if not database_ok():
        return unavailable(request)
    return HttpResponse("ok", content_type="text/plain")


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def cache_ok(alias: str) -> bool:
    """A round trip: what is set is read back (a cache that swallows its errors fails it)."""
    cache = caches[alias]
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception:  # any backend's own errors: redis' ConnectionError, a database's
        return False
    return ok


@require_GET
def readyz(request):
    """Readiness, for load balancers: 503 while the database fails, which every page needs.

    A failing cache answers 200 "degraded": the app works without it (only slower), and
    every app server shares the one cache, so taking them all out of the balancer for it
    would turn a slowdown into an outage.
    """
    database = database_ok()
    cache = {alias: "ok" if cache_ok(alias) else "failed" for alias in settings.CACHES}
    if not database:
        status = "unavailable"
    elif "failed" in cache.values():
        status = "degraded"
    else:
        status = "ready"
    body = {"status": status, "database": "ok" if database else "failed", "cache": cache}
    response = JsonResponse(body, status=200 if database else 503)
    response["Cache-Control"] = NO_STORE
    return response


def is_database_fault(error: BaseException | None) -> bool:
    """The database cannot be reached, or it dropped the connection: worth a retry."""
    return isinstance(error, OperationalError | InterfaceError)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503, a short page in the person's language, made without the database.

    No request context (it would read the user, hence the session); htmx gets a line to
    show where the saved status goes, the browser a page of its own.
    """
    with translation.override(language_of(request)):
        if request.headers.get("HX-Request"):
            body = render_to_string(
                "503_fragment.html", {"saving": request.method not in ("GET", "HEAD")}
            )
        else:
            body = render_to_string("503.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = NO_STORE
    response["Content-Language"] = language_of(request)
    return response


def causes(error: BaseException | None):
    """The error and what it was raised from or while handling, innermost last."""
    seen = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a session the database could not save (Django raises SessionInterrupted
    from its UpdateError) is the database failing, not a bad request."""
    if any(is_database_fault(error) for error in causes(exception)):
        return unavailable(request)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that is down or cut off is a 503 to retry, not a bug."""
    if is_database_fault(sys.exception()):
        return unavailable(request)
    return defaults.server_error(request)
