"""Reads for team pages that views share; who may see what is in access.py."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

import scoring
from assessments.models import Assessment
from assessments.results import pick
from careers.models import Skill

from .dashboard import MemberData
from .models import Invitation, ManagerRating, ReviewCycle, TeamMembership


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
                "blind_spot": scoring.is_blind_spot(own, manager),
            }
        )
    return rows


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
    Each digest's version is checked (Assessment.read_digest), nothing more.
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
            snapshot=row.assessment.read_digest()
            if row.assessment and not row.assessment.is_draft
            else None,
            ratings=row.ratings,
            target_role=row.membership.target_role.code if row.membership.target_role else None,
            assessment_id=row.assessment.pk if row.assessment else None,
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
    """The cycle a dashboard compares with (FINGERPRINT_SQL picks the same one)."""
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


# The fingerprint's figures, in one statement. Written in SQL because, built with the
# ORM (a score of subqueries), it took longer to compile than to run: 4 ms of the
# cached page's 16. Every part is an aggregate, so each joined table has one row.
FINGERPRINT_SQL = """
WITH cycles AS (
    SELECT id, name, due_date, opened_at, closed_at
    FROM assessments_reviewcycle
    WHERE id = %(cycle)s OR id = (
        SELECT id FROM assessments_reviewcycle
        WHERE team_id = %(team)s AND opened_at < %(opened_at)s
        ORDER BY opened_at DESC, id DESC LIMIT 1
    )
)
SELECT cycles.*, assessments.*, ratings.*, invitations.*
FROM cycles
LEFT JOIN (
    SELECT cycle_id, COUNT(*), MAX(id), COUNT(submitted_at), MAX(submitted_at),
        COUNT(review_shared_at), MAX(review_shared_at)
    FROM assessments_assessment
    WHERE cycle_id IN (SELECT id FROM cycles)
    GROUP BY cycle_id
) assessments ON assessments.cycle_id = cycles.id
LEFT JOIN (
    SELECT a.cycle_id, COUNT(*), MAX(r.updated_at), SUM(r.level)
    FROM assessments_managerrating r JOIN assessments_assessment a ON a.id = r.assessment_id
    WHERE a.cycle_id IN (SELECT id FROM cycles WHERE closed_at IS NULL)
    GROUP BY a.cycle_id
) ratings ON ratings.cycle_id = cycles.id
CROSS JOIN (
    SELECT COUNT(*), MAX(id)
    FROM assessments_invitation
    WHERE team_id = %(team)s AND kind = %(member)s AND accepted_at IS NULL
        AND revoked_at IS NULL AND expires_at > %(now)s
) invitations
ORDER BY cycles.id
"""


def cycle_fingerprint(cycle: ReviewCycle) -> str:
    """A hash of everything the cycle's dashboard and matrix show (2 queries, ~3 ms for
    200 members). Read it before the data it stands for: a change in between then leaves
    an entry under a key nobody asks for again.

    - Hashed as they are, since they change in place and leave no trace: the members
      (who, their name, their target role), the team's name, the cycle's and the
      previous cycle's own fields.
    - A count (a row came or went) and a maximum (the newest id or time): both cycles'
      assessments (started, submitted, review shared); the open cycles' manager ratings,
      with their sum of levels should two servers' clocks disagree (a closed cycle
      refuses ratings: its closing time stands for them); pending invitations, whose
      expiry is read against now.
    - The catalogue (the columns' order and names) is not read here: the cache keys
      also hold the catalogue version (careers.signals), which every change drops.
    - Left out: answers to drafts. The page shows a draft as "in progress", not how far
      it got.
    """
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            FINGERPRINT_SQL,
            {
                "cycle": cycle.pk,
                "team": cycle.team_id,
                "opened_at": adapt(cycle.opened_at),
                "member": TeamMembership.Kind.MEMBER.value,
                "now": adapt(timezone.now()),
            },
        )
        figures = cursor.fetchall()
    members = list(
        cycle.team.memberships.filter(kind=TeamMembership.Kind.MEMBER)
        .order_by("pk")
        .values_list("pk", "user__username", "target_role__code")
    )
    seen = (cycle.team.name, members, figures)  # the team's name: the exports show it
    return hashlib.sha1(repr(seen).encode()).hexdigest()
