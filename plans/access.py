"""Who may read a plan: its owner; and the managers of a team the owner shared it with,
while the owner is a member of that team and they are its managers. Today's memberships
are read on every request, so removing, demoting or unsharing ends it at once. Anyone
else is told "not found" (404), as for assessments."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from teams.models import Team, TeamMembership

from .models import PlanItem, PlanShare

MANAGER, MEMBER = TeamMembership.Kind.MANAGER, TeamMembership.Kind.MEMBER


def _shares(manager, owner):
    """The owner's shares that `manager` reads: two filter() calls, two joins, the reader
    a manager of the share's team and the owner a member of it."""
    return PlanShare.objects.filter(
        owner=owner, team__memberships__user=manager, team__memberships__kind=MANAGER
    ).filter(team__memberships__user=owner, team__memberships__kind=MEMBER)


def readable_items(user):
    """Plan items the user may read: their own, and those of the plans shared with them."""
    return PlanItem.objects.filter(Q(owner=user) | Exists(_shares(user, OuterRef("owner"))))


def readable_item(user, pk: int) -> PlanItem:
    return get_object_or_404(readable_items(user), pk=pk)


def shared_plan(manager, team_id: int, owner_id: int) -> tuple[Team, object]:
    """The team and the owner whose plan `manager` may read through that team, or 404."""
    share = _shares(manager, owner_id).filter(team_id=team_id).select_related("team", "owner")
    found = share.first()
    if found is None:
        raise Http404("No such shared plan.")
    return found.team, found.owner
