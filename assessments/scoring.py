"""The scoring engine: plain data in, plain data out (no ORM, no request).

The contract (DESIGN.md), for one role over its requirements s with weight w,
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


def score_skill(requirement: Requirement, level: int) -> SkillScore:
    gap = max(0, requirement.target - level)
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


def is_blind_spot(self_level: int | None, manager_level: int | None) -> bool:
    if self_level is None or manager_level is None:
        return False
    return abs(self_level - manager_level) >= BLIND_SPOT_GAP
