"""Reads of the catalogue that several pages share. Each runs a fixed number of queries."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects

from scoring import (
    SNAPSHOT_VERSION,
    CatalogueSnapshot,
    SnapshotAction,
    SnapshotSkill,
)

from . import serialise
from .models import CareerStep, NextStepAction, Role, RoleRequirement, Skill, SkillCategory
from .signals import catalogue_version


def published_roles() -> QuerySet[Role]:
    return Role.objects.filter(is_published=True)


# Catalogue readings are kept under the catalogue version, which every change replaces:
# the time below only lets entries nobody asks for any more leave the cache.
CATALOGUE_READING_SECONDS = 24 * 3600


def published_codes(version: str | None = None) -> list[str]:
    """The published roles' codes, sorted (kept in the cache under the catalogue version,
    `version` when the caller has read it already).

    Result pages link career steps to the roles one can assess against: once an editor
    publishes or withdraws a role, the next page follows.
    """
    # get_or_set returns what the callable made (or its cached copy), never None here.
    return cast(
        "list[str]",
        cache.get_or_set(
            f"published-role-codes:{version or catalogue_version()}",
            lambda: sorted(published_roles().values_list("code", flat=True)),
            CATALOGUE_READING_SECONDS,
        ),
    )


@dataclass(frozen=True)
class Step:
    """One questionnaire step: the chosen roles' skills in one category."""

    number: int
    category: SkillCategory
    skills: list[Skill]


def questionnaire_steps(role_ids: Iterable[int], *, core_only: bool = False) -> list[Step]:
    """The union of the roles' skills, one step per category, in catalogue order.

    `core_only` keeps the core requirements: the quick assessment's questions. Every
    questionnaire page and autosave needs these steps: they are kept in the cache under
    the catalogue version (1 query when they are not). The level descriptors are not
    read here: a questionnaire page shows one step's, so callers prefetch them for the
    skills they show (`prefetch_related_objects(skills, "levels")`).
    """
    role_ids = sorted(set(role_ids))
    key = ":".join(
        [
            "questionnaire",
            catalogue_version(),
            str(int(core_only)),
            ",".join(map(str, role_ids)),
        ]
    )
    return cast(
        "list[Step]",
        cache.get_or_set(
            key,
            lambda: read_questionnaire_steps(role_ids, core_only=core_only),
            CATALOGUE_READING_SECONDS,
        ),
    )


def read_questionnaire_steps(role_ids: Iterable[int], *, core_only: bool = False) -> list[Step]:
    """`questionnaire_steps` read from the database (1 query): what a submission freezes."""
    requirements = RoleRequirement.objects.filter(role_id__in=list(role_ids))
    if core_only:
        requirements = requirements.filter(is_core=True)
    skill_ids = requirements.values("skill_id")
    skills = (
        Skill.objects.filter(pk__in=skill_ids)
        .select_related("category")
        .order_by("category__order", "category__code", "order", "code")
    )
    steps: list[Step] = []
    for skill in skills:
        if not steps or steps[-1].category.pk != skill.category_id:
            steps.append(Step(number=len(steps) + 1, category=skill.category, skills=[]))
        steps[-1].skills.append(skill)
    return steps


