"""Writes on assessments: start, answer, submit, retake, delete."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

import scoring
from careers.models import Role, Skill
from careers.selectors import catalogue_snapshot, read_questionnaire_steps

from .models import Answer, Assessment
from .signals import assessment_changed


class AssessmentLocked(Exception):
    """The assessment was submitted: its answers can no longer change."""


class IncompleteAssessment(Exception):
    def __init__(self, missing: list[Skill]):
        super().__init__(f"{len(missing)} question(s) unanswered")
        self.missing = missing


@dataclass(frozen=True)
class AnswerInput:
    level: int | None
    note: str


def _cycle_closed(assessment: Assessment) -> bool:
    """A closed review cycle freezes its assessments, drafts included."""
    cycle = assessment.cycle  # no query without a cycle
    return cycle is not None and cycle.closed_at is not None


@transaction.atomic
def assessment_start(*, owner, roles: Iterable[Role], quick: bool = False) -> Assessment:
    mode = Assessment.Mode.QUICK if quick else Assessment.Mode.FULL
    assessment = Assessment.objects.create(owner=owner, mode=mode)
    assessment.roles.set(roles)
    return assessment


@transaction.atomic
def assessment_continue_in_full(*, assessment: Assessment) -> Assessment:
    """A full draft for a quick assessment's roles, with every answer given so far."""
    full = assessment_start(
        owner=assessment.owner, roles=assessment.roles.filter(is_published=True)
    )
    Answer.objects.bulk_create(
        Answer(assessment=full, skill_id=a.skill_id, level=a.level, note=a.note)
        for a in assessment.answers.all()
    )
    return full


def answers_save(*, assessment: Assessment, values: Mapping[int, AnswerInput]) -> int:
    """Save answers keyed by skill id, each on its own row; returns how many changed.

    Only the skills given are touched, so two tabs saving different questions never
    overwrite each other. The caller checks the skills belong to the questionnaire.
    """
    if not assessment.is_draft or _cycle_closed(assessment):
        raise AssessmentLocked
    with transaction.atomic():
        existing = {
            a.skill_id: a for a in Answer.objects.filter(assessment=assessment, skill_id__in=values)
        }
        to_create, to_update = [], []
        for skill_id, value in values.items():
            answer = existing.get(skill_id)
            if answer is None:
                to_create.append(
                    Answer(
                        assessment=assessment, skill_id=skill_id, level=value.level, note=value.note
                    )
                )
            elif (answer.level, answer.note) != (value.level, value.note):
                answer.level, answer.note = value.level, value.note
                answer.updated_at = timezone.now()
                to_update.append(answer)
        if to_create:
            # ignore_conflicts: a concurrent save of the same new answer must not fail
            Answer.objects.bulk_create(to_create, ignore_conflicts=True)
        if len(to_update) == 1:  # an autosave: a plain UPDATE costs a third of bulk_update
            answer = to_update[0]
            Answer.objects.filter(pk=answer.pk).update(
                level=answer.level, note=answer.note, updated_at=answer.updated_at
            )
        elif to_update:
            Answer.objects.bulk_update(to_update, ["level", "note", "updated_at"])
        if to_create or to_update:
            Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    return len(to_create) + len(to_update)


def assessment_submit(*, assessment: Assessment) -> Assessment:
    """Freeze the answers and the catalogue they are scored against.

    Submitting twice (double click, back and resubmit) is harmless: the second call
    finds the assessment already submitted and returns it unchanged.
    """
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_draft:
            return locked
        if _cycle_closed(locked):
            raise AssessmentLocked
        role_ids = list(locked.roles.values_list("pk", flat=True))
        steps = read_questionnaire_steps(role_ids, core_only=locked.is_quick)  # fresh
        skills = [skill for step in steps for skill in step.skills]
        levels = {
            skill_id: level
            for skill_id, level in Answer.objects.filter(
                assessment=locked, level__isnull=False
            ).values_list("skill_id", "level")
            if level is not None  # as filtered: says it to mypy
        }
        missing = [skill for skill in skills if skill.pk not in levels]
        if missing or not skills:
            raise IncompleteAssessment(missing)
        snapshot: scoring.Snapshot = {
            **catalogue_snapshot(role_ids, core_only=locked.is_quick),
            "levels": {skill.code: levels[skill.pk] for skill in skills},
        }
        locked.snapshot = snapshot
        locked.digest = scoring.digest_of(snapshot)
        locked.status = Assessment.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["snapshot", "digest", "status", "submitted_at", "updated_at"])
        assessment_changed.send(sender=Assessment, assessment=locked)
        return locked


@transaction.atomic
def assessment_retake(*, assessment: Assessment) -> Assessment:
    """A new draft for the same roles (those still published), answers left blank."""
    roles = assessment.roles.filter(is_published=True)
    return assessment_start(owner=assessment.owner, roles=roles)


@transaction.atomic
def assessment_delete_draft(*, assessment: Assessment) -> None:
    if not assessment.is_draft:
        raise AssessmentLocked
    assessment.delete()
    assessment_changed.send(sender=Assessment, assessment=assessment)
