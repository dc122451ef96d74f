"""Team figures for a review cycle, from plain data (digests and ratings), no ORM.

Each member is scored with the scoring contract against their submitted digest (or
whole snapshot), using the manager's rating where there is one. Group figures
(coverage, team fit, team gaps, change) are hidden when fewer than MIN_GROUP people
stand behind them, so that no figure can be traced back to one person.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

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
    role: str
    fit: float
    cells: list[Cell | None]  # one per dashboard skill; None: not required of this member


@dataclass
class Coverage:
    code: str
    name: str
    met: int
    of: int


@dataclass
class TeamGap:
    code: str
    name: str
    priority: int  # sum of the members' priorities
    members: int  # how many members have a gap here
    actions: list[dict[str, str]] = field(default_factory=list)


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

    @property
    def grouped(self) -> bool:
        """Are there enough submitted members to show group figures at all?"""
        return self.submitted >= MIN_GROUP


def _member_role(member: MemberData) -> FrozenRole | None:
    """The role of the member's heatmap row: their target role, else their first one."""
    roles: Sequence[FrozenRole] = member.snapshot["roles"] if member.snapshot else []
    for role in roles:
        if role["code"] == member.target_role:
            return role
    return roles[0] if roles else None


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
        if not member.snapshot:
            continue
        levels = scoring.used_levels(member.snapshot["levels"], member.ratings)
        for score in scoring.rank_roles(scoring.profiles_from_snapshot(member.snapshot), levels):
            fits[score.code].append(score.fit)
        for r in member.snapshot["roles"]:
            names.setdefault(r["code"], pick(r["name"], language))
    return CycleFigures(team_fit=_mean_fits(fits), role_names=names)


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
    submitted = [m for m in members if m.snapshot]
    skill_info: dict[str, FrozenSkill] = {}
    role_names: dict[str, str] = {}
    fits: dict[str, list[float]] = defaultdict(list)
    scored = []
    for member in submitted:
        levels = scoring.used_levels(member.snapshot["levels"], member.ratings)
        scores = {
            score.code: score
            for score in scoring.rank_roles(scoring.profiles_from_snapshot(member.snapshot), levels)
        }
        for code, score in scores.items():
            fits[code].append(score.fit)
        role = _member_role(member)
        if role is None:
            continue
        role_names[role["code"]] = pick(role["name"], language)
        for r in member.snapshot["roles"]:
            role_names.setdefault(r["code"], pick(r["name"], language))
        skill_info.update(member.snapshot["skills"])
        scored.append((member, role, scores[role["code"]]))

    required = {s.skill for _m, _r, score in scored for s in score.skills}
    # A snapshot numbers its skills within itself: members with other roles number them
    # differently, so the columns follow the catalogue's order where the caller gave it.
    catalogue_order = skill_order or {}
    skills = sorted(
        required,
        key=lambda code: (
            catalogue_order.get(code, (float("inf"),)),
            skill_info[code]["order"],
            code,
        ),
    )
    names = {code: pick(skill_info[code]["name"], language) for code in skills}

    rows = []
    for member, role, score in scored:
        by_skill = {s.skill: s for s in score.skills}
        rows.append(
            HeatRow(
                key=member.key,
                name=member.name,
                role=role["code"],
                fit=score.fit,
                cells=[
                    Cell(
                        used=by_skill[code].level,
                        target=by_skill[code].target,
                        rated=code in member.ratings,
                    )
                    if code in by_skill
                    else None
                    for code in skills
                ],
            )
        )

    coverage: list[Coverage | None] = []
    for index, code in enumerate(skills):
        cells = [row.cells[index] for row in rows if row.cells[index] is not None]
        if len(cells) >= MIN_GROUP:
            met = sum(1 for cell in cells if cell.delta >= 0)
            coverage.append(Coverage(code=code, name=names[code], met=met, of=len(cells)))
        else:
            coverage.append(None)

    gaps: list[TeamGap] = []
    if len(scored) >= MIN_GROUP:
        priority: Counter[str] = Counter()
        with_gap: Counter[str] = Counter()
        next_levels: dict[str, list[int]] = defaultdict(list)
        holder: dict[str, int] = {}  # skill code -> an assessment whose snapshot has it
        for member, _role, score in scored:
            for s in score.gaps:
                if member.assessment_id is not None:
                    holder.setdefault(s.skill, member.assessment_id)
                priority[s.skill] += s.priority
                with_gap[s.skill] += 1
                next_levels[s.skill].append(s.level + 1)
        ranked = sorted(
            priority, key=lambda c: (-priority[c], -with_gap[c], skill_info[c]["order"])
        )
        top = ranked[:TOP_TEAM_GAPS]
        frozen = {
            code: skill_info[code]["actions"] for code in top if "actions" in skill_info[code]
        }
        missing = {code: holder[code] for code in top if code not in frozen and code in holder}
        if missing and load_actions:
            frozen.update(load_actions(missing))
        for code in top:
            wanted = Counter(next_levels[code]).most_common(1)[0][0]
            available = frozen.get(code, [])
            actions = [a for a in available if a["level"] == wanted] or [
                a for a in available if a["level"] >= wanted
            ]
            gaps.append(
                TeamGap(
                    code=code,
                    name=names[code],
                    priority=priority[code],
                    members=with_gap[code],
                    actions=[
                        {
                            "kind": a["kind"],
                            "level": a["level"],
                            "title": pick(a["title"], language),
                            "detail": pick(a["detail"], language),
                        }
                        for a in actions
                    ],
                )
            )

    team_fit = _mean_fits(fits)
    earlier = previous_figures or cycle_figures(previous, language)
    before = earlier.team_fit
    change = {code: (before[code], fit) for code, fit in team_fit.items() if code in before}
    for code, name in earlier.role_names.items():
        role_names.setdefault(code, name)
    return Dashboard(
        skills=[(code, names[code]) for code in skills],
        rows=rows,
        submitted=len(scored),
        coverage=coverage,
        team_fit=team_fit,
        role_names=role_names,
        gaps=gaps,
        change=change,
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
                    "gap": max(0, req["target"] - used),
                }
            )
    return rows
