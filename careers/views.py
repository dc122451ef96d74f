from django.shortcuts import get_object_or_404, render

from .matrix import role_matrix as build_role_matrix
from .selectors import roles_with_requirements


def role_list(request):
    return render(request, "careers/role_list.html", {"roles": roles_with_requirements()})


def role_detail(request, code: str):
    """A published role; editors may also preview a draft role before publishing it."""
    can_preview = request.user.has_perm("careers.change_role")
    roles = roles_with_requirements(include_drafts=can_preview)
    role = get_object_or_404(roles, code=code)
    return render(
        request,
        "careers/role_detail.html",
        {"role": role, "is_preview": not role.is_published},
    )


def role_matrix(request):
    """Overlap and weighted distance between every two published roles."""
    return render(request, "careers/role_matrix.html", {"matrix": build_role_matrix()})
