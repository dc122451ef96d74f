"""The public catalogue pages: the home page, roles, a role's profile, the role matrix.

Each page is kept whole (config/kept_page.py) under the catalogue version, its path, the
language and whether the visitor is signed in: what it shows is the catalogue, which the
version stands for, and an editor's change replaces the version, so nothing kept is ever
shown after it. The CSRF token and the person's name are holes filled per request. Not
kept: a page for an editor (who may preview draft roles), with a message or a query
string. Within a page, the catalogue parts are kept too (the `{% cache %}` blocks), for
the pages rendered afresh.
"""

from functools import wraps

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from config import kept_page

from .matrix import role_matrix as build_role_matrix
from .selectors import (
    CATALOGUE_READING_SECONDS,
    catalogue_overview,
    published_codes,
    roles_with_requirements,
    roles_with_skill_counts,
)
from .signals import catalogue_version, keep_under_catalogue, kept_under_catalogue


def _editor(user) -> bool:
    return user.is_authenticated and user.has_perm("careers.change_role")


def kept_whole(view):
    """A public page kept whole; `view` returns a TemplateResponse, rendered when the
    cache does not hold the page."""

    @wraps(view)
    def kept(request, *args, **kwargs):
        if request.META.get("QUERY_STRING") or not kept_page.keepable(request):
            return view(request, *args, **kwargs)
        if _editor(request.user):
            return view(request, *args, **kwargs)
        key = ":".join(
            ["public-page", request.path, get_language(), str(int(request.user.is_authenticated))]
        )
        version, page = kept_under_catalogue(key)
        if page is None:
            response = view(request, *args, **kwargs)
            page = kept_page.render_with_holes(
                request, response.template_name, response.context_data
            )
            keep_under_catalogue(key, version, page, CATALOGUE_READING_SECONDS)
        return kept_page.response(request, page)

    return kept


def _kept(**context) -> dict:
    """The context of a page with kept parts: the version and time their keys use."""
    return {
        **context,
        "catalogue_version": catalogue_version(),
        "kept_for": CATALOGUE_READING_SECONDS,
    }


@kept_whole
def home(request):
    """What a visitor will get: an example result, the roles, how long a run takes."""
    return TemplateResponse(
        request, "home.html", _kept(overview=SimpleLazyObject(catalogue_overview))
    )


@kept_whole
def role_list(request):
    return TemplateResponse(
        request, "careers/role_list.html", _kept(roles=roles_with_skill_counts())
    )


@kept_whole
def role_detail(request, code: str):
    """A published role; editors may also preview a draft role before publishing it."""
    can_preview = _editor(request.user)
    if not can_preview and code not in published_codes():
        raise Http404("No published role has this code.")
    roles = roles_with_requirements(include_drafts=can_preview)
    # Read only when a part of the page is not kept; kept parts hold the role as it was
    # under this catalogue version, whoever asked.
    role = SimpleLazyObject(lambda: get_object_or_404(roles, code=code))
    return TemplateResponse(request, "careers/role_detail.html", _kept(role=role, code=code))


@kept_whole
def role_matrix(request):
    """Overlap and weighted distance between every two published roles."""
    return TemplateResponse(
        request, "careers/role_matrix.html", _kept(matrix=SimpleLazyObject(build_role_matrix))
    )
