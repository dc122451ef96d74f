"""Reads for team reviews. Every lookup is limited to what the user may see: a team
that is not theirs, or not theirs to manage, is not found (404)."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from careers.models import Skill

from .dashboard import MemberData
from .models import Assessment, Invitation, ManagerRating, ReviewCycle, Team, TeamMembership


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
    team = team_for_manager(user, team_pk)
    return get_object_or_404(ReviewCycle.objects.select_related("team"), team=team, pk=pk)


def member_assessment_for_manager(user, team_pk: int, pk: int) -> Assessment:
    """A member's assessment made for a cycle of a team the user manages."""
    team = team_for_manager(user, team_pk)
    return get_object_or_404(
        Assessment.objects.select_related("owner", "cycle"), pk=pk, cycle__team=team
    )


def is_manager_of_assessment(user, assessment: Assessment) -> bool:
    return bool(
        assessment.cycle_id
        and TeamMembership.objects.filter(
            team__cycles=assessment.cycle_id, user=user, kind=TeamMembership.Kind.MANAGER
        ).exists()
    )


STATUSES = ("invited", "not_started", "in_progress", "submitted", "reviewed")


@dataclass
class MemberStatus:
    membership: TeamMembership | None
    invitation: Invitation | None
    assessment: Assessment | None
    rated: int
    status: str  # one of STATUSES
    ratings: dict[str, int] = field(default_factory=dict)  # skill code -> manager's level

    @property
    def name(self) -> str:
        if self.membership:
            return self.membership.user.get_username()
        return self.invitation.email if self.invitation else ""


def cycle_members(cycle: ReviewCycle) -> list[MemberStatus]:
    """Each member's status in the cycle, pending invitations included (4 queries).

    Assessments come with their small digest, not their snapshot, and ratings as
    (assessment, skill code, level) tuples: a 200-person cycle stays a few MB of work.
    """
    memberships = list(
        cycle.team.memberships.filter(kind=TeamMembership.Kind.MEMBER)
        .select_related("user", "target_role")
        .order_by("user__username")
    )
    assessments = {a.owner_id: a for a in Assessment.objects.filter(cycle=cycle).defer("snapshot")}
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for assessment_id, code, level in ManagerRating.objects.filter(
        assessment__cycle=cycle
    ).values_list("assessment_id", "skill__code", "level"):
        ratings[assessment_id][code] = level
    rows = []
    for membership in memberships:
        assessment = assessments.get(membership.user_id)
        given = ratings.get(assessment.pk, {}) if assessment else {}
        if assessment is None:
            status = "not_started"
        elif assessment.is_draft:
            status = "in_progress"
        elif assessment.digest and len(given) >= len(assessment.digest.get("levels", {})):
            status = "reviewed"
        else:
            status = "submitted"
        rows.append(MemberStatus(membership, None, assessment, len(given), status, given))
    pending = [
        i
        for i in cycle.team.invitations.filter(
            accepted_at=None, revoked_at=None, kind=TeamMembership.Kind.MEMBER
        )
        if i.is_usable
    ]
    rows += [MemberStatus(None, invitation, None, 0, "invited") for invitation in pending]
    return rows


def dashboard_data(rows: list[MemberStatus]) -> list[MemberData]:
    return [
        MemberData(
            key=row.membership.pk,
            name=row.name,
            snapshot=row.assessment.digest
            if row.assessment and not row.assessment.is_draft
            else None,
            ratings=row.ratings,
            target_role=row.membership.target_role.code if row.membership.target_role else None,
            assessment_id=row.assessment.pk if row.assessment else None,
        )
        for row in rows
        if row.membership
    ]


def next_step_actions(wanted: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The frozen next steps of some skills, each read from one assessment's snapshot.

    `wanted` maps a skill code to an assessment that has it (1 query).
    """
    found: dict[str, list[dict[str, Any]]] = {}
    if not wanted:
        return found
    skills_of = dict(
        Assessment.objects.filter(pk__in=set(wanted.values())).values_list("pk", "snapshot__skills")
    )
    for code, pk in wanted.items():
        found[code] = ((skills_of.get(pk) or {}).get(code) or {}).get("actions", [])
    return found


def previous_cycle(cycle: ReviewCycle) -> ReviewCycle | None:
    return (
        ReviewCycle.objects.select_related("team")
        .filter(team=cycle.team_id, opened_at__lt=cycle.opened_at)
        .order_by("-opened_at")
        .first()
    )


def member_cycles(user) -> list[tuple[ReviewCycle, TeamMembership, Assessment | None]]:
    """Open cycles of the teams the user belongs to as a member, with their assessment."""
    memberships = {
        m.team_id: m
        for m in TeamMembership.objects.filter(
            user=user, kind=TeamMembership.Kind.MEMBER
        ).select_related("team", "target_role")
    }
    cycles = ReviewCycle.objects.filter(team_id__in=memberships).select_related("team")
    mine = {a.cycle_id: a for a in Assessment.objects.filter(owner=user, cycle__in=cycles)}
    return [(c, memberships[c.team_id], mine.get(c.pk)) for c in cycles]


def catalogue_order() -> dict[str, tuple[int, ...]]:
    """Each skill's place in today's catalogue, for ordering columns across snapshots."""
    return {
        code: (category_order, order, pk)
        for code, category_order, order, pk in Skill.objects.values_list(
            "code", "category__order", "order", "pk"
        )
    }
