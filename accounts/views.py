from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from teams.selectors import departure_blockers

from . import services
from .forms import DeleteAccountForm, SignUpForm, ThrottledPasswordChangeForm


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


@login_required
def account(request):
    return render(request, "registration/account.html")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Delete the account and everything the person entered, after confirmation; or say
    what stops it (docs/DESIGN.md, "Account deletion") and what to do instead."""
    blockers = departure_blockers(request.user)
    data = request.POST if request.method == "POST" else None
    form = DeleteAccountForm(request.user, data, request=request)
    if request.method == "POST" and not blockers and form.is_valid():
        user = request.user
        try:
            services.account_delete(user=user)
        except services.DeletionBlocked as blocked:
            blockers = blocked.blockers
        else:
            logout(request)
            messages.success(request, _("Your account and your data have been deleted."))
            return redirect("home")
    counts = {
        "assessments": request.user.assessments.count(),
        "teams": request.user.team_memberships.count(),
    }
    return render(
        request,
        "registration/account_delete.html",
        {
            "form": form,
            "blocking": blockers,
            "without_manager": [b for b in blockers if b.reason == "members"],
            "holding_results": [b for b in blockers if b.reason == "results"],
            "counts": counts,
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with wrong old passwords counted as failed log-ins."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        # As a successful log-in does (AXES_RESET_ON_SUCCESS): the right password was given.
        axes_reset(ip=self.request.axes_ip_address, username=self.request.user.get_username())
        return super().form_valid(form)
