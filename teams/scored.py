"""A board's members scored once: each row stored until that member's data changes.

A member's scored row (dashboard.ScoredRow) is worked out from nothing but their digest,
the manager's ratings of it and their target role, in one language. It is stored in the
database (BoardRow, one per assessment and language) with its key:

    (Assessment.revision, the membership's target role, settings.RELEASE)

Every write to the digest or the ratings bumps the assessment's revision in its own
transaction (the submission in assessments/services.py; ratings_save and review_share
in teams/services.py), and the target role is read with the membership. So a stored
row is only ever read back for the data it was worked out from, whatever that data is:
no list of fields to keep in step. The digest is frozen at submission, so today's
catalogue is no input of a row (it only orders the board's columns, per board); the
release stands for the scoring code, so new code works rows out afresh. Being stored,
not cached, a row costs nothing again after the cache is emptied.

The keys are read before the data (as the team's revision is, teams/revision.py): a row
worked out from data written in between is stored under the older key, which nobody
asks for again. Rows are written lazily, by the first board that needs them, in one
upsert whatever their number.

A row is stored in two parts: its figures (fits, cells, ratings) and its names (roles'
and skills', as frozen in the digest), the latter under a key of their content: most
members share them (the same roles, frozen from the same catalogue), and a board reads
them once per key. Removing a member deletes their rows on the team's boards
(services.membership_remove); the board reads only today's members' rows anyway.

A closed cycle's figures (each member's fit per role) are written on the cycle by the
close service (`closed_figures`): a later cycle's board reads them with its members.
"""

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Subquery

import scoring
from assessments.models import Assessment
from assessments.results import pick

from .dashboard import (
    CycleFigures,
    LoadActions,
    MemberData,
    ScoredRow,
    _mean_fits,
    score_member,
)
from .models import BoardRow, Invitation, ManagerRating, ReviewCycle, TeamMembership
from .selectors import (
    BoardAssessment,
    BoardMembership,
    MemberStatus,
    Person,
    RoleName,
    by_username,
    next_step_actions,
)

logger = logging.getLogger(__name__)
ROWS_SECONDS = 7 * 24 * 3600
STORED_FIELDS = ["revision", "target_role_pk", "release", "names_key", "names", "data"]
RowKey = tuple[int, int, int | None]
Member = TeamMembership | BoardMembership


def _row_key(assessment: Assessment | BoardAssessment, membership: Member) -> RowKey:
    return (assessment.pk, assessment.revision, membership.target_role_id)


def _score(
    wanted: Sequence[tuple[Assessment | BoardAssessment, Member]], language: str
) -> dict[int, ScoredRow | None]:
    """The rows of these submitted assessments, worked out (2 queries)."""
    pks = [assessment.pk for assessment, _m in wanted]
    digests = dict(Assessment.objects.filter(pk__in=pks).values_list("pk", "digest"))
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for assessment_id, code, level in ManagerRating.objects.filter(assessment__in=pks).values_list(
        "assessment_id", "skill__code", "level"
    ):
        ratings[assessment_id][code] = level
    rows: dict[int, ScoredRow | None] = {}
    for assessment, membership in wanted:
        digest = digests.get(assessment.pk)
        role = membership.target_role
        member = MemberData(
            key=membership.pk,
            name="",
            snapshot=scoring.read_digest(digest) if digest is not None else None,
            ratings=ratings.get(assessment.pk, {}),
            target_role=role.code if role else None,
            assessment_id=assessment.pk,
        )
        rows[assessment.pk] = score_member(member, language)
    return rows


Names = tuple[dict, dict, dict, list[str]]  # role names, skills, next steps, skill codes


def row_data(row: ScoredRow) -> tuple[list, list]:
    """A scored row as BoardRow keeps it, in two parts (`read_row` is the inverse): its
    figures, and its names (roles', skills' with their order; next steps), which most
    members share (the same roles, frozen from the same catalogue). The skills are
    stored by code (a row has them in its cells' order, the member's own: nothing reads
    it), and each cell as 5 integers, its skill by its place among them: a 1,000-member
    board reads a fifth of the bytes. What has an order is stored as a list of pairs:
    PostgreSQL's jsonb keeps an object's keys in an order of its own."""
    skills = sorted(row.skills.items())
    place = {code: index for index, (code, _skill) in enumerate(skills)}
    cells = [number for cell in row.cells for number in (place[cell[0]], *cell[1:])]
    fits = list(row.fits.items())
    figures = [fits, row.role, row.fit, cells, sorted(row.rated), row.levels]
    role_names = list(row.role_names.items())
    return figures, [role_names, [[code, *skill] for code, skill in skills], row.actions]


