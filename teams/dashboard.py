"""Team figures for a review cycle, from plain data (digests and ratings), no ORM.

Each member is scored with the scoring contract against their submitted digest (or
whole snapshot), using the manager's rating where there is one. Group figures
(coverage, team fit, team gaps, change) are hidden when fewer than MIN_GROUP people
stand behind them, so that no figure can be traced back to one person.

A member whose cycle result is a quick one (core skills only) is provisional: their
heatmap row is shown, marked, but they count in no group figure (docs/DESIGN.md).
"""

import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from statistics import mean
from typing import Any, TypedDict, cast

import scoring
from assessments.results import pick

MIN_GROUP = 3
TOP_TEAM_GAPS = 5

# What the dashboard reads of a member's result: the digest, or the whole snapshot (it
# holds the digest's keys, and the next steps besides).
Frozen = scoring.Digest | scoring.Snapshot
FrozenRole = scoring.DigestRole | scoring.SnapshotRole
FrozenSkill = scoring.DigestSkill | scoring.SnapshotSkill
LoadActions = Callable[[dict[str, int]], dict[str, list[scoring.SnapshotAction]]]


@dataclass(frozen=True)
class MemberData:
    key: int  # the membership's id
    name: str
    snapshot: Frozen | None  # None: not submitted yet
    ratings: dict[str, int]  # skill code -> manager's level
    target_role: str | None  # the role code the manager set
    assessment_id: int | None = None  # where to read next steps the snapshot left out
    provisional: bool = False  # a quick result: shown, never counted in group figures
    # Their row scored already (kept from an earlier board, teams/scored.py): the
    # snapshot and ratings are then not needed, nor read.
    scored: "ScoredRow | None" = None


@dataclass(frozen=True, slots=True)
class Cell:
    used: int
    target: int
    rated: bool

    @property
    def delta(self) -> int:
        return self.used - self.target


@cache
def shared_cell(used: int, target: int, rated: bool) -> Cell:
    """The one Cell of these figures: a 1,000-member board has tens of thousands of
    cells, and only a few dozen different ones (they are frozen)."""
    return Cell(used, target, rated)


def heat_key(used: int, target: int) -> str:
    """The heatmap colour of a level against its target (dashboard and XLSX alike)."""
    delta = used - target
    if delta <= -2:
        return "m2"
    if delta == -1:
        return "m1"
    return "0" if delta == 0 else "p1"


@dataclass
class HeatRow:
    key: int
    name: str
    role: str  # the code of the role the row is scored against
    fit: float
    cells: list[Cell | None]  # one per dashboard skill; None: not required of this member
    role_name: str = ""  # that role's name, in the page's language
    provisional: bool = False  # a quick result: left out of coverage and the summary


@dataclass
class Coverage:
    code: str
    name: str
    met: int
    of: int


class GapAction(TypedDict):
    """A team gap's next step, in one language."""

    kind: str
    level: int
    title: str
    detail: str


@dataclass
class TeamGap:
    code: str
    name: str
    priority: int  # sum of the members' priorities
    members: int  # how many members have a gap here
    actions: list[GapAction] = field(default_factory=list)


@dataclass
class Dashboard:
    skills: list[tuple[str, str]]  # (code, name), catalogue order
    rows: list[HeatRow]
    submitted: int
    coverage: list[Coverage | None]  # per skill; None: fewer than MIN_GROUP members
    team_fit: dict[str, float]  # role code -> mean fit (roles with MIN_GROUP members)
    role_names: dict[str, str]
    gaps: list[TeamGap]
    change: dict[str, tuple[float, float]]  # role code -> (previous fit, fit now)
    provisional: int = 0  # members shown with a quick result, counted in no group figure
    assessed: dict[str, int] = field(default_factory=dict)  # role code -> members scored on it

    @property
    def grouped(self) -> bool:
        """Are there enough submitted members to show group figures at all?"""
        return self.submitted >= MIN_GROUP

    @property
    def fit_rows(self) -> list["FitRow"]:
        """Every role a member is assessed against: its team fit, or why it is hidden."""
        return [
            FitRow(
                code=code,
                name=self.role_names.get(code, code),
                members=count,
                fit=self.team_fit.get(code),
                change=self.change.get(code),
            )
            for code, count in self.assessed.items()
        ]

    @property
    def coverage_rows(self) -> list[tuple[str, "Coverage | None"]]:
        """(skill name, coverage or None where it is hidden), one per column."""
        return [(name, cov) for (_code, name), cov in zip(self.skills, self.coverage, strict=True)]


