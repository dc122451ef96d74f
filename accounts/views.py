from functools import wraps
from urllib.parse import urlencode

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notifications import services as notification_services
from notifications.models import Kind
from organisation.selectors import is_findable
from teams.selectors import departure_blockers

from . import data_rights, oidc, services, throttle
from .forms import (
    DeleteAccountForm,
    EmailChangeForm,
    LoginForm,
    SignUpForm,
    ThrottledPasswordChangeForm,
)
from .selectors import confirmed_email
from .tokens import confirmation_read


def throttled_per_client(rule: throttle.Rule):
    """Answer 429 to the POSTs of a client address that has made `rule.limit` of them
    within the window; GETs are not counted."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and not throttle.throttle_allow(
                rule=rule, key=throttle.client_key(request)
            ):
                return render(request, "registration/too_many_requests.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def local_accounts_only(view):
    """A 404 while LOCAL_ACCOUNTS is off: sign-in is the provider's alone."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.LOCAL_ACCOUNTS:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class LoginView(auth_views.LoginView):
    """Django's log-in; without its password form while LOCAL_ACCOUNTS is off, when the
    page shows only the single sign-on button."""

    redirect_authenticated_user = True
    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_ACCOUNTS:
            return HttpResponseNotAllowed(["GET"])
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """Django's log-out; after a single sign-on, on to the provider's log-out page when
    it has one (it ends the provider's session, then comes back to the home page)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        provider_logout = oidc.end_session_url(request, id_token) if id_token else None
        return HttpResponseRedirect(provider_logout) if provider_logout else response


def _safe_next(request, next_url: str | None) -> str:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def _login_url(next_url: str) -> str:
    if not next_url:
        return reverse("login")
    return f"{reverse('login')}?{urlencode({'next': next_url})}"


@local_accounts_only
@require_http_methods(["GET", "POST"])
@throttled_per_client(throttle.SIGNUP_PER_CLIENT)
def signup(request):
    """Sign up, then "check your mailbox", whether or not the address had an account:
    the new account is not logged in, so that the outcome is the same page either way."""
    if request.user.is_authenticated:
        return redirect("assessments:list")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if request.method == "POST" and form.is_valid():
        services.account_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            next_url=next_url,
            link_for=request.build_absolute_uri,
        )
        done = reverse("signup_done")
        # Not redirect(): it would try a relative URL as a view name.
        return HttpResponseRedirect(f"{done}?{urlencode({'next': next_url})}" if next_url else done)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@local_accounts_only
def signup_done(request):
    # Logging in for the first time leads on to choosing roles, unless the sign-up
    # began somewhere (an invitation).
    next_url = _safe_next(request, request.GET.get("next")) or reverse("assessments:new")
    return render(request, "registration/signup_done.html", {"next": next_url})


@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    """The link mailed to an address. Opening it shows a button; only pressing it
    confirms, so that a mail scanner fetching every link confirms nothing. The link is
    enough, without logging in: it reached the address."""
    link = confirmation_read(token)
    if link is None:
        return render(request, "registration/email_confirm.html", {"validlink": False})
    if request.method == "GET":
        return render(request, "registration/email_confirm.html", {"validlink": True, "link": link})
    if not services.email_confirm(user=link.user, email=link.email):
        return render(request, "registration/email_confirm.html", {"validlink": False})
    next_url = _safe_next(request, link.next_url)
    if request.user.is_authenticated and request.user.pk == link.user.pk:
        messages.success(request, _("Your email address is confirmed."))
        return HttpResponseRedirect(next_url or reverse("account"))
    if request.user.is_authenticated:  # someone else's browser, or another of their accounts
        messages.success(
            request,
            _("The address of the account %(username)s is confirmed.")
            % {"username": link.user.get_username()},
        )
        return HttpResponseRedirect(next_url or reverse("home"))
    messages.success(request, _("Your email address is confirmed. Log in to continue."))
    return HttpResponseRedirect(_login_url(next_url))


@login_required
@require_POST
def email_confirmation_send(request):
    """Mail the link that confirms the account's address (again)."""
    next_url = _safe_next(request, request.POST.get("next"))
    if not request.user.email:
        return redirect("email_change")
    if confirmed_email(request.user):
        messages.info(request, _("Your email address is already confirmed."))
    elif services.email_confirmation_send(
        user=request.user, next_url=next_url, link_for=request.build_absolute_uri
    ):
        messages.success(
            request,
            _("We have sent a link to %(email)s. Follow it to confirm your address.")
            % {"email": request.user.email},
        )
    else:
        messages.error(
            request,
            _(
                "You have asked for several links in the last hour. Use the latest one you "
                "received, or try again later."
            ),
        )
    return HttpResponseRedirect(next_url or reverse("account"))


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request):
    """A new address replaces the account's once the link mailed to it is followed."""
    form = EmailChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if services.email_confirmation_send(
            user=request.user, email=email, link_for=request.build_absolute_uri
        ):
            messages.success(
                request,
                _("We have sent a link to %(new)s. Your address stays %(old)s until you follow it.")
                % {"new": email, "old": request.user.email},
            )
            return redirect("account")
        form.add_error(
            None,
            _(
                "You have asked for several links in the last hour. Use the latest one you "
                "received, or try again later."
            ),
        )
    return render(request, "registration/email_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """The account's page; its form turns each kind of reminder on or off."""
    if request.method == "POST":
        wanted = set(request.POST.getlist("reminders"))
        notification_services.preferences_save(
            user=request.user,
            turned_off=[kind for kind in Kind.values if kind not in wanted],
            language=request.LANGUAGE_CODE,
        )
        messages.success(request, _("Your reminders are saved."))
        return redirect("account")
    preference = notification_services.preference_of(request.user)
    return render(
        request,
        "registration/account.html",
        {
            "confirmed": bool(confirmed_email(request.user)),
            "reminders": [(kind, label, preference.wants(kind)) for kind, label in Kind.choices],
            "findable": is_findable(request.user),
        },
    )


@login_required
@require_POST
def account_data(request):
    """The archive of everything the app holds about the person signed in
    (accounts/data_rights.py), in the page's language; nobody else's, by construction."""
    archive = data_rights.person_archive(user=request.user, language=request.LANGUAGE_CODE)
    return FileResponse(
        archive,
        as_attachment=True,
        filename=data_rights.archive_name(request.user),
        content_type="application/zip",
    )


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