def names_key(names: list) -> str:
    """The key of a row's names: the same names, in the same order, the same key."""
    text = json.dumps(names, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def read_row(figures: list, names: Names) -> ScoredRow:
    fits, role, fit, cells, rated, levels = figures
    role_names, skills, actions, codes = names
    numbers = iter(cells)  # 5 numbers a cell; a list comprehension: the board's hot loop
    return ScoredRow(
        dict(fits), role_names, role, fit,
        tuple([
            (codes[index], used, target, gap, priority)
            for index, used, target, gap, priority in zip(*[numbers] * 5, strict=True)
        ]),
        skills, frozenset(rated), levels, actions,
    )  # fmt: skip


def _read_names(wanted: set[str]) -> dict[str, Names]:
    """The names stored under these keys, read from one row each (1 query); a skill's
    (name, order) as a tuple, as score_member has it."""
    one_each = (
        BoardRow.objects.filter(names_key__in=wanted)
        .values("names_key")
        .annotate(last=Max("pk"))
        .values("last")
    )
    found = {}
    for key, names in BoardRow.objects.filter(pk__in=Subquery(one_each)).values_list(
        "names_key", "names"
    ):
        role_names, skills, actions = cast(list, names)
        found[key] = (
            dict(role_names),
            {code: (name, order) for code, name, order in skills},
            actions,
            [code for code, _name, _order in skills],
        )
    return found


def scored_rows(
    cycle: ReviewCycle,
    pairs: Sequence[tuple[Assessment | BoardAssessment, Member]],
    language: str,
) -> "KeptRows":
    """Assessment id -> scored row (None: no digest) of these submitted assessments of
    the cycle: the stored rows whose key still holds, the others worked out and stored.
    1 query and 1 cache read (the kept next steps), 1 query more for the rows' names
    (a few, shared by the rows); with a row to work out, 3 queries more (the digests,
    the ratings, the rows written)."""
    actions_key = f"team-actions:{cycle.pk}"
    keys = {assessment.pk: _row_key(assessment, membership) for assessment, membership in pairs}
    release = settings.RELEASE
    stored: dict[int, tuple[str, list | None]] = {}
    for pk, revision, role_pk, key, figures in BoardRow.objects.filter(
        assessment__in=list(keys), language=language, release=release
    ).values_list("assessment_id", "revision", "target_role_pk", "names_key", "data"):
        if keys[pk] == (pk, revision, role_pk):
            stored[pk] = (key, figures)
    wanted_names = {key for key, _figures in stored.values() if key}
    names = _read_names(wanted_names) if wanted_names else {}
    found: dict[int, ScoredRow | None] = {
        pk: read_row(figures, names[key]) if key and figures is not None else None
        for pk, (key, figures) in stored.items()
        if not key or key in names
    }
    missing = [(a, m) for a, m in pairs if a.pk not in found]
    if missing:
        worked = _score(missing, language)
        found.update(worked)
        _store([_board_row(pk, keys[pk], language, row) for pk, row in worked.items()])
    actions = cache.get(actions_key)
    return KeptRows(found, actions_key, actions if isinstance(actions, dict) else {}, set(keys))


def _store(rows: list[BoardRow]) -> None:
    """Write these rows over the stored ones (1 upsert). Storing them only saves work:
    should it fail (an assessment deleted meanwhile, with its user), the board is
    served all the same, and the next one works them out again."""
    try:
        with transaction.atomic():
            BoardRow.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["assessment", "language"],
                update_fields=STORED_FIELDS,
            )
    except IntegrityError:
        logger.warning("board rows not stored", exc_info=True)


def _board_row(pk: int, key: RowKey, language: str, row: ScoredRow | None) -> BoardRow:
    figures, names = row_data(row) if row is not None else (None, None)
    return BoardRow(
        assessment_id=pk,
        language=language,
        revision=key[1],
        target_role_pk=key[2],
        release=settings.RELEASE,
        names_key=names_key(names) if names is not None else "",
        names=names,
        data=figures,
    )


@dataclass
class KeptRows:
    """A cycle's scored rows, and the next steps its board has read so far."""

    rows: dict[int, ScoredRow | None]  # assessment id -> row (None: no digest)
    actions_key: str
    # assessment id -> skill code -> the next steps its snapshot froze for the skill
    actions: dict[int, dict[str, list[scoring.SnapshotAction]]]
    assessments: set[int]  # the cycle's submitted assessments of today's members

    def load_actions(self, wanted: dict[str, int]) -> dict[str, list[scoring.SnapshotAction]]:
        """selectors.next_step_actions, kept: a snapshot is frozen, so what it says of a
        skill is kept under its assessment (1 query and a cache write for the others)."""
        found, missing = {}, {}
        for code, pk in wanted.items():
            held = self.actions.get(pk, {})
            if code in held:
                found[code] = held[code]
            else:
                missing[code] = pk
        if missing:
            fetched = next_step_actions(missing)
            for code, pk in missing.items():
                self.actions.setdefault(pk, {})[code] = fetched[code]
            found.update(fetched)
            kept = {pk: codes for pk, codes in self.actions.items() if pk in self.assessments}
            cache.set(self.actions_key, kept, ROWS_SECONDS)
        return found


