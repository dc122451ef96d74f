"""What-if simulation and the path to a role, from a submitted result's snapshot.

Plain data in, plain data out: like results.py, everything here reads the frozen
snapshot only, and nothing is ever saved. The simulator re-scores the same role
profiles with levels the person tries out; the path lists what separates today's
levels from one role's targets, in the result page's gap order.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils import translation

import scoring
from careers.models import Level, NextStepAction

from .models import Assessment
from .results import SkillRow, pick, skill_row

LEVEL_PARAM = "s-{code}"  # ?s-risk-management=3
ROLE_PARAM = "role"
SUGGESTIONS = 3
_LEVEL = re.compile(r"[0-4]")  # ASCII only: "²" and "١" are digits to str.isdigit()


def parse_levels(
    snapshot: scoring.Snapshot, query: Mapping[str, str]
) -> tuple[dict[str, int], list[str]]:
    """The levels to simulate: `?s-<skill>=<0-4>` over the saved ones.

    Returns the levels and the codes of the skills whose value was no level (those keep
    their saved level). Parameters for skills outside the snapshot are ignored.
    """
    levels = scoring.saved_levels(snapshot)
    rejected = []
    for code in levels:
        value = query.get(LEVEL_PARAM.format(code=code))
        if value is None:
            continue
        value = value.strip()
        if _LEVEL.fullmatch(value):
            levels[code] = int(value)
        else:
            rejected.append(code)
    return levels, rejected


def role_choices(snapshot: scoring.Snapshot, language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of the snapshot's roles, in catalogue order, for a role picker."""
    return [(r["code"], pick(r["name"], language)) for r in snapshot["roles"]]


def simulation_query(
    levels: Mapping[str, int], snapshot: scoring.Snapshot, role: str | None = None
) -> str:
    """The shortest query string for a simulation: the changed levels and a chosen role."""
    saved = scoring.saved_levels(snapshot)
    params: list[tuple[str, str | int]] = [
        (LEVEL_PARAM.format(code=code), level)
        for code in scoring.skill_codes(snapshot)
        if (level := levels.get(code, saved[code])) != saved[code]
    ]
    if role:
        params.append((ROLE_PARAM, role))
    return urlencode(params)


@dataclass(frozen=True)
class SkillChoice:
    code: str
    name: str
    category: str
    saved: int
    level: int
    rejected: bool = False

    @property
    def changed(self) -> bool:
        return self.level != self.saved


@dataclass(frozen=True)
class RoleFit:
    code: str
    name: str
    rank: int
    fit: float
    saved_rank: int
    saved_fit: float

    @property
    def delta(self) -> float:
        return round(self.fit - self.saved_fit, 1)

    @property
    def direction(self) -> str:
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"


@dataclass(frozen=True)
class Suggestion:
    """One skill up by one level, with the query string that applies it."""

    code: str
    name: str
    level_from: int
    level_to: int
    fit: float
    gain: float
    query: str


@dataclass(frozen=True)
class Simulation:
    skills: list[SkillChoice]  # catalogue order
    roles: list[RoleFit]  # ranked by the simulated fit
    role: str  # the role the suggestions are for
    role_name: str
    suggestions: list[Suggestion]
    rejected: list[str]  # names of the skills whose value was no level
    query: str  # this simulation's canonical query string
    reset_query: str  # the saved levels, same role

    @property
    def changed(self) -> list[SkillChoice]:
        return [s for s in self.skills if s.changed]

    @property
    def categories(self) -> list[tuple[str, list[SkillChoice]]]:
        """The skills grouped by category, in catalogue order (for the form)."""
        groups: list[tuple[str, list[SkillChoice]]] = []
        for skill in self.skills:
            if not groups or groups[-1][0] != skill.category:
                groups.append((skill.category, []))
            groups[-1][1].append(skill)
        return groups


