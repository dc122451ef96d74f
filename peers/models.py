"""Peer input on a member's review: a few colleagues rate a few chosen skills.

A request names 2 to 5 addresses; each gets a single-use link (its token kept only as a
SHA-256 digest). A peer's ratings are stored against the request, not against the
invitation: once written, nothing in the database says which peer gave which level.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from careers.models import Level, Skill


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PeerRequest(models.Model):
    """Colleagues asked to rate some skills of one submitted cycle assessment."""

    MIN_PEERS, MAX_PEERS = 2, 5
    MIN_SKILLS, MAX_SKILLS = 1, 8
    # The average is shown only once this many peers answered: below it, one answer
    # could be told from the others.
    SHOWN_FROM = 3

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="peer_requests",
        verbose_name=_("assessment"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    skills = models.ManyToManyField(Skill, related_name="+", verbose_name=_("skills"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("peer request")
        verbose_name_plural = _("peer requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(withdrawn_at__isnull=True),
                name="peers_peerrequest_one_open_per_assessment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("peers:assessment", args=[self.assessment_id])


class PeerInvitation(models.Model):
    """One colleague's single-use link to answer a request."""

    VALID_FOR_DAYS = 14

    request = models.ForeignKey(
        PeerRequest,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("request"),
    )
    email = models.EmailField(_("email address"))
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("peer invitation")
        verbose_name_plural = _("peer invitations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "email"], name="peers_peerinvitation_one_per_address"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.request}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PeerRating(models.Model):
    """One level given by a peer, kept against the request only (see the module)."""

    request = models.ForeignKey(
        PeerRequest, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("request")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)

    class Meta:
        verbose_name = _("peer rating")
        verbose_name_plural = _("peer ratings")
        ordering = ["request", "skill"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=4), name="peers_peerrating_level_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.skill_id}: {self.level}"
