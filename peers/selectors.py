"""Reads of peer input that pages share: a link's state, a request's figures."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

import scoring
from assessments.models import Assessment

from .models import PeerInvitation, PeerRating, PeerRequest


class LinkState(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"  # no such token, or its request was deleted with the account
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CLOSED = "closed"  # the review cycle closed: its answers and ratings are frozen


def link_state(invitation: PeerInvitation | None) -> LinkState:
    if invitation is None:
        return LinkState.UNKNOWN
    if invitation.answered_at is not None:
        return LinkState.ANSWERED
    if invitation.request.withdrawn_at is not None:
        return LinkState.WITHDRAWN
    cycle = invitation.request.assessment.cycle
    if cycle is None or not cycle.is_open:
        return LinkState.CLOSED
    if invitation.expires_at <= timezone.now():
        return LinkState.EXPIRED
    return LinkState.OPEN


def first_name(user) -> str:
    """What a peer is told of the person: their first name, else their username."""
    return (user.first_name or "").strip() or user.get_username()


def average(total: int, count: int) -> float:
    """A mean to one decimal, halves rounded up as the fit is (1, 2, 2 -> 1.7)."""
    exact = Decimal(total) / Decimal(count)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class PeerSummary:
    """What the member and their managers may see of a request: how many answered, and
    each skill's average once at least PeerRequest.SHOWN_FROM did; never one answer."""

    request: PeerRequest
    invited: int
    answered: int
    skill_ids: list[int]
    averages: dict[int, float] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.answered >= PeerRequest.SHOWN_FROM


def peer_summary(assessment: Assessment) -> PeerSummary | None:
    """The assessment's open request and its figures, or None: 1 query without a
    request, 3 with one, whatever the number of peers and skills."""
    request = (
        PeerRequest.objects.filter(assessment=assessment, withdrawn_at=None)
        .annotate(
            invited=Count("invitations"),
            answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False)),
        )
        .first()
    )
    if request is None:
        return None
    summary = PeerSummary(
        request=request,
        invited=request.invited,  # type: ignore[attr-defined]
        answered=request.answered,  # type: ignore[attr-defined]
        skill_ids=list(request.skills.order_by("pk").values_list("pk", flat=True)),
    )
    if summary.shown:
        sums = (
            PeerRating.objects.filter(request=request)
            .values("skill_id")
            .annotate(total=Sum("level"), count=Count("pk"))
        )
        summary.averages = {row["skill_id"]: average(row["total"], row["count"]) for row in sums}
    return summary


def with_peers(rows: list[dict[str, Any]], summary: PeerSummary | None) -> None:
    """Add the peers' average (None while hidden or not asked) and the blind spot against
    it to review rows: self and peers 2 levels or more apart, the managers' rule."""
    for row in rows:
        peers = summary.averages.get(row["skill_id"]) if summary else None
        row["peers"] = peers
        row["peer_blind_spot"] = scoring.is_blind_spot(row["self"], peers)