def simulate(
    snapshot: scoring.Snapshot,
    query: Mapping[str, str],
    *,
    role: str | None = None,
    default_role: str | None = None,
    language: str | None = None,
) -> Simulation:
    """Every role re-scored with the levels in `query`, beside the saved result.

    The suggestions are for `role` if the snapshot has it, else for `default_role`
    (a team's target role), else for the best fit today.
    """
    skills = snapshot["skills"]
    roles = {r["code"]: r for r in snapshot["roles"]}
    profiles = scoring.profiles_from_snapshot(snapshot)
    saved = scoring.saved_levels(snapshot)
    levels, rejected = parse_levels(snapshot, query)

    saved_scores = scoring.rank_roles(profiles, saved)
    before = {s.code: (rank, s.fit) for rank, s in enumerate(saved_scores, start=1)}
    fallback = default_role if default_role and default_role in roles else saved_scores[0].code
    chosen = role if role and role in roles else fallback
    shown_role = chosen if chosen != fallback else None

    profile = next(p for p in profiles if p.code == chosen)
    suggestions = [
        Suggestion(
            code=i.skill,
            name=pick(skills[i.skill]["name"], language),
            level_from=i.level - 1,
            level_to=i.level,
            fit=i.fit,
            gain=i.gain,
            query=simulation_query({**levels, i.skill: i.level}, snapshot, shown_role),
        )
        for i in scoring.best_improvements(profile, levels, SUGGESTIONS)
    ]
    return Simulation(
        skills=[
            SkillChoice(
                code=code,
                name=pick(skills[code]["name"], language),
                category=pick(skills[code]["category"]["name"], language),
                saved=saved[code],
                level=levels[code],
                rejected=code in rejected,
            )
            for code in scoring.skill_codes(snapshot)
        ],
        roles=[
            RoleFit(
                code=score.code,
                name=pick(roles[score.code]["name"], language),
                rank=rank,
                fit=score.fit,
                saved_rank=before[score.code][0],
                saved_fit=before[score.code][1],
            )
            for rank, score in enumerate(scoring.rank_roles(profiles, levels), start=1)
        ],
        role=chosen,
        role_name=pick(roles[chosen]["name"], language),
        suggestions=suggestions,
        rejected=[pick(skills[code]["name"], language) for code in rejected],
        query=simulation_query(levels, snapshot, shown_role),
        reset_query=simulation_query(saved, snapshot, shown_role),
    )


def target_role_code(assessment: Assessment) -> str | None:
    """The role a team gave the person, for a result made in a review cycle (1 query)."""
    if not assessment.cycle_id:
        return None
    # Across the cycle relation, as in access.py: this app imports nothing from teams.
    return (
        Assessment.objects.filter(
            pk=assessment.pk, cycle__team__memberships__user=assessment.owner_id
        )
        .values_list("cycle__team__memberships__target_role__code", flat=True)
        .first()
    )


# The path to a role ------------------------------------------------------------------


@dataclass(kw_only=True)
class PathStep(SkillRow):
    """A gap of the role, as the result page shows it, and where the path then stands."""

    points_left: int  # weighted gap points still open once this step and those before it are done
    fit_after: float  # the role's fit at that point


@dataclass(frozen=True)
class Path:
    code: str
    name: str
    summary: str
    fit: float
    points: int  # the total weighted gap from today (scoring.gap_points)
    steps: list[PathStep]
    strengths: list[str]  # names of the skills already at target
    simulate_query: str  # the simulator with every step done


def path_to(snapshot: scoring.Snapshot, code: str, *, language: str | None = None) -> Path | None:
    """The skills to develop for role `code`, in the result page's gap order.

    Each step says how many weighted gap points and what fit remain once it is done
    together with the steps before it. None if the snapshot has no such role.
    """
    role = next((r for r in snapshot["roles"] if r["code"] == code), None)
    if role is None:
        return None
    skills = snapshot["skills"]
    profile = next(p for p in scoring.profiles_from_snapshot(snapshot) if p.code == code)
    levels = scoring.saved_levels(snapshot)
    score = scoring.score_role(profile, levels)

    with translation.override(language or translation.get_language()):
        labels = {value: str(label) for value, label in Level.choices}
        kinds = {value: str(label) for value, label in NextStepAction.Kind.choices}
    reached = dict(levels)
    left = scoring.gap_points(score)
    path_steps = []
    for gap in score.gaps:
        reached[gap.skill] = gap.target
        left -= gap.priority
        path_steps.append(
            PathStep(
                **vars(skill_row(gap, skills[gap.skill], language, labels, kinds)),
                points_left=left,
                fit_after=scoring.score_role(profile, reached).fit,
            )
        )
    return Path(
        code=code,
        name=pick(role["name"], language),
        summary=pick(role["summary"], language),
        fit=score.fit,
        points=scoring.gap_points(score),
        steps=path_steps,
        strengths=[pick(skills[s.skill]["name"], language) for s in score.strengths],
        simulate_query=simulation_query(reached, snapshot, code),
    )
