"""Writes for a person's own account: sign-up, confirming an address, deletion."""

import logging
import re
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.services import mail_queue
from teams.models import Team
from teams.selectors import (
    DepartureBlocker,
    cycles_of_person,
    departure_blockers,
    teams_only_of,
)
from teams.services import cycles_refigure

from . import throttle
from .models import EmailConfirmation
from .tokens import VALID_FOR, confirmation_token

logger = logging.getLogger(__name__)

# Turns a path of the site into the absolute link a message carries
# (request.build_absolute_uri in a view).
LinkFor = Callable[[str], str]


def _mail(template: str, *, to: str, context: dict) -> bool:
    """Queue registration/<template>_subject.txt and _email.txt, in the active language
    (notifications.services.mail_queue: a task sends it once the transaction commits,
    retried with back-off; a failure is logged and shown in the admin)."""
    subject = " ".join(render_to_string(f"registration/{template}_subject.txt", context).split())
    body = render_to_string(f"registration/{template}_email.txt", context)
    mail_queue(to=to, subject=subject, text=body)
    return True


def _address_taken_notify(*, email: str, link_for: LinkFor) -> None:
    """Tell an address that someone tried to use it for another account; at most a few
    such notices an hour reach one address (a sign-up form cannot be used to flood it)."""
    if not throttle.throttle_allow(rule=throttle.NOTICE_PER_ADDRESS, key=email):
        return
    _mail(
        "address_taken",
        to=email,
        context={
            "login_link": link_for(reverse("login")),
            "reset_link": link_for(reverse("password_reset")),
        },
    )


def _confirmation_mail(*, user, email: str, next_url: str, link_for: LinkFor) -> bool:
    token = confirmation_token(user=user, email=email, next_url=next_url)
    return _mail(
        "email_confirmation",
        to=email,
        context={
            "username": user.get_username(),
            "email": email,
            "link": link_for(reverse("email_confirm", args=[token])),
            "days": VALID_FOR.days,
            "change": email.lower() != user.email.lower(),
        },
    )


def account_sign_up(
    *, username: str, email: str, password: str, next_url: str, link_for: LinkFor
) -> None:
    """Create the account and mail the link that confirms its address; or, when an
    account already uses the address, create nothing and tell that address instead.

    The visitor sees the same outcome either way (the form promises the address is never
    shown): one message leaves for the address given, and the password is hashed in
    both cases so that the time taken says nothing either.
    """
    email = email.strip().lower()
    users = get_user_model().objects
    if users.filter(email__iexact=email).exists():
        make_password(password)
        _address_taken_notify(email=email, link_for=link_for)
        return
    try:
        with transaction.atomic():
            user = users.create_user(username=username, email=email, password=password)
    except IntegrityError:  # the same username sent twice at once: the first one stands
        return
    email_confirmation_send(user=user, next_url=next_url, link_for=link_for)


def email_confirmation_send(
    *, user, link_for: LinkFor, email: str | None = None, next_url: str = ""
) -> bool:
    """Mail a link that confirms `email` (the account's own address by default, or the
    new one it asked for); False when the account asked for too many links this hour.

    A new address that another account uses gets the notice that someone tried to use
    it, and the account asking is told the same as for any address.
    """
    if not throttle.throttle_allow(rule=throttle.CONFIRM_PER_ACCOUNT, key=str(user.pk)):
        return False
    email = (email or user.email).strip().lower()
    if (
        email != user.email.lower()
        and get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
    ):
        _address_taken_notify(email=email, link_for=link_for)
        return True
    _confirmation_mail(user=user, email=email, next_url=next_url, link_for=link_for)
    return True


def email_confirm(*, user, email: str) -> bool:
    """Record that the person reads `email`, which becomes the account's address if it
    was a new one; False when another account holds that address now."""
    email = email.strip().lower()
    users = get_user_model().objects
    with transaction.atomic():
        user = users.select_for_update().get(pk=user.pk)
        if users.filter(email__iexact=email).exclude(pk=user.pk).exists():
            return False
        # Another account's confirmation of this address no longer stands (that account
        # changed its address since): it would only block the unique constraint.
        EmailConfirmation.objects.filter(email__iexact=email).exclude(user=user).delete()
        if user.email != email:
            user.email = email
            user.save(update_fields=["email"])
        EmailConfirmation.objects.update_or_create(
            user=user, defaults={"email": email, "confirmed_at": timezone.now()}
        )
    return True


