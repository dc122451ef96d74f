"""Creating, finding and revoking personal access tokens.

A token is `skl_` and `secrets.token_urlsafe(32)`; the database holds its SHA-256 digest
and its first characters (to show which one it is), so a leaked database gives no token.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .models import AccessToken

MARK = "skl_"
PREFIX_LENGTH = 12
# last_used_at is written at most this often per token: a busy client costs no write a request.
LAST_USED_EVERY = timedelta(minutes=1)
TOKENS_PER_PERSON = 20


class TooManyTokens(Exception):
    pass


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, owner, name: str, scope: str) -> tuple[AccessToken, str]:
    """A new token and its secret, which is returned here only and never kept."""
    if live_tokens(owner).count() >= TOKENS_PER_PERSON:
        raise TooManyTokens
    secret = MARK + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        owner=owner,
        name=name,
        scope=scope,
        prefix=secret[:PREFIX_LENGTH],
        digest=digest_of(secret),
    )
    return token, secret


def token_revoke(*, owner, pk: int) -> bool:
    """Revoke one of the owner's tokens; False if it is not theirs or already revoked."""
    return bool(
        AccessToken.objects.filter(owner=owner, pk=pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def live_tokens(owner):
    now = timezone.now()
    return AccessToken.objects.filter(owner=owner, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def token_find(secret: str) -> AccessToken | None:
    """The live token of an active account that `secret` is, or None."""
    if not secret.startswith(MARK) or len(secret) > 100:
        return None
    now = timezone.now()
    token = (
        AccessToken.objects.select_related("owner")
        .filter(digest=digest_of(secret), revoked_at__isnull=True, owner__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
