"""A page kept rendered with holes where the request's own values go.

A submitted result never changes, so its page can be kept whole, but three things on it
belong to the request, not to the result: the CSRF token in its forms, the person's name
in the navigation bar and the messages. The page is rendered once with a marker in
place of the token and the name (and only when there is no message to show, nor a
query string, which the language form repeats), kept, and every response, the first
included, fills the markers in with this request's values. What is kept therefore
depends only on what the key stands for.
"""

from django.contrib import messages
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape

TOKEN = "\x00csrf-token\x00"
NAME = "\x00person-name\x00"


class _Named:
    """The signed-in user as the page template sees them, their name left as a marker."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        return getattr(self._user, name)

    def get_username(self) -> str:
        return NAME


def keepable(request) -> bool:
    """Whether this request's page may be kept: nothing on it but the holes is its own."""
    return not request.GET and not len(messages.get_messages(request))


def render_with_holes(request, template: str, context: dict) -> str:
    holes = {"csrf_token": TOKEN, "user": _Named(request.user)}
    return render_to_string(template, {**context, **holes}, request=request)


def fill(request, page: str) -> str:
    return page.replace(TOKEN, get_token(request)).replace(
        NAME, escape(request.user.get_username())
    )
