"""Writes on assessments: start, answer, submit, retake, delete."""

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

import scoring
from careers.models import Role, Skill
from careers.selectors import catalogue_snapshot, read_questionnaire_steps

from .models import Answer, Assessment
from .selectors import questionnaire_skill_ids
from .signals import assessment_changed


class AssessmentLocked(Exception):
    """The assessment was submitted: its answers can no longer change."""


class CycleFrozen(AssessmentLocked):
    """The draft's review cycle is closed: its answers are frozen and it is kept."""


class IncompleteAssessment(Exception):
    def __init__(self, missing: list[Skill]):
        super().__init__(f"{len(missing)} question(s) unanswered")
        self.missing = missing


class Keep(enum.Enum):
    """A field the request did not carry: the stored value stays as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class AnswerInput:
    """What a form says about one question.

    A field left at KEEP was not in the request and is left unchanged; clearing is an
    explicit None (level) or "" (note). `revision` is the answer's revision the form was
    shown (0: no answer yet); None skips the check (scripts, restores, the demo team).
    """

    level: int | None | Keep = KEEP
    note: str | Keep = KEEP
    revision: int | None = None


@dataclass(frozen=True)
class Conflict:
    """A save refused because the answer changed since the form was shown."""

    skill_id: int
    level: int | None
    note: str
    revision: int  # the stored one: a form carrying it may replace the answer


@dataclass(frozen=True)
class SaveOutcome:
    """What answers_save wrote: `written` maps skill ids to their new revision."""

    written: dict[int, int] = field(default_factory=dict)
    unchanged: dict[int, int] = field(default_factory=dict)
    conflicts: dict[int, Conflict] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return len(self.written)


def _cycle_closed(assessment: Assessment) -> bool:
    """A closed review cycle freezes its assessments, drafts included."""
    cycle = assessment.cycle  # no query without a cycle
    return cycle is not None and cycle.closed_at is not None


def _lock(assessment: Assessment) -> Assessment:
    """The assessment row, locked until the transaction ends (docs/DESIGN.md §4).

    Answer writes, submission and deletion all take this lock first, so each sees the
    standing the one before it committed: an autosave that waited for a submission finds
    the assessment submitted. SQLite takes its write lock at BEGIN (IMMEDIATE), which
    serialises them the same way.
    """
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .get(pk=assessment.pk)
    )


def assessment_touch(*, assessment_id: int) -> None:
    """Bump the assessment's revision (Assessment.revision): call it inside the
    transaction of every write to what a team board shows of the assessment."""
    Assessment.objects.filter(pk=assessment_id).update(revision=F("revision") + 1)


def _check_draft(locked: Assessment) -> None:
    if not locked.is_draft:
        raise AssessmentLocked
    if _cycle_closed(locked):
        raise CycleFrozen


def _start_token_clash(owner, token: uuid.UUID | None) -> Assessment | None:
    if token is None:
        return None
    return Assessment.objects.filter(owner=owner, start_token=token).first()


def assessment_start(
    *, owner, roles: Iterable[Role], quick: bool = False, token: uuid.UUID | None = None
) -> Assessment:
    """A new draft; with the new-assessment form's one-time `token`, started once.

    Posting the same form again (a double click, four clicks at once) returns the draft
    the first post started: the token is unique per owner, so a concurrent second insert
    fails and reads the first one's draft instead.
    """
    if existing := _start_token_clash(owner, token):
        return existing
    mode = Assessment.Mode.QUICK if quick else Assessment.Mode.FULL
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(owner=owner, mode=mode, start_token=token)
            assessment.roles.set(roles)
    except IntegrityError:
        if existing := _start_token_clash(owner, token):
            return existing
        raise
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


def answers_save(*, assessment: Assessment, values: Mapping[int, AnswerInput]) -> SaveOutcome:
    """Save answers keyed by skill id, each on its own row.

    Only the skills given are touched, and of each only the fields given, so two tabs
    saving different questions never overwrite each other. An answer whose stored
    revision is not the one the form was shown is not written: it comes back as a
    conflict holding the newer values, unless the form says the same as what is stored.
    The assessment row is locked first (see _lock), so nothing is written once the
    submission has committed, and a first answer given twice at once is written once
    and reported once. The caller checks the skills belong to the questionnaire.
    """
    if not assessment.is_draft:
        raise AssessmentLocked
    with transaction.atomic():
        _check_draft(_lock(assessment))
        existing = {
            a.skill_id: a
            for a in Answer.objects.filter(assessment=assessment, skill_id__in=values).order_by()
        }
        return _write(assessment, existing, values)


class NotAsked(Exception):
    """The skill is not one of the draft's questions."""


@dataclass(frozen=True)
class Autosaved:
    """One autosaved answer: what was written, and how many questions have a level."""

    outcome: SaveOutcome
    answered: int
    asked: int


