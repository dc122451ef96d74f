"""The questionnaire step's page, kept rendered once per catalogue version, role set, step
and language, with holes where the person's own values go.

The step is the most used page, and all but a few bytes of it are the catalogue: the
skills, their descriptors, the level labels. It is rendered once as a stencil
(kept_page.Stencil), whose holes take the assessment's id (in the answer URLs and the
language form), each answer's level, note and revision, the messages above each
question, the progress bar and the page's messages. Every request, the first included,
fills the holes, so a request never sees another's values, and what is kept depends only
on what its key stands for: the catalogue version (careers/signals.py) stands for every
skill, label and descriptor shown, the sorted role ids and the quick flag for which
skills are asked, the step number and the language for the rest.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.forms import Form
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from careers.models import Level, indicator_lines
from careers.selectors import CATALOGUE_READING_SECONDS, Step, questionnaire_steps
from careers.signals import keep_under_catalogue, kept_under_catalogue
from config.kept_page import Stencil, hole, stencil

from .forms import AnswerForm
from .models import Answer, Assessment
from .selectors import Progress, role_ids_of

TEMPLATE = "assessments/step.html"
PK = hole("assessment")
# An id no assessment has, replaced by the hole in the reversed answer URL.
_ANY_PK = 2**31 - 1


@dataclass(frozen=True)
class StepPage:
    """What the cache holds for one step: the stencil and what filling it needs."""

    stencil: Stencil
    skill_ids: tuple[int, ...]  # this step's questions, in page order
    asked: frozenset[int]  # every question of the questionnaire, for the progress bar
    step_count: int


def _answer_url(skill_id: int) -> str:
    url = reverse("assessments:answer", args=[_ANY_PK, skill_id])
    return url.replace(f"/{_ANY_PK}/", f"/{PK}/", 1)


def _question(skill) -> dict:
    """A question's context, its person's values left as holes."""
    form = AnswerForm(prefix=f"s{skill.pk}")
    level, note, revision = form["level"], form["note"], form["revision"]
    levels = {lv.level: lv for lv in skill.levels.all()}
    return {
        "skill": skill,
        "url": _answer_url(skill.pk),
        "alerts": hole("alerts", skill.pk),
        "level_name": level.html_name,
        "note_name": note.html_name,
        "note_id": note.auto_id,
        "note": hole("note", skill.pk),
        "revision_name": revision.html_name,
        "revision": hole("revision", skill.pk),
        "options": [
            {
                "value": value,
                "label": label,
                "descriptor": levels[value].descriptor if value in levels else "",
                "indicators": indicator_lines(levels[value].indicators) if value in levels else [],
                "checked": hole("checked", skill.pk, value),
                "id": f"{level.auto_id}-{value}",
            }
            for value, label in Level.choices
        ],
    }


def _render(request, steps: list[Step], step: Step) -> StepPage:
    prefetch_related_objects(step.skills, "levels")  # this step's descriptors only
    total = sum(len(s.skills) for s in steps)
    context = {
        "steps": steps,
        "step": step,
        "questions": [_question(skill) for skill in step.skills],
        "progress": {"answered": hole("answered"), "total": total, "percent": hole("percent")},
        "is_last": step.number == len(steps),
        "messages_hole": hole("messages"),
        "next_path": hole("next"),
    }
    return StepPage(
        stencil=stencil(request, TEMPLATE, context),
        skill_ids=tuple(skill.pk for skill in step.skills),
        asked=frozenset(skill.pk for s in steps for skill in s.skills),
        step_count=len(steps),
    )


def step_page(request, assessment: Assessment, number: int) -> StepPage | None:
    """The kept step (rendered if it was not), None if the draft has no questions left;
    404 for a step it does not have."""
    role_ids = role_ids_of(assessment)
    core_only = assessment.is_quick
    key = f"step-page:{int(core_only)}:{','.join(map(str, role_ids))}:{number}:{get_language()}"
    version, page = kept_under_catalogue(key)
    if page is None:
        steps = questionnaire_steps(role_ids, core_only=core_only)
        if not steps:
            return None
        if not 1 <= number <= len(steps):
            raise Http404("No such step.")
        page = _render(request, steps, steps[number - 1])
        keep_under_catalogue(key, version, page, CATALOGUE_READING_SECONDS)
    return page


class Stored(NamedTuple):
    """A stored answer, as the step shows it."""

    skill_id: int
    level: int | None
    note: str
    revision: int


_DRAFT_FIELDS = ("id", "owner_id", "status", "mode", "created_at")
_ANSWER_FIELDS = ("answers__skill_id", "answers__level", "answers__note", "answers__revision")


def draft_with_answers(user, pk: int) -> tuple[Assessment, dict[int, Stored]]:
    """The user's own assessment (404 for anyone else's) with its answers by skill id,
    in one query: its answers joined to it, a row each (one row of NULLs when it has
    none). The assessment holds what a step reads of it; any other field would be read
    on first use, as a deferred one is."""
    rows = list(
        Assessment.objects.filter(pk=pk, owner=user)
        .order_by()
        .values_list(*_DRAFT_FIELDS, *_ANSWER_FIELDS)
    )
    if not rows:
        raise Http404("No such assessment.")
    width = len(_DRAFT_FIELDS)
    assessment = Assessment.from_db(Assessment.objects.db, _DRAFT_FIELDS, rows[0][:width])
    answers = {row[width]: Stored(*row[width:]) for row in rows if row[width] is not None}
    return assessment, answers


def answers_of(assessment: Assessment) -> dict[int, Stored]:
    """The draft's answers by skill id (1 query), read as tuples: the step builds no model
    instance. Keyed by skill, they need no order: order_by() drops the model's, which
    joins the skills and their categories."""
    rows = Answer.objects.filter(assessment=assessment).order_by()
    fields = ("skill_id", "level", "note", "revision")
    return {row[0]: Stored(*row) for row in rows.values_list(*fields)}


def step_forms(
    skill_ids: Sequence[int], answers: Mapping[int, Stored], data=None
) -> list[tuple[int, AnswerForm]]:
    forms = []
    for skill_id in skill_ids:
        answer = answers.get(skill_id)
        initial: dict[str, object] = {"revision": answer.revision if answer else 0}
        if answer:
            initial |= {"level": answer.level, "note": answer.note}
        forms.append((skill_id, AnswerForm(data, prefix=f"s{skill_id}", initial=initial)))
    return forms


def _alerts(form: Form, conflict: SafeString | str) -> str:
    errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
    html = ""
    if errors:
        html += format_html('<div class="alert alert-danger py-2" role="alert">{}</div>', errors)
    if conflict:
        html += format_html('<div class="alert alert-warning py-2" role="alert">{}</div>', conflict)
    return html


def render_step(
    request,
    assessment: Assessment,
    page: StepPage,
    answers: Mapping[int, Stored],
    forms: list[tuple[int, AnswerForm]] | None = None,
    conflicts: Mapping[int, SafeString | str] | None = None,
) -> str:
    """The kept step with this person's values, messages and progress in its holes: the
    stored answers, or what the `forms` posted with their errors and `conflicts`."""
    answered = sum(1 for a in answers.values() if a.level is not None and a.skill_id in page.asked)
    progress = Progress(answered=answered, total=len(page.asked))
    shown = messages.get_messages(request)
    values = {
        PK: str(assessment.pk),
        hole("next"): escape(request.get_full_path()),
        hole("answered"): str(progress.answered),
        hole("percent"): str(progress.percent),
        hole("messages"): render_to_string("_messages.html", {"messages": shown})
        if len(shown)
        else "",
    }
    if forms is None:
        values |= _stored(page, answers)
    else:
        values |= _posted(forms, conflicts or {})
    return page.stencil.fill(request, values)


def _question_values(
    skill_id: int, level: str, note: str, revision: str, alerts: str = ""
) -> dict[str, str]:
    values = {
        hole("checked", skill_id, value): " checked" if level == str(value) else ""
        for value, _label in Level.choices
    }
    values[hole("note", skill_id)] = escape(note)
    values[hole("revision", skill_id)] = escape(revision)
    values[hole("alerts", skill_id)] = alerts
    return values


def _stored(page: StepPage, answers: Mapping[int, Stored]) -> dict[str, str]:
    """The holes filled with the stored answers (a GET: no form needed)."""
    values: dict[str, str] = {}
    for skill_id in page.skill_ids:
        answer = answers.get(skill_id)
        if answer is None:
            values |= _question_values(skill_id, "", "", "0")
        else:
            level = "" if answer.level is None else str(answer.level)
            values |= _question_values(skill_id, level, answer.note, str(answer.revision))
    return values


def _posted(
    forms: list[tuple[int, AnswerForm]], conflicts: Mapping[int, SafeString | str]
) -> dict[str, str]:
    values: dict[str, str] = {}
    for skill_id, form in forms:
        level, note, revision = form["level"], form["note"], form["revision"]
        values |= _question_values(
            skill_id,
            str(level.value()),
            note.value() or "",
            str(revision.value() or 0),
            _alerts(form, conflicts.get(skill_id, "")),
        )
    return values