@dataclass(frozen=True)
class FitRow:
    code: str
    name: str
    members: int
    fit: float | None  # None: hidden, fewer than MIN_GROUP members
    change: tuple[float, float] | None


def _member_role(member: MemberData) -> FrozenRole | None:
    """The role of the member's heatmap row: their target role, else their first one."""
    roles: Sequence[FrozenRole] = member.snapshot["roles"] if member.snapshot else []
    for role in roles:
        if role["code"] == member.target_role:
            return role
    return roles[0] if roles else None


def _ranked(frozen: Frozen, ratings: dict[str, int]) -> list[scoring.RoleScore]:
    """A member's roles ranked with the levels used (the manager's, where rated)."""
    levels = scoring.used_levels(frozen["levels"], ratings)
    return scoring.rank_roles(scoring.profiles_from_snapshot(frozen), levels)


def _mean_fits(fits: dict[str, list[float]]) -> dict[str, float]:
    return {
        code: round(mean(values), 1) for code, values in fits.items() if len(values) >= MIN_GROUP
    }


@dataclass(frozen=True)
class CycleFigures:
    """What a later cycle's dashboard needs of an earlier one: its team fit, role names."""

    team_fit: dict[str, float]
    role_names: dict[str, str]


def cycle_figures(members: Sequence[MemberData], language: str | None = None) -> CycleFigures:
    fits: dict[str, list[float]] = defaultdict(list)
    names: dict[str, str] = {}
    for member in members:
        row = _scored(member, language)
        if row is None or member.provisional:
            continue
        for code, fit in row.fits.items():
            fits[code].append(fit)
        for code, name in row.role_names.items():
            names.setdefault(code, name)
    return CycleFigures(team_fit=_mean_fits(fits), role_names=names)


# The dashboard, step by step ---------------------------------------------------------


@dataclass(frozen=True)
class ScoredRow:
    """A submitted member scored: what the board reads of their digest and ratings.

    Worked out from nothing but the member's digest (or snapshot), the manager's ratings
    of it and the member's target role, in one language (`score_member`): the board stores
    it under a key made of these (teams/scored.py: BoardRow) and works out only the rows
    whose key changed. Its strings are interned.
    """

    fits: dict[str, float]  # role code -> fit, every role of the digest, in its order
    role_names: dict[str, str]  # those roles' names, in the language
    role: str | None  # the code of the heatmap row's role; None: the digest has no role
    fit: float  # their fit on that role
    # (skill code, level used, target, gap, priority) per skill that role requires:
    # its gaps in priority order, then its strengths (scoring.RoleScore.skills)
    cells: tuple[tuple[str, int, int, int, int], ...]
    skills: dict[str, tuple[str, int]]  # skill code -> (name, order) of those it requires
    rated: frozenset[str]  # the skills the manager rated
    levels: int  # how many levels the digest holds (every one rated: "reviewed")
    # the next steps of those skills where the member's data holds them (a snapshot's;
    # a digest has none: the board fetches the team gaps' own)
    actions: dict[str, list[scoring.SnapshotAction]] = field(default_factory=dict)


def score_member(member: MemberData, language: str | None = None) -> ScoredRow | None:
    """The member's row scored (None: they have not submitted)."""
    frozen = member.snapshot
    if not frozen:
        return None
    intern = sys.intern
    ranked = _ranked(frozen, member.ratings)
    role = _member_role(member)
    names = {intern(r["code"]): intern(pick(r["name"], language)) for r in frozen["roles"]}
    score = next((s for s in ranked if role and s.code == role["code"]), None)
    cells = tuple(
        (intern(s.skill), s.level, s.target, s.gap, s.priority)
        for s in (score.skills if score else ())
    )
    skills = frozen["skills"]
    return ScoredRow(
        fits={intern(s.code): s.fit for s in ranked},
        role_names=names,
        role=intern(role["code"]) if role and score else None,
        fit=score.fit if score else 0.0,
        cells=cells,
        skills={
            cell[0]: (intern(pick(skills[cell[0]]["name"], language)), skills[cell[0]]["order"])
            for cell in cells
        },
        rated=frozenset(intern(code) for code in member.ratings),
        levels=len(frozen["levels"]),
        actions={
            cell[0]: cast(scoring.SnapshotSkill, skill)["actions"]
            for cell in cells
            if "actions" in (skill := skills[cell[0]])
        },
    )


