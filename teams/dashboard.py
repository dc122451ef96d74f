"""Team figures for a review cycle, from plain data (digests and ratings), no ORM.

Each member is scored with the scoring contract against their submitted digest (or
whole snapshot), using the manager's rating where there is one. Group figures
(coverage, team fit, team gaps, change) are hidden when fewer than MIN_GROUP people
stand behind them, so that no figure can be traced back to one person.

A member whose cycle result is a quick one (core skills only) is provisional: their
heatmap row is shown, marked, but they count in no group figure (docs/DESIGN.md).
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import mean
from typing import Any, TypedDict

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


@dataclass
class Cell:
    used: int
    target: int
    rated: bool

    @property
    def delta(self) -> int:
        return self.used - self.target


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
        if not member.snapshot or member.provisional:
            continue
        for score in _ranked(member.snapshot, member.ratings):
            fits[score.code].append(score.fit)
        for r in member.snapshot["roles"]:
            names.setdefault(r["code"], pick(r["name"], language))
    return CycleFigures(team_fit=_mean_fits(fits), role_names=names)


# The dashboard, step by step ---------------------------------------------------------


@dataclass(frozen=True)
class MemberScore:
    """A member with a heatmap row: the row's role and their score on it."""

    member: MemberData
    role: FrozenRole
    score: scoring.RoleScore


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
    skills: dict[str, FrozenSkill] = field(default_factory=dict)  # as the last row has it


def score_members(members: Sequence[MemberData], language: str | None = None) -> TeamScores:
    """Score each submitted member on every role of theirs (`fits`, for the team fit) and
    keep the score of their heatmap row's role (`shown`). A provisional member has a
    row but no fit in `fits`."""
    scores = TeamScores()
    for member in members:
        if not member.snapshot:
            continue
        by_role = {score.code: score for score in _ranked(member.snapshot, member.ratings)}
        for code, score in by_role.items():
            if not member.provisional:
                scores.fits[code].append(score.fit)
        role = _member_role(member)
        if role is None:
            continue
        scores.role_names[role["code"]] = pick(role["name"], language)
        for r in member.snapshot["roles"]:
            scores.role_names.setdefault(r["code"], pick(r["name"], language))
        scores.skills.update(member.snapshot["skills"])
        scores.shown.append(MemberScore(member, role, by_role[role["code"]]))
    return scores


def heatmap_columns(
    scores: TeamScores, skill_order: dict[str, tuple[int, ...]] | None
) -> list[str]:
    """The skills the rows' roles require, in today's catalogue order where it is known.

    A snapshot numbers its skills within itself: members with other roles number them
    differently, so the columns follow the catalogue's order where the caller gave it.
    """
    required = {s.skill for shown in scores.shown for s in shown.score.skills}
    catalogue_order = skill_order or {}
    return sorted(
        required,
        key=lambda code: (
            catalogue_order.get(code, (float("inf"),)),
            scores.skills[code]["order"],
            code,
        ),
    )


def heat_rows(shown: Sequence[MemberScore], skills: Sequence[str]) -> list[HeatRow]:
    """One row per member, one cell per column (None where their role does not require it)."""
    rows = []
    for item in shown:
        by_skill = {s.skill: s for s in item.score.skills}
        rows.append(
            HeatRow(
                key=item.member.key,
                name=item.member.name,
                role=item.role["code"],
                fit=item.score.fit,
                provisional=item.member.provisional,
                cells=[
                    Cell(
                        used=by_skill[code].level,
                        target=by_skill[code].target,
                        rated=code in item.member.ratings,
                    )
                    if code in by_skill
                    else None
                    for code in skills
                ],
            )
        )
    return rows


def skill_coverage(
    rows: Sequence[HeatRow], skills: Sequence[str], names: dict[str, str]
) -> list[Coverage | None]:
    """Per column: the members at or above target, out of those whose role requires it
    (provisional rows left out)."""
    coverage: list[Coverage | None] = []
    for index, code in enumerate(skills):
        cells = [
            cell for row in rows if not row.provisional and (cell := row.cells[index]) is not None
        ]
        if len(cells) >= MIN_GROUP:
            met = sum(1 for cell in cells if scoring.skill_gap(cell.target, cell.used) == 0)
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
        for s in item.score.gaps:
            if item.member.assessment_id is not None:
                holder.setdefault(s.skill, item.member.assessment_id)
            priority[s.skill] += s.priority
            with_gap[s.skill] += 1
            next_levels[s.skill].append(s.level + 1)
    ranked = sorted(priority, key=lambda c: (-priority[c], -with_gap[c], scores.skills[c]["order"]))
    top = ranked[:TOP_TEAM_GAPS]
    frozen = _frozen_actions(top, scores.skills, holder, load_actions)
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
    skills: dict[str, FrozenSkill],
    holder: dict[str, int],
    load_actions: LoadActions | None,
) -> dict[str, list[scoring.SnapshotAction]]:
    """The skills' next steps: from the snapshots at hand, else fetched (a digest has none)."""
    frozen: dict[str, list[scoring.SnapshotAction]] = {}
    for code in codes:
        skill = skills[code]
        if "actions" in skill:
            frozen[code] = skill["actions"]
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
    names = {code: pick(scores.skills[code]["name"], language) for code in skills}
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
    below: list[tuple[str, Cell]]  # (skill name, cell) of the shown columns below target
    met: int  # shown columns at or above target
    required: int  # shown columns the member's role requires


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
    shown = []
    for row in rows:
        cells = [row.cells[i] for i in indexes]
        pairs = zip(columns, cells, strict=True)
        required = [(column.name, cell) for column, cell in pairs if cell]
        gaps = [(name, cell) for name, cell in required if cell.delta < 0]
        shown.append(ShownRow(row, cells, gaps, len(required) - len(gaps), len(required)))
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