class DeletionBlocked(Exception):
    """The account cannot be deleted yet; `blockers` says why, team by team."""

    def __init__(self, blockers: list[DepartureBlocker]) -> None:
        self.blockers = blockers
        super().__init__(", ".join(f"{b.team.pk}:{b.reason}" for b in blockers))


def account_delete(*, user) -> None:
    """Delete the person with their assessments, answers, ratings received and
    memberships, and the teams they were alone in; never another person's assessment.
    The closed cycles that counted their results store their figures again without them.

    Refused (DeletionBlocked) while they are the only manager of a team that has other
    people, or the last person of a team whose cycles hold the assessments of people who
    left it (Assessment.cycle protects those). The teams' rows are locked first, so that
    nobody joins a team between the check and its deletion.
    """
    pk = user.pk
    try:
        with transaction.atomic():
            list(
                Team.objects.select_for_update(of=("self",))
                .filter(memberships__user=user)
                .values_list("pk", flat=True)
            )
            blockers = departure_blockers(user)
            if blockers:
                raise DeletionBlocked(blockers)
            alone = teams_only_of(user)
            cycle_ids = cycles_of_person(user)
            user.delete()  # first: the cycles of these teams hold the user's assessments
            Team.objects.filter(pk__in=alone).delete()
            cycles_refigure(cycle_ids=cycle_ids)  # closed cycles' figures, without them
    except (ProtectedError, RestrictedError):
        # Someone's assessment reached one of those teams after the check; the deletion
        # rolled back, but Django had already cleared the instance's id.
        user.pk = pk
        raise DeletionBlocked(departure_blockers(user)) from None


def password_reset_unknown_address(*, email: str, link_for: LinkFor) -> None:
    """Answer a reset asked for an address that no account can use: the message says
    so, and how to sign up. A reset request then always sends one message, whether or
    not an account uses the address, and takes about the same time."""
    _mail(
        "password_reset_unknown",
        to=email,
        context={"email": email, "signup_link": link_for(reverse("signup"))},
    )


class SignInNotAllowed(Exception):
    """Single sign-on found an account that may not sign in; `reason` says why:
    "inactive", or "ambiguous" (several accounts use the address)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _free_username(email: str) -> str:
    """A username from the address's local part (the address itself is never shown to
    other people), numbered when taken."""
    users = get_user_model().objects
    base = re.sub(r"[^\w.+-]", "", email.split("@", 1)[0])[:140] or "user"
    candidate, number = base, 1
    while users.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def sso_account(*, email: str):
    """The account that the provider's verified address `email` signs in to: the one
    that uses it, or a new one (no password). Either way the address is confirmed.

    An account whose address was never confirmed loses its password: whoever chose it
    never proved they read that address, and the provider has just proved someone else
    does (a sign-up made in a person's name before they first signed in cannot keep a
    way in). Raises SignInNotAllowed for a disabled account, or when several accounts
    use the address.
    """
    email = email.strip().lower()
    users = get_user_model().objects
    with transaction.atomic():
        found = list(users.select_for_update().filter(email__iexact=email)[:2])
        if len(found) > 1:
            raise SignInNotAllowed("ambiguous")
        if found:
            user = found[0]
            if not user.is_active:
                raise SignInNotAllowed("inactive")
            confirmation = EmailConfirmation.objects.filter(user=user).first()
            if (
                not (confirmation and confirmation.confirms(user.email))
                and user.has_usable_password()
            ):
                user.set_unusable_password()
                user.save(update_fields=["password"])
        else:
            # No password given: an unusable one.
            user = users.create_user(username=_free_username(email), email=email)
    email_confirm(user=user, email=email)
    return user
