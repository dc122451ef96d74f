"""The scoring engine: plain data in, plain data out (no ORM, no request).

The contract (docs/DESIGN.md), for one role over its requirements s with weight w,
target t and the person's level l (an unanswered skill counts as 0):

    gap      = max(0, t - l)
    priority = w * gap
    fit      = 100 * sum(w * min(l, t)) / sum(w * t), shown to one decimal
    strength = l >= t

Gaps are listed by priority, then weight (both highest first), then catalogue
order; strengths come after the gaps, in catalogue order. Roles are ranked by fit,
highest first (ties keep the catalogue's role order).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Requirement:
    skill: str  # the skill's stable code
    weight: int  # 1-5
    target: int  # 1-4
    order: int  # position in the catalogue, for ties


@dataclass(frozen=True)
class RoleProfile:
    code: str
    requirements: Sequence[Requirement]
    order: int = 0


@dataclass(frozen=True)
class SkillScore:
    skill: str
    weight: int
    target: int
    level: int
    gap: int
    priority: int
    order: int

    @property
    def is_strength(self) -> bool:
        return self.gap == 0


@dataclass(frozen=True)
class RoleScore:
    code: str
    fit: float  # one decimal, rounded half up
    skills: tuple[SkillScore, ...]  # gaps in priority order, then strengths
    order: int = 0

    @property
    def gaps(self) -> tuple[SkillScore, ...]:
        return tuple(s for s in self.skills if not s.is_strength)

    @property
    def strengths(self) -> tuple[SkillScore, ...]:
        return tuple(s for s in self.skills if s.is_strength)


def round_fit(numerator: int, denominator: int) -> float:
    """100 * numerator / denominator to one decimal, halves rounded up (73.25 -> 73.3)."""
    if denominator == 0:
        return 0.0
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def skill_gap(target: int, level: int) -> int:
    """How many levels a skill is short of its target: max(0, t - l)."""
    return max(0, target - level)


def score_skill(requirement: Requirement, level: int) -> SkillScore:
    gap = skill_gap(requirement.target, level)
    return SkillScore(
        skill=requirement.skill,
        weight=requirement.weight,
        target=requirement.target,
        level=level,
        gap=gap,
        priority=requirement.weight * gap,
        order=requirement.order,
    )


def score_role(profile: RoleProfile, levels: Mapping[str, int]) -> RoleScore:
    scores = [score_skill(req, levels.get(req.skill, 0)) for req in profile.requirements]
    achieved = sum(s.weight * min(s.level, s.target) for s in scores)
    possible = sum(s.weight * s.target for s in scores)
    gaps = sorted(
        (s for s in scores if not s.is_strength),
        key=lambda s: (-s.priority, -s.weight, s.order),
    )
    strengths = sorted((s for s in scores if s.is_strength), key=lambda s: s.order)
    return RoleScore(
        code=profile.code,
        fit=round_fit(achieved, possible),
        skills=tuple(gaps + strengths),
        order=profile.order,
    )


def rank_roles(profiles: Iterable[RoleProfile], levels: Mapping[str, int]) -> list[RoleScore]:
    """Score every role and rank them by fit, highest first."""
    scores = [score_role(profile, levels) for profile in profiles]
    return sorted(scores, key=lambda r: (-r.fit, r.order))


# Plain-language bands for a fit percentage: (lowest fit, key), highest first.
BANDS: tuple[tuple[float, str], ...] = (
    (85.0, "ready"),
    (70.0, "close"),
    (50.0, "developing"),
    (0.0, "distant"),
)


def band_for(fit: float) -> str:
    for threshold, key in BANDS:
        if fit >= threshold:
            return key
    return BANDS[-1][1]


# Team reviews -----------------------------------------------------------------------

BLIND_SPOT_GAP = 2  # self and manager differ by this much or more


def used_levels(
    self_levels: Mapping[str, int], manager_levels: Mapping[str, int]
) -> dict[str, int]:
    """The level used for team figures: the manager's rating where there is one."""
    return {**self_levels, **manager_levels}


