"""`{% site_nav %}`: the navigation bar of every page, rendered once per process for
each set of its inputs.

Django's engine takes about half a millisecond to print it (eight URLs reversed, the
language switched to title each language button, twenty translations), on every page
that is not kept whole. What it prints depends only on the inputs its template is given
(templates/_nav.html: the language, whether someone is signed in, whether local
accounts exist, whether the request has a CSRF token) and on the code; the request's
own values (the token, the person's name, the page's path) go in holes filled at each
request. So a rendering is kept in memory under its inputs, for as long as the process
lives: the key is everything the template can read.
"""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from careers.bidi import bdi_html

register = template.Library()

_TOKEN, _NAME, _NEXT = "\x00nav-token\x00", "\x00nav-name\x00", "\x00nav-next\x00"
_kept: dict[tuple, tuple[str, ...]] = {}


def _rendered(inputs: tuple) -> tuple[str, ...]:
    """The navigation bar for these inputs, split at its holes: text, hole, ..., text."""
    parts = _kept.get(inputs)
    if parts is None:
        language, signed_in, local_accounts, has_token = inputs
        html = render_to_string(
            "_nav.html",
            {
                "LANGUAGE_CODE": language,
                "signed_in": signed_in,
                "local_accounts": local_accounts,
                "csrf_token": _TOKEN if has_token else "NOTPROVIDED",
                "name": _NAME,
                "next": _NEXT,
            },
        )
        parts = _kept[inputs] = _split(html)
    return parts


def _split(html: str) -> tuple[str, ...]:
    out: list[str] = []
    rest = html
    while True:
        found = [(rest.find(h), h) for h in (_TOKEN, _NAME, _NEXT) if h in rest]
        if not found:
            return (*out, rest)
        at, hole = min(found)
        out += [rest[:at], hole]
        rest = rest[at + len(hole) :]


@register.simple_tag(takes_context=True)
def site_nav(context) -> SafeString:
    request, user = context.get("request"), context.get("user")
    token = str(context.get("csrf_token") or "")
    has_token = token not in ("", "NOTPROVIDED")
    signed_in = bool(user is not None and user.is_authenticated)
    inputs = (get_language(), signed_in, settings.LOCAL_ACCOUNTS, has_token)
    path = context.get("next_path") or (request.get_full_path() if request else "")
    values = {
        _TOKEN: token,  # letters and digits (or a kept page's own hole)
        _NAME: bdi_html(user.get_username()) if signed_in else "",
        _NEXT: escape(path),
    }
    parts = _rendered(inputs)
    return SafeString("".join(values.get(part, part) for part in parts))
