from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from teams.models import Team, TeamMembership

from .forms import DeleteAccountForm, SignUpForm


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("assessments:list")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = request.GET.get("next") or request.POST.get("next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            # Not redirect(): it would try a relative URL such as 'abc' as a view name.
            return HttpResponseRedirect(next_url)
        messages.success(
            request, _("Welcome! Choose the roles you want to assess yourself against.")
        )
        return redirect("assessments:new")
    return render(
        request, "registration/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _teams_left_without_manager(user):
    """Teams where the user is the only manager and other people remain."""
    managed = TeamMembership.objects.filter(user=user, kind=TeamMembership.Kind.MANAGER)
    blocking = []
    for membership in managed.select_related("team"):
        others = membership.team.memberships.exclude(user=user)
        if others.exists() and not others.filter(kind=TeamMembership.Kind.MANAGER).exists():
            blocking.append(membership.team)
    return blocking


@login_required
def account(request):
    return render(request, "registration/account.html")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Delete the account and everything the person entered, after confirmation."""
    blocking = _teams_left_without_manager(request.user)
    form = DeleteAccountForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and not blocking and form.is_valid():
        with transaction.atomic():
            user = request.user
            # Teams the person ran alone go with them; their assessments, answers,
            # ratings received and memberships are removed by the cascade.
            mine = TeamMembership.objects.filter(user=user).values("team_id")
            Team.objects.filter(pk__in=mine).annotate(people=Count("memberships")).filter(
                people=1
            ).delete()
            logout(request)
            user.delete()
        messages.success(request, _("Your account and your data have been deleted."))
        return redirect("home")
    counts = {
        "assessments": request.user.assessments.count(),
        "teams": request.user.team_memberships.count(),
    }
    return render(
        request,
        "registration/account_delete.html",
        {"form": form, "blocking": blocking, "counts": counts},
    )
