"""What every page needs to know about signing in: single sign-on, local accounts."""

from django.conf import settings

from .oidc import provider_name, sso_enabled


def sign_in(request) -> dict:
    return {
        "sso_enabled": sso_enabled(),
        "sso_provider": provider_name(),
        "local_accounts": settings.LOCAL_ACCOUNTS,
    }