def board_members(
    cycle: ReviewCycle, language: str
) -> tuple[list[MemberStatus], list[MemberData], LoadActions]:
    """Each member's status in the cycle, pending invitations included, their dashboard
    data with their scored row, and where the board reads its team gaps' next steps
    (4 queries and a cache read; 2 queries and a cache write more when a row is worked
    out). Digests and ratings are only read for the rows worked out. Members and
    assessments are read as values: what the board shows of them, nothing else."""
    memberships = by_username(
        BoardMembership(
            pk,
            user_id,
            Person(username),
            role_id,
            RoleName(role_id, code, pick({"fr": name_fr, "en": name_en}, language) or code)
            if role_id
            else None,
        )  # fmt: skip
        for pk, user_id, username, role_id, code, name_fr, name_en in cycle.team.memberships.filter(
            kind=TeamMembership.Kind.MEMBER
        ).values_list(
            "pk",
            "user_id",
            "user__username",
            "target_role_id",
            "target_role__code",
            "target_role__name_fr",
            "target_role__name_en",
        )
    )
    assessments = {
        row[1]: BoardAssessment(*row)
        for row in Assessment.objects.filter(cycle=cycle)
        .order_by()
        .values_list(*BoardAssessment._fields)
    }
    pairs = []
    for membership in memberships:
        assessment = assessments.get(membership.user_id)
        if assessment is not None and not assessment.is_draft:
            pairs.append((assessment, membership))
    kept = scored_rows(cycle, pairs, language)
    rows_by_assessment = kept.rows
    statuses, members = [], []
    for membership in memberships:
        assessment = assessments.get(membership.user_id)
        row = rows_by_assessment.get(assessment.pk) if assessment else None
        rated = len(row.rated) if row else 0
        if assessment is None:
            status = "not_started"
        elif assessment.is_draft:
            status = "in_progress"
        elif row is not None and rated >= row.levels:
            status = "reviewed"
        else:
            status = "submitted"
        statuses.append(MemberStatus(membership, None, assessment, rated, status))
        members.append(
            MemberData(
                key=membership.pk,
                name=membership.user.get_username(),
                snapshot=None,
                ratings={},
                target_role=membership.target_role.code if membership.target_role else None,
                assessment_id=assessment.pk if assessment else None,
                provisional=bool(assessment and assessment.is_quick),
                scored=row,
            )
        )
    pending = [
        i
        for i in Invitation.objects.filter(
            team=cycle.team_id, accepted_at=None, revoked_at=None, kind=TeamMembership.Kind.MEMBER
        )
        if i.is_usable
    ]
    statuses += [MemberStatus(None, invitation, None, 0, "invited") for invitation in pending]
    return statuses, members, kept.load_actions


# A closed cycle's figures ------------------------------------------------------------


def closed_figures(cycle: ReviewCycle) -> dict[str, Any]:
    """What a later board needs of the cycle, for `ReviewCycle.figures`: each submitted,
    full (not quick) result's fit per role by its owner, and the roles' names (as the
    first result to name each has them) in every language. Every result counts, whoever
    is in the team: a later board counts only its members' (`previous_figures`)."""
    submitted = Assessment.objects.filter(cycle=cycle, status=Assessment.Status.SUBMITTED)
    wanted = [
        (assessment, TeamMembership(target_role=None))
        for assessment in submitted.filter(~Q(mode=Assessment.Mode.QUICK))
        .defer("snapshot", "digest")
        .order_by("pk")
    ]
    rows = _score(wanted, "fr") if wanted else {}
    digests = dict(submitted.filter(pk__in=rows).values_list("pk", "digest"))
    fits: dict[str, dict[str, float]] = {}
    names: dict[str, Any] = {}
    for assessment, _membership in wanted:
        row = rows.get(assessment.pk)
        if row is None:
            continue
        fits[str(assessment.owner_id)] = dict(row.fits)
        for role in scoring.read_digest(digests[assessment.pk])["roles"]:
            names.setdefault(role["code"], role["name"])
    return {"fits": fits, "roles": names}


def previous_figures(
    before: ReviewCycle, user_ids: Sequence[int], language: str
) -> CycleFigures | None:
    """A closed cycle's figures for the team's members of today (None: not stored)."""
    if before.figures is None:
        return None
    stored = before.figures["fits"]
    fits: dict[str, list[float]] = defaultdict(list)
    for user_id in user_ids:
        for code, fit in stored.get(str(user_id), {}).items():
            fits[code].append(fit)
    names = {code: pick(name, language) for code, name in before.figures["roles"].items()}
    return CycleFigures(team_fit=_mean_fits(fits), role_names=names)
