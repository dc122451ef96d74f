"""Administrators' writes through the API: accounts. Team memberships go through
teams.services, as the pages' do, so their rules and revisions apply."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import AccessToken


@transaction.atomic
def account_create(*, username: str, email: str, password: str):
    user = get_user_model()(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def account_deactivate(*, user) -> None:
    """The account can no longer sign in nor use its tokens (they are revoked too)."""
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    AccessToken.objects.filter(owner=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