def _scored(member: MemberData, language: str | None) -> ScoredRow | None:
    return member.scored if member.scored is not None else score_member(member, language)


@dataclass(frozen=True)
class MemberScore:
    """A member with a heatmap row: the row's role and their score on it."""

    member: MemberData
    row: ScoredRow

    @property
    def role(self) -> str:
        return self.row.role or ""


@dataclass
class TeamScores:
    """Every submitted member scored once: what the dashboard's other steps read."""

    shown: list[MemberScore] = field(default_factory=list)  # members with a heatmap row

    @property
    def counted(self) -> list[MemberScore]:
        """The rows that group figures count: the provisional (quick) ones left out."""
        return [item for item in self.shown if not item.member.provisional]

    fits: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    role_names: dict[str, str] = field(default_factory=dict)
    # skill code -> (name, order), as the last row has it
    skills: dict[str, tuple[str, int]] = field(default_factory=dict)
    actions: dict[str, list[scoring.SnapshotAction]] = field(default_factory=dict)


def score_members(members: Sequence[MemberData], language: str | None = None) -> TeamScores:
    """Score each submitted member on every role of theirs (`fits`, for the team fit) and
    keep the score of their heatmap row's role (`shown`). A provisional member has a
    row but no fit in `fits`. A member's row scored already (`MemberData.scored`) is
    used as it is: only the others are scored here; the rest are sums."""
    scores = TeamScores()
    for member in members:
        row = _scored(member, language)
        if row is None:
            continue
        if not member.provisional:
            for code, fit in row.fits.items():
                scores.fits[code].append(fit)
        if row.role is None:
            continue
        scores.role_names[row.role] = row.role_names[row.role]
        for code, name in row.role_names.items():
            scores.role_names.setdefault(code, name)
        scores.skills.update(row.skills)
        scores.actions.update(row.actions)
        scores.shown.append(MemberScore(member, row))
    return scores


def heatmap_columns(
    scores: TeamScores, skill_order: dict[str, tuple[int, ...]] | None
) -> list[str]:
    """The skills the rows' roles require, in today's catalogue order where it is known.

    A snapshot numbers its skills within itself: members with other roles number them
    differently, so the columns follow the catalogue's order where the caller gave it.
    """
    required = {cell[0] for shown in scores.shown for cell in shown.row.cells}
    catalogue_order = skill_order or {}
    return sorted(
        required,
        key=lambda code: (
            catalogue_order.get(code, (float("inf"),)),
            scores.skills[code][1],
            code,
        ),
    )


def heat_rows(shown: Sequence[MemberScore], skills: Sequence[str]) -> list[HeatRow]:
    """One row per member, one cell per column (None where their role does not require it)."""
    rows = []
    for item in shown:
        rated = item.row.rated
        by_skill = {
            code: shared_cell(used, target, code in rated)
            for code, used, target, _gap, _priority in item.row.cells
        }
        rows.append(
            HeatRow(
                key=item.member.key,
                name=item.member.name,
                role=item.role,
                fit=item.row.fit,
                provisional=item.member.provisional,
                cells=[by_skill.get(code) for code in skills],
            )
        )
    return rows


def skill_coverage(
    rows: Sequence[HeatRow], skills: Sequence[str], names: dict[str, str]
) -> list[Coverage | None]:
    """Per column: the members at or above target, out of those whose role requires it
    (provisional rows left out)."""
    coverage: list[Coverage | None] = []
    counted = [row.cells for row in rows if not row.provisional]
    for index, code in enumerate(skills):
        cells = [cell for cells in counted if (cell := cells[index]) is not None]
        if len(cells) >= MIN_GROUP:
            met = sum(1 for cell in cells if cell.used >= cell.target)  # no skill_gap
            coverage.append(Coverage(code=code, name=names[code], met=met, of=len(cells)))
        else:
            coverage.append(None)
    return coverage


