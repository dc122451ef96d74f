"""A page kept rendered, and compressed, with holes where the request's own values go.

A submitted result never changes, so its page can be kept whole, but three things on it
belong to the request, not to the result: the CSRF token in its forms, the person's name
in the navigation bar and the messages. The page is rendered once with a marker in
place of the token and the name (and only when there is no message to show, nor a
query string, which the language form repeats), and kept as compressed pieces, one per
stretch between holes (config/compressed.py). Every response, the first included, puts
this request's values between the pieces. What is kept therefore depends only on what
the key stands for.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape

from config import compressed


def hole(name: str, *ids: int) -> str:
    """A hole's marker: a NUL, its name and ids, a NUL (no template or filter alters it)."""
    return "\x00" + ":".join([name, *map(str, ids)]) + "\x00"


TOKEN = hole("csrf-token")
NAME = hole("person-name")
_HOLES = re.compile("(\x00[a-z-]+(?::[0-9]+)*\x00)")


class _Named:
    """The signed-in user as the page template sees them, their name left as a marker."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        return getattr(self._user, name)

    def get_username(self) -> str:
        return NAME


@dataclass(frozen=True)
class KeptPage:
    """What the cache holds: the pieces, and which hole follows each but the last."""

    pieces: tuple[compressed.Piece, ...]
    holes: tuple[str, ...]


_ROLE_CHOICE = re.compile(r"role=[A-Za-z0-9_-]{1,40}")


def keepable(request) -> bool:
    """Whether this request's page may be kept: nothing on it but the holes is its own.

    The one query string allowed is a single plain ``role=CODE`` (the role picker): the
    key holds it, so the language form's copy of it is the key's own.
    """
    query = request.META.get("QUERY_STRING", "")
    return (not query or _ROLE_CHOICE.fullmatch(query) is not None) and not len(
        messages.get_messages(request)
    )


def _render(request, template: str, context: dict) -> list[str]:
    """The page split at its holes: text, hole, text, ..., text."""
    holes = {"csrf_token": TOKEN, "user": _Named(request.user)}
    return _HOLES.split(render_to_string(template, {**context, **holes}, request=request))


def _request_values(request) -> dict[str, str]:
    return {TOKEN: get_token(request), NAME: escape(request.user.get_username())}


def render_with_holes(request, template: str, context: dict) -> KeptPage:
    parts = _render(request, template, context)
    return KeptPage(
        pieces=tuple(compressed.piece(p.encode()) for p in parts[::2]), holes=tuple(parts[1::2])
    )


def response(request, page: KeptPage, own: Mapping[str, str] | None = None) -> HttpResponse:
    """The kept page with this request's values in its holes, gzipped if accepted;
    `own` holds the view's own holes (escaped already)."""
    values = {
        hole: value.encode() for hole, value in {**_request_values(request), **(own or {})}.items()
    }
    parts: list[compressed.Piece | bytes] = [page.pieces[0]]
    for hole, piece in zip(page.holes, page.pieces[1:], strict=True):
        parts += [values[hole], piece]
    return compressed.response(request, parts)


@dataclass(frozen=True)
class Stencil:
    """A page kept as plain text with many holes (a questionnaire step has seven a
    question): filled at each request, then compressed whole by the GZip middleware.
    Holes beyond the token and the name are the view's own (`hole(...)` in its context).
    """

    texts: tuple[str, ...]
    holes: tuple[str, ...]

    def fill(self, request, values: Mapping[str, str]) -> str:
        """The page with `values` (escaped already) and the request's own in its holes."""
        values = {**values, **_request_values(request)}
        out = [self.texts[0]]
        for name, text in zip(self.holes, self.texts[1:], strict=True):
            out += [values[name], text]
        return "".join(out)


def stencil(request, template: str, context: dict) -> Stencil:
    parts = _render(request, template, context)
    return Stencil(texts=tuple(parts[::2]), holes=tuple(parts[1::2]))
