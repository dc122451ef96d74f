"""The shapes of what a submitted assessment freezes, declared once (docs/DESIGN.md, 4).

- `Snapshot`: everything a result shows, written at submission (`CatalogueSnapshot`,
  made by careers.selectors.catalogue_snapshot, plus the levels given).
- `Digest`: the part of it that team figures read (`digest_of`), a few kB.

Both are plain JSON in the database. `read_snapshot` and `read_digest` are the way back
in: they check the shape's version and hand the data on as the declared type, without
walking it (a 200-member dashboard reads 200 digests), so every key read afterwards is
checked by mypy against these declarations. The other functions here read the shapes
and nothing else: no Django, no apps.
"""

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict, cast, final

from .engine import Requirement, RoleProfile

SNAPSHOT_VERSION = 1
"""The shape version a snapshot stores under "version" (the only one so far)."""

# A digest has no "version" key of its own: it is derived from the snapshot, in the same
# save, and every digest stored so far comes from a version-1 snapshot (submission, or
# migration 0005 for older results). An absent key therefore means version 1; a later
# shape writes its version into the digest too, which `read_digest` then tells apart.
DIGEST_VERSION_WHEN_ABSENT = 1

Text = dict[str, str]
"""A frozen text in both languages: {"fr": ..., "en": ...}."""


class SnapshotRequirement(TypedDict):
    skill: str  # the skill's code, a key of `skills`
    weight: int  # 1-5
    target: int  # 1-4


class SnapshotCareerStep(TypedDict):
    name: Text
    role: str | None  # the linked role's code, if any


# "from" is a keyword: the functional form is the only way to declare it.
SnapshotCareer = TypedDict(
    "SnapshotCareer", {"from": list[SnapshotCareerStep], "to": list[SnapshotCareerStep]}
)


# Keys marked NotRequired came after version 1 was first stored, without a new version:
# snapshots submitted before the quick assessment and the ladders have none of them.


class SnapshotRole(TypedDict):
    code: str
    order: int
    ladder: NotRequired[str]  # "" when the role is on no ladder
    rank: NotRequired[int]  # its rung on the ladder
    name: Text
    summary: Text
    requirements: list[SnapshotRequirement]  # catalogue order
    career: SnapshotCareer


class SnapshotCategory(TypedDict):
    code: str
    name: Text


class SnapshotAction(TypedDict):
    level: int  # the level it helps reach, 1-4
    kind: str  # careers.models.NextStepAction.Kind
    title: Text
    detail: Text
    # The learning resource behind it, each key only when it is given (older snapshots
    # have none): an http(s) link, who offers it, how long it takes, free or paid (and
    # the amount), the language it is in.
    url: NotRequired[str]
    provider: NotRequired[str]
    duration: NotRequired[Text]
    cost: NotRequired[Literal["free", "paid"]]
    price: NotRequired[str]
    language: NotRequired[str]


@final  # final: `"actions" in skill` then tells a snapshot's skill from a digest's
class SnapshotSkill(TypedDict):
    id: int
    order: int  # position in the questionnaire, from 1
    name: Text
    category: SnapshotCategory
    levels: dict[str, Text]  # "1"-"4" -> descriptor
    actions: list[SnapshotAction]


class CatalogueSnapshot(TypedDict):
    """What careers.selectors.catalogue_snapshot writes: the catalogue, without levels."""

    version: int
    mode: NotRequired[Literal["full", "quick"]]  # quick: the core requirements only
    roles: list[SnapshotRole]  # catalogue role order
    skills: dict[str, SnapshotSkill]  # by code, in questionnaire order


class Snapshot(CatalogueSnapshot):
    """`Assessment.snapshot`: the catalogue as submitted, with the levels given."""

    levels: dict[str, int]  # skill code -> 0-4, one for every question


class DigestRole(TypedDict):
    code: str
    name: Text
    requirements: list[SnapshotRequirement]


@final
class DigestSkill(TypedDict):
    id: int
    name: Text
    order: int


