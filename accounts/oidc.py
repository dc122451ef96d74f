"""Single sign-on with OpenID Connect, on mozilla-django-oidc.

Off unless OIDC_ISSUER and OIDC_CLIENT_ID are set (config/settings.py). The provider's
endpoints come from its discovery document, fetched on first use and kept an hour; a
provider that does not answer gives a message on the log-in page, never an error page.
The library does the authorization code flow (state, nonce, PKCE, the id_token's
signature from the provider's JWKS); here the id_token's issuer and audience are checked
too, and the account is found or created by the e-mail address the provider verified
(accounts/services.py, sso_account).
"""

import logging
import threading
import time
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import services
from .backends import UserBackend

logger = logging.getLogger(__name__)

DISCOVERY_KEPT_SECONDS = 3600
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read, or does not fit."""


class SignInRefused(Exception):
    """The sign-in is refused; `message` tells the person why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def discovery() -> dict[str, Any]:
    """The issuer's discovery document; ProviderUnavailable when it cannot be read, or
    names another issuer than the one configured."""
    issuer = settings.OIDC_ISSUER
    kept = _discovered.get(issuer)
    if kept and time.monotonic() - kept[0] < DISCOVERY_KEPT_SECONDS:
        return kept[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("OpenID provider discovery failed: %s", exc)
        raise ProviderUnavailable(str(exc)) from exc
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        logger.warning("OpenID provider at %s names another issuer", url)
        raise ProviderUnavailable("issuer mismatch")
    needed = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    if not all(isinstance(document.get(key), str) for key in needed):
        raise ProviderUnavailable("incomplete discovery document")
    with _lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def forget_discovery() -> None:
    _discovered.clear()


def _unavailable_message() -> str:
    return _("%(provider)s cannot be reached at the moment. Try again in a few minutes.") % {
        "provider": provider_name()
    }


def _failed_message() -> str:
    return _("The sign-in with %(provider)s did not succeed. Please try again.") % {
        "provider": provider_name()
    }


def _to_login(request, message: str) -> HttpResponseRedirect:
    messages.error(request, message)
    return HttpResponseRedirect(reverse("login"))


class OIDCBackend(OIDCAuthenticationBackend):
    """Answers only the callback's authenticate(request, nonce=..., code_verifier=...).

    Raises SignInRefused (or a requests error, SuspiciousOperation) rather than
    returning None when the sign-in fails, so that the callback can say why.
    """

    def __init__(self, *args, **kwargs) -> None:
        # Not the library's: it reads the endpoints from settings. Here they are
        # discovered at the callback only; Django builds this backend for every
        # password log-in too, which must not call the provider.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        if not sso_enabled():
            return None
        provider = discovery()
        self.OIDC_OP_TOKEN_ENDPOINT = provider["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = provider["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = provider["jwks_uri"]
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        """The signature, with the algorithm expected, and the issuer, audience and
        expiry: the library checks only the signature and the expiry."""
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                options={"require": ["iss", "aud", "sub", "exp"]},
            )
        except jwt.PyJWTError as exc:
            logger.warning("OpenID id_token refused: %s", exc)
            raise SuspiciousOperation(f"id_token refused: {exc}") from exc

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject")
        email = claims.get("email")
        if not isinstance(email, str) or not email or claims.get("email_verified") is not True:
            raise SignInRefused(
                _(
                    "%(provider)s has not confirmed your email address, so it cannot sign "
                    "you in here. Ask them to confirm it, then try again."
                )
                % {"provider": provider_name()}
            )
        try:
            return services.sso_account(email=email)
        except services.SignInNotAllowed as exc:
            raise SignInRefused(
                _("This account is disabled. Ask an administrator to enable it.")
                if exc.reason == "inactive"
                else _failed_message()
            ) from exc

    def get_user(self, user_id):
        # As the password log-in's sessions: inactive accounts are signed out.
        return UserBackend().get_user(user_id)


class SsoOnly:
    """A 404 while single sign-on is off."""

    def dispatch(self, request, *args, **kwargs):
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class AuthenticateView(SsoOnly, OIDCAuthenticationRequestView):
    """'Sign in with <provider>': on to the provider's page, with state, nonce and PKCE."""

    def __init__(self, *args, **kwargs) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except ProviderUnavailable:
            return _to_login(request, _unavailable_message())
        return super().get(request)


class CallbackView(SsoOnly, OIDCAuthenticationCallbackView):
    """Where the provider sends the person back; every failure ends on the log-in page
    with a message."""

    @property
    def failure_url(self) -> str:
        return reverse("login")

    def login_failure(self):
        return _to_login(self.request, _failed_message())

    def login_success(self):
        id_token = self.request.session.get("oidc_id_token")
        response = super().login_success()
        if id_token:  # kept across the log-in's new session, for the log-out
            self.request.session["oidc_id_token"] = id_token
        return response

    def get(self, request):
        # RFC 9207: a provider that names itself in the response must be ours.
        if "iss" in request.GET and request.GET["iss"] != settings.OIDC_ISSUER:
            logger.warning("OpenID callback from another issuer: %s", request.GET["iss"])
            return self.login_failure()
        try:
            return super().get(request)
        except SignInRefused as refused:
            return _to_login(request, refused.message)
        except ProviderUnavailable:
            return _to_login(request, _unavailable_message())
        except (SuspiciousOperation, requests.RequestException, ValueError, KeyError) as exc:
            logger.warning("OpenID sign-in refused: %s", exc)
            return self.login_failure()


def end_session_url(request, id_token: str) -> str | None:
    """The provider's log-out page for this sign-in, back to the app after; None when
    the provider has none (or does not answer: the app's log-out still happens)."""
    if not sso_enabled():
        return None
    try:
        endpoint = discovery().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not isinstance(endpoint, str) or not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
            "client_id": settings.OIDC_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
