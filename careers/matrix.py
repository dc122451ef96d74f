"""How far apart the published roles are: overlap and weighted distance for every pair.

The numbers come from the scoring engine (scoring.role_distance) over the
live catalogue: overlap is the share of skills two roles have in common, the distance
the weighted gap points left to someone who meets exactly the first role's targets.
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from scoring import Requirement, RoleProfile, role_distance

from .models import RoleRequirement
from .selectors import published_roles

SHADES = 4  # distance shades 0 (none) to 4 (the largest in the matrix)


@dataclass(frozen=True)
class DistanceCell:
    """How far the row's role is from one other role (not the team heatmap's cell)."""

    code: str  # the "to" role
    overlap: float  # %
    points: int
    shade: int
    is_self: bool


@dataclass(frozen=True)
class Row:
    code: str  # the "from" role
    name: str
    cells: list[DistanceCell]


@dataclass(frozen=True)
class RoleMatrix:
    roles: list[tuple[str, str]]  # (code, name), the columns
    rows: list[Row]
    max_points: int


def role_matrix() -> RoleMatrix:
    """Every ordered pair of published roles (2 queries, whatever the number of roles)."""
    roles = list(
        published_roles().prefetch_related(
            Prefetch(
                "requirements",
                queryset=RoleRequirement.objects.only("role_id", "skill_id", "weight", "target"),
            )
        )
    )
    profiles = [
        RoleProfile(
            code=role.code,
            order=index,
            requirements=tuple(
                Requirement(skill=str(r.skill_id), weight=r.weight, target=r.target, order=0)
                for r in role.requirements.all()
            ),
        )
        for index, role in enumerate(roles)
    ]
    distances = {(a.code, b.code): role_distance(a, b) for a in profiles for b in profiles}
    largest = max((d.points for d in distances.values()), default=0)
    rows = [
        Row(
            code=a.code,
            name=role.name,
            cells=[
                DistanceCell(
                    code=b.code,
                    overlap=distances[a.code, b.code].overlap,
                    points=distances[a.code, b.code].points,
                    shade=round(SHADES * distances[a.code, b.code].points / largest)
                    if largest
                    else 0,
                    is_self=a.code == b.code,
                )
                for b in profiles
            ],
        )
        for role, a in zip(roles, profiles, strict=True)
    ]
    return RoleMatrix(
        roles=[(role.code, role.name) for role in roles], rows=rows, max_points=largest
    )
