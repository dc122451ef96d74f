"""Writes of peer input: asking colleagues, withdrawing the request, a peer's answer."""

import secrets
from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from careers.models import Level
from notifications.models import Preference
from notifications.services import link, mail_queue

from .models import PeerInvitation, PeerRating, PeerRequest, token_digest
from .selectors import LinkState, first_name, link_state

LANGUAGES = {code for code, _name in settings.LANGUAGES}


class PeerRequestRefused(ValueError):
    """The request breaks a rule; the message says which, in the reader's language."""


class LinkUnusable(ValueError):
    def __init__(self, state: LinkState) -> None:
        super().__init__(state)
        self.state = state


def _addresses(emails: Iterable[str], *, assessment: Assessment, requested_by) -> list[str]:
    addresses = [email.strip().lower() for email in emails if email.strip()]
    if len(set(addresses)) != len(addresses):
        raise PeerRequestRefused(_("Each address can be named once only."))
    if not PeerRequest.MIN_PEERS <= len(addresses) <= PeerRequest.MAX_PEERS:
        raise PeerRequestRefused(
            _("Name between %(min)d and %(max)d colleagues.")
            % {"min": PeerRequest.MIN_PEERS, "max": PeerRequest.MAX_PEERS}
        )
    own = {(assessment.owner.email or "").strip().lower()} - {""}
    if own & set(addresses):
        raise PeerRequestRefused(_("The person reviewed cannot be one of their own peers."))
    if requested_by.pk != assessment.owner_id and (requested_by.email or "").lower() in addresses:
        raise PeerRequestRefused(_("You rate as the manager: name other colleagues."))
    return addresses


def _languages(addresses: list[str], fallback: str) -> dict[str, str]:
    """Each address's language: that of its account's last visit where one is known,
    else the requester's."""
    known = dict(
        Preference.objects.annotate(address=Lower("user__email"))
        .filter(address__in=addresses)
        .values_list("address", "language")
    )
    fallback = fallback if fallback in LANGUAGES else settings.LANGUAGE_CODE
    return {address: known.get(address, fallback) for address in addresses}


def peer_request_create(
    *,
    assessment: Assessment,
    requested_by,
    skill_ids: Iterable[int],
    emails: Iterable[str],
    language: str,
) -> PeerRequest:
    """Ask 2 to 5 colleagues to rate 1 to 8 of the assessment's skills; each gets a
    single-use link by e-mail once the request is committed."""
    if assessment.is_draft or assessment.cycle is None:
        raise PeerRequestRefused(_("Peers rate a submitted assessment of a review cycle."))
    if not assessment.cycle.is_open:
        raise PeerRequestRefused(_("This review cycle is closed."))
    chosen = sorted(set(skill_ids))
    snapshot_ids = {skill["id"] for skill in assessment.read_snapshot()["skills"].values()}
    if not set(chosen) <= snapshot_ids:
        raise PeerRequestRefused(_("Choose skills of this assessment."))
    if not PeerRequest.MIN_SKILLS <= len(chosen) <= PeerRequest.MAX_SKILLS:
        raise PeerRequestRefused(
            _("Choose between %(min)d and %(max)d skills.")
            % {"min": PeerRequest.MIN_SKILLS, "max": PeerRequest.MAX_SKILLS}
        )
    addresses = _addresses(emails, assessment=assessment, requested_by=requested_by)
    languages = _languages(addresses, language)
    now = timezone.now()
    tokens = {address: secrets.token_urlsafe(32) for address in addresses}
    try:
        with transaction.atomic():
            # The one-open-request constraint refuses a second request made meanwhile.
            request = PeerRequest.objects.create(assessment=assessment, requested_by=requested_by)
            request.skills.set(chosen)
            PeerInvitation.objects.bulk_create(
                PeerInvitation(
                    request=request,
                    email=address,
                    token_digest=token_digest(tokens[address]),
                    created_at=now,
                    expires_at=now + timedelta(days=PeerInvitation.VALID_FOR_DAYS),
                )
                for address in addresses
            )
            for address in addresses:
                _mail(request, address, tokens[address], languages[address])
    except IntegrityError:
        raise PeerRequestRefused(
            _("Colleagues are already asked for this assessment: withdraw that request first.")
        ) from None
    return request


def _mail(request: PeerRequest, address: str, token: str, language: str) -> None:
    from django.template.loader import render_to_string

    assessment = request.assessment
    context = {
        "name": first_name(assessment.owner),
        "skills": request.skills.count(),
        "days": PeerInvitation.VALID_FOR_DAYS,
        "link": link(reverse("peers:answer", args=[token])),
    }
    with translation.override(language):
        subject = render_to_string("peers/mail_subject.txt", context)
        text = render_to_string("peers/mail.txt", context)
        html = render_to_string("peers/mail.html", context)
    mail_queue(to=address, subject=subject, text=text, html=html)


def peer_request_withdraw(*, request: PeerRequest) -> None:
    """End the request: its links say so, its answers are no longer shown, and another
    request may be made."""
    PeerRequest.objects.filter(pk=request.pk, withdrawn_at=None).update(withdrawn_at=timezone.now())


def peer_answer(*, token: str, levels: Mapping[int, int]) -> None:
    """A peer's levels for every chosen skill, taken once: of two submissions of one
    link, the first to mark it answered writes; the other gets LinkUnusable(ANSWERED)."""
    with transaction.atomic():
        invitation = (
            PeerInvitation.objects.select_related("request__assessment__cycle")
            .filter(token_digest=token_digest(token))
            .first()
        )
        state = link_state(invitation)
        if state is not LinkState.OPEN:
            raise LinkUnusable(state)
        assert invitation is not None
        chosen = set(invitation.request.skills.values_list("pk", flat=True))
        if set(levels) != chosen or not all(level in Level.values for level in levels.values()):
            raise ValueError("A level from 0 to 4 for each chosen skill.")
        # The conditional update is the single use: a concurrent one waits for this
        # transaction, then finds the row answered and changes nothing.
        taken = PeerInvitation.objects.filter(pk=invitation.pk, answered_at=None).update(
            answered_at=timezone.now()
        )
        if not taken:
            raise LinkUnusable(LinkState.ANSWERED)
        PeerRating.objects.bulk_create(
            PeerRating(request_id=invitation.request_id, skill_id=skill_id, level=level)
            for skill_id, level in sorted(levels.items())
        )
