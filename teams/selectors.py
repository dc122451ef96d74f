"""Reads for team pages that views share; who may see what is in access.py."""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from django.db.models import Count, Q

import scoring
from assessments.models import Assessment
from assessments.results import pick
from careers.models import Skill, SkillCategory

from .dashboard import Category, MemberData
from .models import Invitation, ManagerRating, ReviewCycle, Team, TeamMembership

M = TypeVar("M", bound="TeamMembership | BoardMembership")


@lru_cache(maxsize=65536)  # a pure function of the text; a board sorts the same names again
def natural_key(text: str) -> tuple:
    """The order people expect of names: numbers by value (member-2 before member-10),
    case and accents ignored (élodie beside Elodie), the text itself breaking ties."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
    parts = tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", folded) if p
    )
    return (parts, text)


def by_username(memberships: Iterable[M]) -> list[M]:
    """Memberships (or BoardMemberships) in the natural order of their people's usernames."""
    return sorted(memberships, key=lambda m: natural_key(m.user.get_username()))


def review_rows(assessment: Assessment, *, notes: bool = False) -> list[dict[str, Any]]:
    """Self beside manager for each skill of a submitted assessment, in catalogue order.

    For the manager's review page (with the member's evidence notes) and for the member's
    shared review (without them: a member knows their own notes).
    """
    snapshot = assessment.read_snapshot()
    ratings = {r.skill_id: r for r in assessment.ratings.all()}
    evidence = {a.skill_id: a.note for a in assessment.answers.all()} if notes else {}
    rows = []
    for code, skill in sorted(snapshot["skills"].items(), key=lambda item: item[1]["order"]):
        own = snapshot["levels"].get(code)
        rating = ratings.get(skill["id"])
        manager = rating.level if rating else None
        rows.append(
            {
                "code": code,
                "skill_id": skill["id"],
                "name": pick(skill["name"]),
                "self": own,
                "note": evidence.get(skill["id"], ""),
                "manager": manager,
                "comment": rating.comment if rating else "",
                "version": rating.version if rating else "",  # what the review form carries
                "blind_spot": scoring.is_blind_spot(own, manager),
            }
        )
    return rows


STATUSES = ("invited", "not_started", "in_progress", "submitted", "reviewed")


class Person(NamedTuple):
    username: str

    def get_username(self) -> str:
        return self.username


class RoleName(NamedTuple):
    pk: int
    code: str
    name: str  # in the board's language


class BoardMembership(NamedTuple):
    """A member as the team board reads them: values, not model instances (for 1,000
    members, 3.7 ms against 22 ms), with the attributes of TeamMembership it reads."""

    pk: int
    user_id: int
    user: Person
    target_role_id: int | None
    target_role: RoleName | None


class BoardAssessment(NamedTuple):
    """A member's assessment of the cycle as the board reads it (values, as above)."""

    pk: int
    owner_id: int
    status: str
    mode: str
    revision: int
    review_shared_at: datetime | None

    @property
    def is_draft(self) -> bool:
        return self.status == Assessment.Status.DRAFT

    @property
    def is_quick(self) -> bool:
        return self.mode == Assessment.Mode.QUICK