def team_gaps(
    scores: TeamScores,
    names: dict[str, str],
    load_actions: LoadActions | None = None,
    language: str | None = None,
) -> list[TeamGap]:
    """The TOP_TEAM_GAPS skills with the most summed priority over the rows, each with the
    next steps for the most common next level (none under MIN_GROUP rows). Provisional
    rows are left out."""
    counted = scores.counted
    if len(counted) < MIN_GROUP:
        return []
    priority: Counter[str] = Counter()
    with_gap: Counter[str] = Counter()
    next_levels: dict[str, list[int]] = defaultdict(list)
    holder: dict[str, int] = {}  # skill code -> an assessment whose snapshot has it
    for item in counted:
        for skill, level, _target, gap, skill_priority in item.row.cells:
            if not gap:
                continue
            if item.member.assessment_id is not None:
                holder.setdefault(skill, item.member.assessment_id)
            priority[skill] += skill_priority
            with_gap[skill] += 1
            next_levels[skill].append(level + 1)
    ranked = sorted(priority, key=lambda c: (-priority[c], -with_gap[c], scores.skills[c][1]))
    top = ranked[:TOP_TEAM_GAPS]
    frozen = _frozen_actions(top, scores.actions, holder, load_actions)
    return [
        TeamGap(
            code=code,
            name=names[code],
            priority=priority[code],
            members=with_gap[code],
            actions=_actions_at(
                frozen.get(code, []), Counter(next_levels[code]).most_common(1)[0][0], language
            ),
        )
        for code in top
    ]


def _frozen_actions(
    codes: Sequence[str],
    actions: dict[str, list[scoring.SnapshotAction]],
    holder: dict[str, int],
    load_actions: LoadActions | None,
) -> dict[str, list[scoring.SnapshotAction]]:
    """The skills' next steps: from the snapshots at hand, else fetched (a digest has none)."""
    frozen = {code: actions[code] for code in codes if code in actions}
    missing = {code: holder[code] for code in codes if code not in frozen and code in holder}
    if missing and load_actions:
        frozen.update(load_actions(missing))
    return frozen


def _actions_at(
    available: Sequence[scoring.SnapshotAction], level: int, language: str | None
) -> list[GapAction]:
    """The actions at exactly that level, failing that those at that level or above."""
    actions = [a for a in available if a["level"] == level] or [
        a for a in available if a["level"] >= level
    ]
    return [
        {
            "kind": a["kind"],
            "level": a["level"],
            "title": pick(a["title"], language),
            "detail": pick(a["detail"], language),
        }
        for a in actions
    ]


def build_dashboard(
    members: Sequence[MemberData],
    previous: Sequence[MemberData] = (),
    language: str | None = None,
    load_actions: LoadActions | None = None,
    previous_figures: CycleFigures | None = None,
    skill_order: dict[str, tuple[int, ...]] | None = None,
) -> Dashboard:
    """The dashboard's figures.

    `members` may carry digests (no next steps in them): `load_actions({skill code:
    assessment id})` then fetches the team gaps' next steps. The previous cycle comes as
    its members, or as its figures when the caller kept them (a closed cycle's never change).
    `skill_order` maps skill codes to their place in today's catalogue (the heatmap columns).
    """
    scores = score_members(members, language)
    skills = heatmap_columns(scores, skill_order)
    names = {code: scores.skills[code][0] for code in skills}
    rows = heat_rows(scores.shown, skills)
    for row in rows:
        row.role_name = scores.role_names.get(row.role, row.role)
    gaps = team_gaps(scores, names, load_actions, language)

    team_fit = _mean_fits(scores.fits)
    earlier = previous_figures or cycle_figures(previous, language)
    before = earlier.team_fit
    role_names = scores.role_names
    for code, name in earlier.role_names.items():
        role_names.setdefault(code, name)
    return Dashboard(
        skills=[(code, names[code]) for code in skills],
        rows=rows,
        submitted=len(scores.counted),
        provisional=len(scores.shown) - len(scores.counted),
        coverage=skill_coverage(rows, skills, names),
        team_fit=team_fit,
        role_names=role_names,
        gaps=gaps,
        change={code: (before[code], fit) for code, fit in team_fit.items() if code in before},
        assessed={code: len(values) for code, values in scores.fits.items()},
    )


def matrix_rows(members: Sequence[MemberData], language: str | None = None) -> list[dict[str, Any]]:
    """One row per submitted member and skill of their role, for the CSV and JSON exports."""
    rows = []
    for member in members:
        frozen, role = member.snapshot, _member_role(member)
        if frozen is None or role is None:
            continue
        skills = frozen["skills"]
        own = frozen["levels"]
        for req in sorted(role["requirements"], key=lambda r: skills[r["skill"]]["order"]):
            code = req["skill"]
            manager = member.ratings.get(code)
            used = manager if manager is not None else own.get(code, 0)
            rows.append(
                {
                    "member": member.name,
                    "role": role["code"],
                    "skill": code,
                    "skill_name": pick(skills[code]["name"], language),
                    "self": own.get(code, 0),
                    "manager": manager,
                    "used": used,
                    "target": req["target"],
                    "gap": scoring.skill_gap(req["target"], used),
                    "mode": "quick" if member.provisional else "full",
                }
            )
    return rows