def is_blind_spot(self_level: float | None, manager_level: float | None) -> bool:
    """Two views of one skill 2 levels or more apart; the other view may be the peers'
    one-decimal average."""
    if self_level is None or manager_level is None:
        return False
    return abs(self_level - manager_level) >= BLIND_SPOT_GAP


# Ladders, what-if and paths between roles -------------------------------------------

# A rung of a ladder is met when the fit reaches LADDER_MIN_FIT and no requirement
# weighing LADDER_KEY_WEIGHT or more has a gap of LADDER_BLOCKING_GAP or more.
LADDER_MIN_FIT = 80.0
LADDER_KEY_WEIGHT = 4
LADDER_BLOCKING_GAP = 2


def blocking_gaps(score: RoleScore) -> tuple[SkillScore, ...]:
    return tuple(
        s for s in score.gaps if s.weight >= LADDER_KEY_WEIGHT and s.gap >= LADDER_BLOCKING_GAP
    )


def meets_rung(score: RoleScore) -> bool:
    return score.fit >= LADDER_MIN_FIT and not blocking_gaps(score)


@dataclass(frozen=True)
class LadderPosition:
    rungs: tuple[RoleScore, ...]  # lowest first
    highest_met: RoleScore | None
    next_rung: RoleScore | None

    @property
    def fit_shortfall(self) -> float:
        if self.next_rung is None:
            return 0.0
        return max(0.0, round(LADDER_MIN_FIT - self.next_rung.fit, 1))


def ladder_position(rungs: Sequence[RoleScore]) -> LadderPosition:
    """The highest rung met (rungs lowest first) and the one above it."""
    highest = None
    for index, score in enumerate(rungs):
        if meets_rung(score):
            highest = index
    next_index = 0 if highest is None else highest + 1
    return LadderPosition(
        rungs=tuple(rungs),
        highest_met=rungs[highest] if highest is not None else None,
        next_rung=rungs[next_index] if next_index < len(rungs) else None,
    )


@dataclass(frozen=True)
class Improvement:
    skill: str
    level: int  # the new level, one above today's
    fit: float  # the role's fit with that change
    gain: float


def best_improvements(
    profile: RoleProfile, levels: Mapping[str, int], count: int = 3
) -> list[Improvement]:
    """The single-step changes (one skill up by one level) that raise the fit most.

    Ties go to the higher priority today, then to catalogue order.
    """
    today = score_role(profile, levels).fit
    options = []
    for req in profile.requirements:
        level = levels.get(req.skill, 0)
        if level >= req.target:
            continue  # a level above the target adds nothing to the fit
        changed = {**levels, req.skill: level + 1}
        fit = score_role(profile, changed).fit
        options.append(
            (
                -(fit - today),
                -(req.weight * (req.target - level)),
                req.order,
                Improvement(skill=req.skill, level=level + 1, fit=fit, gain=round(fit - today, 1)),
            )
        )
    options.sort(key=lambda option: option[:3])
    return [option[3] for option in options[:count]]


def gap_points(score: RoleScore) -> int:
    """The total weighted gap: the sum of priorities still to close."""
    return sum(s.priority for s in score.skills)


@dataclass(frozen=True)
class RoleDistance:
    overlap: float  # shared skills / skills of either role, in %
    points: int  # weighted gap points from meeting A's targets exactly to B


def role_distance(a: RoleProfile, b: RoleProfile) -> RoleDistance:
    """How far B is for someone who meets exactly A's targets (asymmetric)."""
    a_skills = {req.skill for req in a.requirements}
    b_skills = {req.skill for req in b.requirements}
    union = a_skills | b_skills
    overlap = round(100 * len(a_skills & b_skills) / len(union), 1) if union else 100.0
    targets = {req.skill: req.target for req in a.requirements}
    return RoleDistance(overlap=overlap, points=gap_points(score_role(b, targets)))
