from django.shortcuts import get_object_or_404, render

from .selectors import roles_with_requirements


def role_list(request):
    return render(request, "careers/role_list.html", {"roles": roles_with_requirements()})


def role_detail(request, code: str):
    role = get_object_or_404(roles_with_requirements(), code=code)
    return render(request, "careers/role_detail.html", {"role": role})
