"""The public catalogue pages: roles, a role's profile, the role matrix.

Each page's catalogue part is kept rendered (the `{% cache %}` blocks of its template)
under the catalogue version and the language: an editor's change replaces the version,
so nothing kept is ever shown after it. A page whose parts are all kept costs no query.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject

from .matrix import role_matrix as build_role_matrix
from .selectors import (
    CATALOGUE_READING_SECONDS,
    catalogue_overview,
    published_codes,
    roles_with_requirements,
    roles_with_skill_counts,
)
from .signals import catalogue_version


def _kept(**context) -> dict:
    """The context of a page with kept parts: the version and time their keys use."""
    return {
        **context,
        "catalogue_version": catalogue_version(),
        "kept_for": CATALOGUE_READING_SECONDS,
    }


def home(request):
    """What a visitor will get: an example result, the roles, how long a run takes."""
    return render(request, "home.html", _kept(overview=SimpleLazyObject(catalogue_overview)))


def role_list(request):
    return render(request, "careers/role_list.html", _kept(roles=roles_with_skill_counts()))


def role_detail(request, code: str):
    """A published role; editors may also preview a draft role before publishing it."""
    can_preview = request.user.has_perm("careers.change_role")
    if not can_preview and code not in published_codes():
        raise Http404("No published role has this code.")
    roles = roles_with_requirements(include_drafts=can_preview)
    # Read only when a part of the page is not kept; kept parts hold the role as it was
    # under this catalogue version, whoever asked.
    role = SimpleLazyObject(lambda: get_object_or_404(roles, code=code))
    return render(request, "careers/role_detail.html", _kept(role=role, code=code))


def role_matrix(request):
    """Overlap and weighted distance between every two published roles."""
    return render(
        request, "careers/role_matrix.html", _kept(matrix=SimpleLazyObject(build_role_matrix))
    )