def answer_autosave(*, owner, assessment_id: int, skill_id: int, value: AnswerInput) -> Autosaved:
    """answers_save for one answer of one of `owner`'s drafts, in three queries.

    The same guarantees, read in fewer round trips: the lock is the read of the draft
    (Assessment.DoesNotExist for another's), its questions come from the cache (the
    draft's roles never change once it is started), and one read of all its answers
    gives both the stored answer and the progress.
    """
    with transaction.atomic():
        locked = _locked_of(owner, assessment_id)
        asked = questionnaire_skill_ids(locked)
        if skill_id not in asked:
            raise NotAsked
        _check_draft(locked)
        answers = {a.skill_id: a for a in Answer.objects.filter(assessment=locked).order_by()}
        outcome = _write(locked, answers, {skill_id: value})
    answered = sum(1 for k, a in answers.items() if a.level is not None and k in asked)
    return Autosaved(outcome=outcome, answered=answered, asked=len(asked))


def _locked_of(owner, assessment_id: int) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .get(pk=assessment_id, owner=owner)
    )


def _write(
    assessment: Assessment, existing: dict[int, Answer], values: Mapping[int, AnswerInput]
) -> SaveOutcome:
    """Write what `values` change of the `existing` answers, under the draft's lock;
    `existing` is brought up to date with what was written."""
    outcome = SaveOutcome()
    now = timezone.now()
    to_create, to_update = [], []
    for skill_id, value in values.items():
        answer = existing.get(skill_id)
        stored_level = answer.level if answer else None
        stored_note = answer.note if answer else ""
        stored_revision = answer.revision if answer else 0
        level = stored_level if value.level is KEEP else value.level
        note = stored_note if value.note is KEEP else value.note
        if (level, note) == (stored_level, stored_note):
            outcome.unchanged[skill_id] = stored_revision
            continue
        if value.revision is not None and value.revision != stored_revision:
            outcome.conflicts[skill_id] = Conflict(
                skill_id, stored_level, stored_note, stored_revision
            )
            continue
        if answer is None:
            to_create.append(
                Answer(assessment=assessment, skill_id=skill_id, level=level, note=note, revision=1)
            )
        else:
            answer.level, answer.note, answer.updated_at = level, note, now
            answer.revision = stored_revision + 1
            to_update.append(answer)
        outcome.written[skill_id] = stored_revision + 1
    # No ignore_conflicts: under the lock no other save of this draft can have created
    # the row meanwhile, and a failure must never be reported as saved.
    if to_create:
        Answer.objects.bulk_create(to_create)
        existing.update((answer.skill_id, answer) for answer in to_create)
    if len(to_update) == 1:  # an autosave: a plain UPDATE costs a third of bulk_update
        answer = to_update[0]
        Answer.objects.filter(pk=answer.pk).update(
            level=answer.level,
            note=answer.note,
            updated_at=answer.updated_at,
            revision=answer.revision,
        )
    elif to_update:
        Answer.objects.bulk_update(to_update, ["level", "note", "updated_at", "revision"])
    return outcome


def assessment_submit(*, assessment: Assessment) -> Assessment:
    """Freeze the answers and the catalogue they are scored against.

    Submitting twice (double click, back and resubmit) is harmless: the second call
    finds the assessment already submitted and returns it unchanged.
    """
    with transaction.atomic():
        locked = _lock(assessment)
        if not locked.is_draft:
            return locked
        if _cycle_closed(locked):
            raise CycleFrozen
        role_ids = list(locked.roles.values_list("pk", flat=True))
        steps = read_questionnaire_steps(role_ids, core_only=locked.is_quick)  # fresh
        skills = [skill for step in steps for skill in step.skills]
        levels = {
            skill_id: level
            for skill_id, level in Answer.objects.filter(assessment=locked, level__isnull=False)
            .order_by()
            .values_list("skill_id", "level")
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
        locked.revision += 1  # under the lock: nobody else is writing it
        locked.save(
            update_fields=["snapshot", "digest", "status", "submitted_at", "updated_at", "revision"]
        )
        assessment_changed.send(sender=Assessment, assessment=locked)
        return locked


@transaction.atomic
def assessment_retake(*, assessment: Assessment) -> Assessment:
    """A new draft for the same roles (those still published), answers left blank."""
    roles = assessment.roles.filter(is_published=True)
    return assessment_start(owner=assessment.owner, roles=roles)


@transaction.atomic
def assessment_delete_draft(*, assessment: Assessment) -> None:
    """Delete a draft; a result, or a draft of a closed review cycle, is kept."""
    _check_draft(_lock(assessment))
    assessment.delete()
    assessment_changed.send(sender=Assessment, assessment=assessment)
