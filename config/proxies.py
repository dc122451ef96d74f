"""The client's address, as read behind the proxies in front of the app."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address that reached the first of the PROXY_COUNT proxies in front of the app.

    Each proxy appends the address it was reached from to X-Forwarded-For, so with N
    proxies the N-th entry from the right is the one the first of them wrote. Whatever
    the client sent sits to its left and is never read: nobody can choose the address
    their failed logins count against. Without proxies the header is ignored. A header
    too short to have passed every proxy, or whose entry is not an address, counts
    against the address that connected.

    Not django-ipware: its proxy count either refuses any chain longer than expected
    (so every client that sends the header shares the proxy's address) or, when not
    strict, lets a client's unclosed quote swallow the address the proxy appended.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if count == 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count].strip()))
    except ValueError:
        return remote
