"""The link that confirms an e-mail address: Django's signing, nothing hand-made.

The link carries, signed and timestamped (`django.core.signing`, a TimestampSigner):
the account, the address to confirm (the account's own, or the new one it asked for),
where to go next (an invitation, say), and a digest of the account's address and
confirmation as they were when the link left. Once either changes (the address was
confirmed, or changed again), the digest no longer matches and the link is spent, as
Django's password reset tokens are once the password changes.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "accounts.email-confirmation"
VALID_FOR = timedelta(days=3)


@dataclass(frozen=True)
class ConfirmationLink:
    user: Any
    email: str
    next_url: str


def _state(user) -> str:
    try:
        confirmation = user.email_confirmation
        confirmed = f"{confirmation.email}|{confirmation.confirmed_at.isoformat()}"
    except ObjectDoesNotExist:
        confirmed = ""
    return salted_hmac(SALT, f"{user.pk}|{user.email}|{confirmed}").hexdigest()[:20]


def confirmation_token(*, user, email: str, next_url: str = "") -> str:
    payload = {"u": user.pk, "e": email, "s": _state(user), "n": next_url}
    return signing.dumps(payload, salt=SALT, compress=True)


def confirmation_read(token: str) -> ConfirmationLink | None:
    """What a link stands for, or None when it is forged, expired or spent."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    pk, email, state, next_url = (payload.get(k) for k in ("u", "e", "s", "n"))
    if not (isinstance(pk, int) and isinstance(email, str) and isinstance(state, str)):
        return None
    user = (
        get_user_model()
        .objects.select_related("email_confirmation")
        .filter(pk=pk, is_active=True)
        .first()
    )
    if user is None or not constant_time_compare(state, _state(user)):
        return None
    return ConfirmationLink(
        user=user, email=email, next_url=next_url if isinstance(next_url, str) else ""
    )
