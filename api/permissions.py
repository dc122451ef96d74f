"""Who may call what: the same rules as the pages, plus the token's scope."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from careers.admin import CATALOGUE_PERMISSIONS

from .models import AccessToken

PROVISIONING_PERMISSIONS = ["auth.add_user", "auth.change_user"]


class TokenScope(permissions.BasePermission):
    """A read token reads; writing (any method but GET, HEAD, OPTIONS) needs a write token."""

    message = _("This token may only read: create a token with the write scope.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return isinstance(token, AccessToken) and token.can_write


def is_editor(user) -> bool:
    """May change the catalogue: the permissions the admin's import asks for."""
    return bool(user and user.is_authenticated and user.has_perms(CATALOGUE_PERMISSIONS))


def is_provisioner(user) -> bool:
    """May create and deactivate accounts and set team memberships (staff with the rights)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perms(PROVISIONING_PERMISSIONS)
    )


class IsEditor(permissions.BasePermission):
    message = _("Only catalogue editors may do this.")

    def has_permission(self, request, view) -> bool:
        return is_editor(request.user)


class IsProvisioner(permissions.BasePermission):
    message = _("Only administrators may do this.")

    def has_permission(self, request, view) -> bool:
        return is_provisioner(request.user)