class Digest(TypedDict):
    """`Assessment.digest`: the snapshot's levels, requirements and skill names."""

    version: NotRequired[int]  # absent: DIGEST_VERSION_WHEN_ABSENT
    levels: dict[str, int]
    roles: list[DigestRole]
    skills: dict[str, DigestSkill]


class SnapshotVersionError(ValueError):
    """Stored data whose shape this code does not know (or no snapshot at all)."""


def _version_of(data: object, what: str, default: int | None = None) -> int:
    if not isinstance(data, dict):
        raise SnapshotVersionError(f"A {what} is a JSON object, not {type(data).__name__}.")
    version = data.get("version", default)
    # `type(...) is int`: True and 1.0 equal 1, but no writer ever stored them.
    if type(version) is not int or version != SNAPSHOT_VERSION:
        raise SnapshotVersionError(
            f"Unknown {what} version {version!r}: this code reads version {SNAPSHOT_VERSION}."
        )
    return version


def read_snapshot(data: object) -> Snapshot:
    """Stored JSON as a `Snapshot`, once its "version" is checked (nothing else is walked).

    Raises SnapshotVersionError for a version this code does not read.
    """
    _version_of(data, "snapshot")
    return cast(Snapshot, data)


def read_digest(data: object) -> Digest:
    """Stored JSON as a `Digest`, once its version is checked (absent: version 1).

    Raises SnapshotVersionError for a version this code does not read.
    """
    _version_of(data, "digest", DIGEST_VERSION_WHEN_ABSENT)
    return cast(Digest, data)


# Pure readers of the shapes -----------------------------------------------------------


DIGEST_SKILL_KEYS = ("id", "name", "order")


def digest_of(snapshot: Snapshot) -> Digest:
    """What team figures read from a snapshot, in the snapshot's own shape.

    Levels, each role's code, name and requirements, each skill's id, name and order:
    a few kB, where descriptors and next steps make the snapshot tens of kB.
    Migration 0005 holds a frozen copy of this function, which filled older results.
    """
    return {
        "levels": snapshot.get("levels", {}),
        "roles": [
            {"code": r["code"], "name": r["name"], "requirements": r["requirements"]}
            for r in snapshot.get("roles", [])
        ],
        "skills": {
            code: _digest_skill(skill) for code, skill in snapshot.get("skills", {}).items()
        },
    }


def _digest_skill(skill: Mapping[str, object]) -> DigestSkill:
    # Keys are copied as they are, and a missing one stays missing: one cast, no walk.
    return cast(DigestSkill, {key: skill[key] for key in DIGEST_SKILL_KEYS if key in skill})


def profiles_from_snapshot(snapshot: CatalogueSnapshot | Digest) -> list[RoleProfile]:
    """The snapshot's (or digest's) roles as the engine scores them, in catalogue order."""
    skills = snapshot["skills"]
    return [
        RoleProfile(
            code=role["code"],
            order=index,
            requirements=tuple(
                Requirement(
                    skill=req["skill"],
                    weight=req["weight"],
                    target=req["target"],
                    order=skills[req["skill"]]["order"],
                )
                for req in role["requirements"]
            ),
        )
        for index, role in enumerate(snapshot["roles"])
    ]


def skill_codes(snapshot: CatalogueSnapshot) -> list[str]:
    """The snapshot's skill codes in catalogue (questionnaire) order."""
    skills = snapshot["skills"]
    return sorted(skills, key=lambda code: skills[code]["order"])


def saved_levels(snapshot: Snapshot) -> dict[str, int]:
    """The levels given, one per skill of the snapshot (an unanswered skill counts as 0)."""
    given: Mapping[str, int] = snapshot.get("levels", {})
    return {code: given.get(code, 0) for code in skill_codes(snapshot)}


def next_steps(skill: SnapshotSkill, level: int, target: int) -> list[SnapshotAction]:
    """A gap's frozen actions: those for the first level from level+1 up to the target
    that has any; failing that, any above the level; failing that, all of them."""
    actions = skill.get("actions", [])
    for wanted in range(level + 1, target + 1):
        found = [a for a in actions if a["level"] == wanted]
        if found:
            return found
    return [a for a in actions if a["level"] > level] or list(actions)
