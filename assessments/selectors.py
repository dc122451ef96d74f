"""Reads on assessments that views share; who may see what is in access.py."""

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce

from careers.models import Skill
from careers.selectors import CATALOGUE_READING_SECONDS, Step, questionnaire_steps
from careers.signals import keep_under_catalogue, kept_under_catalogue

from .access import assessments_of
from .models import Answer, Assessment


@dataclass
class Questionnaire:
    steps: list[Step]
    answers: dict[int, Answer]

    @property
    def skills(self) -> list[Skill]:
        return [skill for step in self.steps for skill in step.skills]

    @property
    def total(self) -> int:
        return sum(len(step.skills) for step in self.steps)

    @property
    def answered(self) -> int:
        return sum(
            1 for skill in self.skills if (a := self.answers.get(skill.pk)) and a.level is not None
        )

    @property
    def progress(self) -> "Progress":
        return Progress(answered=self.answered, total=self.total)

    @property
    def missing(self) -> list[tuple[Step, Skill]]:
        return [
            (step, skill)
            for step in self.steps
            for skill in step.skills
            if (a := self.answers.get(skill.pk)) is None or a.level is None
        ]

    @property
    def by_step(self) -> list[tuple[Step, list[tuple[Skill, Answer | None]]]]:
        return [
            (step, [(skill, self.answers.get(skill.pk)) for skill in step.skills])
            for step in self.steps
        ]

    def step(self, number: int) -> Step | None:
        return self.steps[number - 1] if 1 <= number <= len(self.steps) else None

    def first_open_step(self) -> int:
        missing = self.missing
        return missing[0][0].number if missing else len(self.steps)

    def has_skill(self, skill_id: int) -> bool:
        return any(skill.pk == skill_id for skill in self.skills)


def role_ids_of(assessment: Assessment) -> list[int]:
    """The assessment's role ids, sorted, kept in the cache (1 query when they are not).

    They are set once, in the transaction that starts the assessment
    (services.assessment_start), and never change. The key holds the row's creation time
    too: an id that SQLite hands out again after a deletion is another key.
    """
    key = f"assessment-roles:{assessment.pk}:{assessment.created_at.timestamp()}"
    return cast(
        "list[int]",
        cache.get_or_set(
            key,
            lambda: sorted(assessment.roles.values_list("pk", flat=True)),
            ROLE_IDS_SECONDS,
        ),
    )


ROLE_IDS_SECONDS = 7 * 24 * 3600  # only lets the ids of finished drafts leave the cache


def _steps_of(assessment: Assessment) -> list[Step]:
    """The draft's questions, by step (from the cache: no query when it holds them)."""
    return questionnaire_steps(role_ids_of(assessment), core_only=assessment.is_quick)


def questionnaire_for(assessment: Assessment) -> Questionnaire:
    """The draft's questions and answers so far (a fixed number of queries)."""
    answers = {a.skill_id: a for a in Answer.objects.filter(assessment=assessment).order_by()}
    return Questionnaire(steps=_steps_of(assessment), answers=answers)


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def questionnaire_skill_ids(assessment: Assessment) -> frozenset[int]:
    """The ids of the draft's questions, kept under the catalogue version like the steps
    they come from (no query when the cache holds them; a few bytes to read, where the
    steps are model instances: every autosave asks)."""
    role_ids = role_ids_of(assessment)
    key = f"questionnaire-ids:{int(assessment.is_quick)}:{','.join(map(str, role_ids))}"
    version, ids = kept_under_catalogue(key)
    if ids is None:
        steps = questionnaire_steps(role_ids, core_only=assessment.is_quick)
        ids = frozenset(skill.pk for step in steps for skill in step.skills)
        keep_under_catalogue(key, version, ids, CATALOGUE_READING_SECONDS)
    return ids


def progress_of(assessment: Assessment, skill_ids: AbstractSet[int]) -> Progress:
    """How many of these questions have a level (1 query, without reading the answers)."""
    answered = Answer.objects.filter(
        assessment=assessment, level__isnull=False, skill_id__in=skill_ids
    ).count()
    return Progress(answered=answered, total=len(skill_ids))


def drafts_with_progress(user) -> QuerySet[Assessment]:
    """The user's drafts with question and answer counts and when last saved, in one query."""
    return (
        assessments_of(user)
        .filter(status=Assessment.Status.DRAFT)
        .annotate(
            question_count=Count("roles__requirements__skill", distinct=True),
            answer_count=Count("answers", filter=Q(answers__level__isnull=False), distinct=True),
            # An autosave writes its answer only: the draft was last saved with its
            # latest answer, or when it was started.
            saved_at=Coalesce(Max("answers__updated_at"), F("updated_at")),
        )
        .select_related("cycle")  # a closed cycle's draft is kept: no delete button
        .prefetch_related("roles")
    )


def results_of(user) -> QuerySet[Assessment]:
    return (
        assessments_of(user)
        .filter(status=Assessment.Status.SUBMITTED)
        .order_by("-submitted_at", "-pk")
    )