@dataclass
class MemberStatus:
    membership: TeamMembership | BoardMembership | None
    invitation: Invitation | None
    assessment: Assessment | BoardAssessment | None
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
    Each digest's version is checked (Assessment.read_digest), nothing more.
    """
    memberships = by_username(
        cycle.team.memberships.filter(kind=TeamMembership.Kind.MEMBER).select_related(
            "user", "target_role"
        )
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
        elif (digest := assessment.read_digest()) and len(given) >= len(digest["levels"]):
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
            snapshot=row.assessment.read_digest()  # cycle_members' rows: model instances
            if isinstance(row.assessment, Assessment) and not row.assessment.is_draft
            else None,
            ratings=row.ratings,
            target_role=row.membership.target_role.code if row.membership.target_role else None,
            assessment_id=row.assessment.pk if row.assessment else None,
            provisional=bool(row.assessment and row.assessment.is_quick),
        )
        for row in rows
        if row.membership
    ]


def next_step_actions(wanted: dict[str, int]) -> dict[str, list[scoring.SnapshotAction]]:
    """The frozen next steps of some skills, each read from one assessment's snapshot.

    `wanted` maps a skill code to an assessment that has it (1 query, for the dashboard's
    few team gaps: a handful of snapshots).
    """
    found: dict[str, list[scoring.SnapshotAction]] = {}
    if not wanted:
        return found
    snapshots = {
        pk: scoring.read_snapshot(snapshot)
        for pk, snapshot in Assessment.objects.filter(
            pk__in=set(wanted.values()), snapshot__isnull=False
        ).values_list("pk", "snapshot")
    }
    for code, pk in wanted.items():
        snapshot = snapshots.get(pk)
        skill = snapshot["skills"].get(code) if snapshot else None
        found[code] = skill["actions"] if skill else []
    return found


def previous_cycle(cycle: ReviewCycle) -> ReviewCycle | None:
    """The cycle a dashboard compares with: the team's one opened just before."""
    return (
        ReviewCycle.objects.select_related("team")
        .filter(team=cycle.team_id, opened_at__lt=cycle.opened_at)
        .order_by("-opened_at", "-pk")
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


def skill_categories() -> dict[str, Category]:
    """Each skill's category in today's catalogue, named in the active language (the
    heatmap's column groups and its category filter; 2 queries)."""
    categories = {
        c.pk: Category(id=c.pk, name=c.name, order=c.order) for c in SkillCategory.objects.all()
    }
    return {
        code: categories[category_id]
        for code, category_id in Skill.objects.values_list("code", "category_id")
    }


@dataclass(frozen=True)
class DepartureBlocker:
    """Why the person cannot leave this team by deleting their account.

    - "members": they are its only manager and other people remain in it;
    - "results": they are the last person in it, and its review cycles hold the
      assessments of people who have left it: deleting the team would delete those.
    """

    team: Team
    reason: str
    people: int  # the other members ("members") or the people with results ("results")


def departure_blockers(user) -> list[DepartureBlocker]:
    """What stops the user's account deletion, team by team (2 queries)."""
    memberships = list(
        TeamMembership.objects.filter(user=user).select_related("team").order_by("team__name")
    )
    others: dict[int, list[str]] = defaultdict(list)
    for team_id, kind in (
        TeamMembership.objects.filter(team__in=[m.team_id for m in memberships])
        .exclude(user=user)
        .values_list("team_id", "kind")
    ):
        others[team_id].append(kind)
    alone = [m.team_id for m in memberships if not others[m.team_id]]
    results: dict[int, set[int]] = defaultdict(set)
    if alone:
        for team_id, owner_id in (
            Assessment.objects.filter(cycle__team__in=alone)
            .exclude(owner=user)
            .values_list("cycle__team_id", "owner_id")
        ):
            results[team_id].add(owner_id)
    blockers = []
    for membership in memberships:
        kinds = others[membership.team_id]
        if kinds and membership.is_manager and TeamMembership.Kind.MANAGER not in kinds:
            blockers.append(DepartureBlocker(membership.team, "members", len(kinds)))
        elif results[membership.team_id]:
            blockers.append(
                DepartureBlocker(membership.team, "results", len(results[membership.team_id]))
            )
    return blockers


def teams_only_of(user) -> list[int]:
    """The teams the user is the only person in: they go with the user's account."""
    mine = TeamMembership.objects.filter(user=user).values("team_id")
    return list(
        Team.objects.filter(pk__in=mine)
        .annotate(people=Count("memberships"))
        .filter(people=1)
        .values_list("pk", flat=True)
    )


def cycles_of_person(user) -> list[int]:
    """The cycles that hold the person's assessments, or whose stored figures name them
    (a result deleted earlier, with an account, left its fits there)."""
    return list(
        ReviewCycle.objects.filter(
            Q(assessments__owner=user) | Q(figures__fits__has_key=str(user.pk))
        )
        .distinct()
        .values_list("pk", flat=True)
    )