# The heatmap as shown: filtered, its columns grouped by category ----------------------


@dataclass(frozen=True)
class HeatFilter:
    """What the manager asked the heatmap to show (the page's GET parameters, checked)."""

    role: str | None = None  # a row role's code: only the members scored against it
    category: int | None = None  # a category's id: only its skills
    gaps: bool = False  # only the members below a target, and the skills they are below on

    @property
    def active(self) -> bool:
        return bool(self.role or self.category or self.gaps)

    def key(self) -> str:
        """The filter in the kept board's cache key."""
        return f"{self.role or ''}.{self.category or ''}.{int(self.gaps)}"


@dataclass(frozen=True)
class Category:
    id: int
    name: str
    order: int


@dataclass
class HeatColumn:
    code: str
    name: str
    category: Category | None  # None: the skill is no longer in the catalogue


@dataclass
class HeatGroup:
    """A category's header over its columns (None: skills no longer in the catalogue)."""

    category: Category | None
    columns: list[HeatColumn]

    @property
    def span(self) -> int:
        return len(self.columns)


@dataclass
class ShownRow:
    row: HeatRow
    cells: list[Cell | None]  # one per shown column
    columns: list["HeatColumn"]  # the shown columns

    @cached_property
    def below(self) -> list[tuple[str, Cell]]:
        """(skill name, cell) of the shown columns below target."""
        return [(name, cell) for name, cell in self._required if cell.delta < 0]

    @property
    def met(self) -> int:
        """Shown columns at or above target."""
        return self.required - len(self.below)

    @property
    def required(self) -> int:
        """Shown columns the member's role requires."""
        return len(self._required)

    @cached_property
    def _required(self) -> list[tuple[str, Cell]]:
        pairs = zip(self.columns, self.cells, strict=True)
        return [(column.name, cell) for column, cell in pairs if cell]


@dataclass
class HeatView:
    columns: list[HeatColumn]
    groups: list[HeatGroup]
    rows: list[ShownRow]
    members: int  # rows before filtering
    skills: int  # columns before filtering
    roles: list[tuple[str, str]]  # (code, name) of the rows' roles, for the role filter
    categories: list[Category]  # the columns' categories, for the category filter
    filter: HeatFilter


def heat_view(
    board: Dashboard, categories: dict[str, Category], wanted: HeatFilter = HeatFilter()
) -> HeatView:
    """The heatmap's rows and columns that `wanted` keeps; `categories` maps skill codes
    to today's catalogue categories. A filter value the board has no use for (a role no
    row is scored against, a category with no column) is ignored."""
    roles = sorted({row.role for row in board.rows})
    role_choices = [(code, board.role_names.get(code, code)) for code in roles]
    all_columns = [HeatColumn(code, name, categories.get(code)) for code, name in board.skills]
    present = {c.category.id: c.category for c in all_columns if c.category is not None}
    category_choices = sorted(present.values(), key=lambda c: (c.order, c.id))
    flt = HeatFilter(
        role=wanted.role if wanted.role in roles else None,
        category=wanted.category if wanted.category in present else None,
        gaps=wanted.gaps,
    )
    indexes = [
        i
        for i, column in enumerate(all_columns)
        if flt.category is None or (column.category and column.category.id == flt.category)
    ]
    rows = [row for row in board.rows if flt.role is None or row.role == flt.role]

    def below(row: HeatRow, i: int) -> bool:
        cell = row.cells[i]
        return cell is not None and cell.delta < 0

    if flt.gaps:
        rows = [row for row in rows if any(below(row, i) for i in indexes)]
        indexes = [i for i in indexes if any(below(row, i) for row in rows)]
    columns = [all_columns[i] for i in indexes]
    everything = len(indexes) == len(all_columns)
    shown = [
        ShownRow(row, row.cells if everything else [row.cells[i] for i in indexes], columns)
        for row in rows
    ]
    groups: list[HeatGroup] = []
    for column in columns:
        if groups and groups[-1].category == column.category:
            groups[-1].columns.append(column)
        else:
            groups.append(HeatGroup(column.category, [column]))
    return HeatView(
        columns=columns,
        groups=groups,
        rows=shown if columns else [],
        members=len(board.rows),
        skills=len(board.skills),
        roles=role_choices,
        categories=category_choices,
        filter=flt,
    )
