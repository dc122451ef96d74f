"""Who may open what in this app: one rule per kind of object, used by every view and export.

Every lookup is limited to what the user may see: a team that is not theirs, or not
theirs to manage, is not found (404), and so is anything in it.

- A team page: its members and managers. Managing it (invitations, members, cycles):
  its managers.
- A review cycle: the managers of its team (dashboard, matrix, closing); a member
  starts their own assessment for it.
- A member's review (the manager's side by side, rating, sharing): the managers of the
  team the assessment was made for, while its owner is a member of that team (as
  assessments/access.py has it for the result files). The member reads it once shared,
  as their own, in the team or not: it is about them, and it was shown to them.
- An invitation: whoever holds its link may read it; only the account whose confirmed
  address is the invited one may accept it (`invitation_standing`).

Every rule reads today's memberships: a removal, a change of kind, a departure or a
deleted account takes access away at the next request.
"""

from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.models import Assessment

from .models import Invitation, ReviewCycle, Team, TeamMembership


def teams_of(user) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user)


def team_for_member(user, pk: int) -> tuple[Team, TeamMembership]:
    membership = get_object_or_404(
        # team__pk, not team_id: its lookup turns an id beyond the column's range into
        # "not found" instead of a database error.
        TeamMembership.objects.select_related("team", "target_role"),
        team__pk=pk,
        user=user,
    )
    return membership.team, membership


def team_for_manager(user, pk: int) -> Team:
    return get_object_or_404(
        Team,
        pk=pk,
        memberships__user=user,
        memberships__kind=TeamMembership.Kind.MANAGER,
    )


def cycle_for_manager(user, team_pk: int, pk: int) -> ReviewCycle:
    # One query: the dashboard's cached path is a handful of them, this one included.
    return get_object_or_404(
        ReviewCycle.objects.select_related("team"),
        pk=pk,
        team__pk=team_pk,
        team__memberships__user=user,
        team__memberships__kind=TeamMembership.Kind.MANAGER,
    )


def member_assessment_for_manager(user, team_pk: int, pk: int) -> Assessment:
    """An assessment made for a cycle of a team the user manages, by one of its members."""
    team = team_for_manager(user, team_pk)
    return get_object_or_404(
        Assessment.objects.select_related("owner", "cycle"),
        pk=pk,
        cycle__team=team,
        cycle__team__memberships__user=F("owner"),
        cycle__team__memberships__kind=TeamMembership.Kind.MEMBER,
    )


def invitation_for_manager(user, team_pk: int, pk: int) -> Invitation:
    team = team_for_manager(user, team_pk)
    return get_object_or_404(Invitation.objects.select_related("team"), team=team, pk=pk)


def membership_for_manager(user, team_pk: int, pk: int) -> TeamMembership:
    team = team_for_manager(user, team_pk)
    return get_object_or_404(
        TeamMembership.objects.select_related("team", "user"), team=team, pk=pk
    )


def cycle_for_member(user, team_pk: int, pk: int) -> tuple[ReviewCycle, TeamMembership]:
    """A cycle of a team the user belongs to as a member (managers rate, members self-assess)."""
    team, membership = team_for_member(user, team_pk)
    if membership.is_manager:
        raise Http404("Review cycles are for members.")
    return get_object_or_404(team.cycles.select_related("team"), pk=pk), membership


def shared_review_get(user, pk: int) -> Assessment:
    """The user's own submitted assessment whose review a manager has shared, or 404."""
    return get_object_or_404(
        Assessment.objects.filter(
            owner=user, status=Assessment.Status.SUBMITTED, review_shared_at__isnull=False
        ),
        pk=pk,
    )


def confirmed_email(user) -> str:
    """The account's address, lowercased, once the link mailed to it was followed; else "".

    The accounts app keeps it (`EmailConfirmation`, which holds while the account's
    address is still the confirmed one); teams reads it through the user's relation, as
    it does not import accounts (docs/DESIGN.md).
    """
    try:
        confirmation = user.email_confirmation
    except ObjectDoesNotExist:
        return ""
    return user.email.lower() if confirmation.confirms(user.email) else ""


class Standing(StrEnum):
    """Whether a signed-in account may accept an invitation."""

    MAY_ACCEPT = "may-accept"
    UNCONFIRMED = "unconfirmed"  # the invited address, not confirmed yet
    OTHER_ADDRESS = "other-address"  # the invitation names another address


def invitation_standing(invitation: Invitation, user) -> Standing:
    """An invitation is for the address it was sent to: only the account whose confirmed
    address it is may accept it (letters compared regardless of case). Anyone else who
    holds the link, a forwarded one say, would otherwise join the team, as a manager if
    the invitation says so, and read every member's notes."""
    if (user.email or "").strip().lower() != invitation.email.lower():
        return Standing.OTHER_ADDRESS
    if confirmed_email(user) != invitation.email.lower():
        return Standing.UNCONFIRMED
    return Standing.MAY_ACCEPT