def catalogue_snapshot(role_ids: Iterable[int], *, core_only: bool = False) -> CatalogueSnapshot:
    """Everything a result shows about the catalogue, as plain JSON (6 queries), in the
    shape scoring.CatalogueSnapshot declares.

    Both languages are kept so that a frozen result can still be read in either.
    `core_only` keeps the core requirements, for a quick (provisional) assessment.
    """
    role_ids = list(role_ids)
    requirements = RoleRequirement.objects.select_related("skill").order_by(
        "skill__category__order", "skill__order", "skill__code"
    )
    if core_only:
        requirements = requirements.filter(is_core=True)
    roles = list(
        Role.objects.filter(pk__in=role_ids).prefetch_related(
            Prefetch("requirements", queryset=requirements),
            _career_steps(),
        )
    )
    steps = read_questionnaire_steps(role_ids, core_only=core_only)
    prefetch_related_objects([skill for step in steps for skill in step.skills], "levels")
    skill_ids = [skill.pk for step in steps for skill in step.skills]
    actions: dict[int, list[SnapshotAction]] = {}
    for action in NextStepAction.objects.filter(skill_id__in=skill_ids).order_by(
        "skill_id", "level", "order"
    ):
        actions.setdefault(action.skill_id, []).append(serialise.action(action))

    skills: dict[str, SnapshotSkill] = {}
    order = 0
    for step in steps:
        for skill in step.skills:
            order += 1
            skills[skill.code] = {
                "id": skill.pk,
                "order": order,
                "name": serialise.texts(skill, "name"),
                "category": {
                    "code": step.category.code,
                    "name": serialise.texts(step.category, "name"),
                },
                "levels": serialise.descriptors(skill),
                "actions": actions.get(skill.pk, []),
            }

    return {
        "version": SNAPSHOT_VERSION,
        "mode": "quick" if core_only else "full",
        "roles": [
            {
                "code": role.code,
                "order": role.order,
                "ladder": role.ladder,
                "rank": role.ladder_rank,
                "name": serialise.texts(role, "name"),
                "summary": serialise.texts(role, "summary"),
                "requirements": [
                    {"skill": r.skill.code, "weight": r.weight, "target": r.target}
                    for r in role.requirements.all()
                ],
                "career": serialise.career(role),
            }
            for role in sorted(roles, key=lambda r: (r.order, r.code))
        ],
        "skills": skills,
    }


def _career_steps() -> Prefetch:
    """A role's career steps with their linked roles, from then to, in their order."""
    return Prefetch(
        "career_steps",
        queryset=CareerStep.objects.select_related("linked_role").order_by("direction", "order"),
    )


def roles_with_skill_counts() -> QuerySet[Role]:
    """The published roles, each with how many skills it requires (1 query)."""
    return published_roles().annotate(skill_count=Count("requirements"))


# How long one question takes, read off the questionnaire: the levels' descriptors read,
# one chosen. The home page's durations are this times the questions a choice asks.
SECONDS_PER_QUESTION = 20


@dataclass(frozen=True)
class Overview:
    """What the home page promises: the roles, and how long a full or quick run takes."""

    roles: Sequence[Role]  # each with skill_count and core_count
    all_skills: int  # the questions of a run over every published role
    all_core: int  # the same, quick mode

    @staticmethod
    def minutes(questions: int) -> int:
        return max(1, round(questions * SECONDS_PER_QUESTION / 60))

    @property
    def all_minutes(self) -> int:
        return self.minutes(self.all_skills)

    @property
    def all_quick_minutes(self) -> int:
        return self.minutes(self.all_core)


def catalogue_overview() -> Overview:
    """The published roles with their question counts, and the union over all (2 queries)."""
    roles = list(
        roles_with_skill_counts().annotate(
            core_count=Count("requirements", filter=Q(requirements__is_core=True))
        )
    )
    union = RoleRequirement.objects.filter(role__is_published=True).aggregate(
        skills=Count("skill", distinct=True),
        core=Count("skill", distinct=True, filter=Q(is_core=True)),
    )
    for role in roles:
        role.minutes = Overview.minutes(role.skill_count)  # type: ignore[attr-defined]
        role.quick_minutes = Overview.minutes(role.core_count)  # type: ignore[attr-defined]
    return Overview(roles=roles, all_skills=union["skills"], all_core=union["core"])


def roles_with_requirements(*, include_drafts: bool = False) -> QuerySet[Role]:
    """Roles with their requirements, skills and career steps (3 queries)."""
    roles = Role.objects.all() if include_drafts else published_roles()
    return roles.prefetch_related(
        Prefetch(
            "requirements",
            queryset=RoleRequirement.objects.select_related("skill__category").order_by(
                "skill__category__order", "skill__order"
            ),
        ),
        _career_steps(),
    )
