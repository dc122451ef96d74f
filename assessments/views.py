import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careers.bidi import with_names
from careers.models import Level, Role
from careers.selectors import catalogue_snapshot, published_codes, published_roles
from careers.signals import keep_under_catalogue, kept_under_catalogue
from config import kept_page
from config.pdf import render_pdf
from scoring import LADDER_BLOCKING_GAP, LADDER_KEY_WEIGHT, LADDER_MIN_FIT

from . import extensions
from .access import assessment_get, assessments_of, history_for, result_get
from .forms import AnswerForm, RoleChoiceForm
from .models import Assessment
from .results import (
    band_ranges,
    build_ladders,
    build_result,
    compare_with_current,
    fit_history,
    gaps_csv_write,
    history_chart,
    history_role_names,
    latest_results,
    pick,
    result_document,
    result_export,
    scores_for,
)
from .selectors import (
    Progress,
    drafts_with_progress,
    progress_of,
    questionnaire_for,
    questionnaire_skill_ids,
    results_of,
)
from .services import (
    AssessmentLocked,
    Conflict,
    CycleFrozen,
    IncompleteAssessment,
    NotAsked,
    SaveOutcome,
    answer_autosave,
    answers_save,
    assessment_continue_in_full,
    assessment_delete_draft,
    assessment_retake,
    assessment_start,
    assessment_submit,
)
from .spreadsheets import XLSX_CONTENT_TYPE, result_workbook, workbook_bytes
from .step_page import answers_of, draft_with_answers, render_step, step_forms, step_page


@login_required
def assessment_list(request):
    results = list(results_of(request.user))
    role_codes, history = fit_history(results)
    names = history_role_names(history)
    return render(
        request,
        "assessments/list.html",
        {
            "drafts": drafts_with_progress(request.user),
            "results": [
                (result, [pick(role["name"]) for role in result.read_snapshot()["roles"]])
                for result in results
            ],
            # A quick result is provisional: never taken as the latest full one.
            "latest": latest_results(results),
            "any_quick": any(result.is_quick for result in results),
            "history_codes": role_codes,
            "history_columns": [(code, names.get(code, code)) for code in role_codes],
            "history": history,
            # A line needs two points: with one result, the table says it all.
            "history_chart": history_chart(role_codes, history, names)
            if len(history) >= 2
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request):
    initial = {"roles": published_roles().filter(code__in=request.GET.getlist("role"))}
    form = RoleChoiceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        assessment = assessment_start(
            owner=request.user,
            roles=form.cleaned_data["roles"],
            quick=form.cleaned_data["quick"],
            token=form.cleaned_data["token"],
        )
        return redirect("assessments:step", pk=assessment.pk, number=1)
    return render(request, "assessments/new.html", {"form": form})


SUBMITTED_NOT_SAVED = gettext_lazy("This assessment is submitted: this answer was not saved.")

# A kept result page is only ever served as it was made: the time lets pages nobody
# opens any more leave the cache.
RESULT_PAGE_SECONDS = 24 * 3600


@login_required
def assessment_detail(request, pk: int):
    """A result page, kept whole for its owner (config/kept_page.py).

    What it shows never changes but for the career links to published roles, which the
    catalogue version stands for; the key holds the language, the release prefixes every
    key. The key holds the owner too: only the owner's request ever stores it, so finding
    it is the access check (a submitted result never goes back to a draft).
    """
    chosen = request.GET.get("role", "")
    key = f"result-page:{pk}:{request.user.pk}:{get_language()}:{chosen}"
    keep = kept_page.keepable(request)
    version, kept = kept_under_catalogue(key) if keep else ("", None)
    # The page, and whether what other apps show above it is settled as nothing.
    page, settled = kept if isinstance(kept, tuple) else (None, False)
    made = page is None
    if page is None:
        # The snapshot (tens of kB of JSON) comes in the same query: only a page made
        # reads the row, and a draft, which is sent to its questions, has none.
        assessment = get_object_or_404(assessments_of(request.user).defer("digest"), pk=pk)
        if assessment.is_draft:
            questionnaire = questionnaire_for(assessment)
            return redirect("assessments:step", pk=pk, number=questionnaire.first_open_step() or 1)
        page = kept_page.render_with_holes(
            request, "assessments/result.html", _result_context(assessment, chosen, version)
        )
    # What other apps show above it (the plan made before the result) changes without
    # the result: read at every request, never kept with the page, until each says
    # there will never be anything (extensions.RESULT_PAGE_HTML).
    shown = [] if settled else [show(request.user, pk) for show in extensions.RESULT_PAGE_HTML]
    if keep and (made or (not settled and all(html is None for html in shown))):
        settled = all(html is None for html in shown)
        keep_under_catalogue(key, version, (page, settled), RESULT_PAGE_SECONDS)
    extra = "".join(html or "" for html in shown)
    return kept_page.response(request, page, {EXTRA: extra})


ALL_ROLES = "all"
EXTRA = kept_page.hole("extra")  # extensions.RESULT_PAGE_HTML


def _result_context(assessment: Assessment, chosen: str = "", version: str = "") -> dict:
    """The page's context; ``chosen`` is the picked role's code, or "all" to print every
    role. Anything else (an unknown code included) opens the best-fit role. ``version``
    is the catalogue version when the caller has read it."""
    scores = scores_for(assessment)  # ranked once, for the roles and the ladders
    results = build_result(assessment, scores=scores)
    shown = [r for r in results if chosen in (r.code, ALL_ROLES)] or results[:1]
    return {
        "extra": EXTRA,
        "assessment": assessment,
        "results": results,
        "shown": shown,
        "chosen": ALL_ROLES if chosen == ALL_ROLES else shown[0].code if shown else "",
        "bands": band_ranges(),
        "ladders": build_ladders(assessment, scores=scores),
        "thresholds": {
            "fit": LADDER_MIN_FIT,
            "weight": LADDER_KEY_WEIGHT,
            "gap": LADDER_BLOCKING_GAP,
        },
        # Career steps link to the roles a person can assess against today.
        "published_codes": set(published_codes(version or None)),
    }


def _level_name(level: int | None) -> str:
    return str(Level(level).label) if level is not None else _("no level")


def conflict_message(conflict: Conflict) -> SafeString:
    """What a refused save tells the person: the newer answer, and that theirs is kept.
    The note is the person's text: isolated (careers/bidi.py)."""
    level = _level_name(conflict.level)
    if conflict.note:
        saved = with_names(
            _("the saved answer is now “%(level)s” with the note “%(note)s”"),
            level=level,
            note=conflict.note,
        )
    else:
        saved = with_names(_("the saved answer is now “%(level)s” with no note"), level=level)
    return with_names(
        _(
            "Not saved: this answer was changed meanwhile, in another tab or window: "
            "%(saved)s. Your answer is kept on the page: save it again to replace that one."
        ),
        saved=saved,
    )


def _with_revisions(data, outcome: SaveOutcome):
    """The posted form with each question's revision set to the stored one: what the
    person typed stays on the page, and saving it again replaces the newer answer."""
    data = data.copy()
    stored = outcome.written | outcome.unchanged
    stored |= {skill_id: c.revision for skill_id, c in outcome.conflicts.items()}
    for skill_id, revision in stored.items():
        data[f"s{skill_id}-revision"] = str(revision)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def assessment_step(request, pk: int, number: int):
    """One step of the questionnaire, kept rendered (assessments/step_page.py); a GET
    reads the draft and its answers in one query."""
    if request.method == "GET":
        assessment, answers = draft_with_answers(request.user, pk)
    else:
        assessment = assessment_get(request.user, pk)
    if not assessment.is_draft:
        return redirect(assessment)
    page = step_page(request, assessment, number)
    if page is None:
        messages.error(request, _("The roles of this draft no longer have any skills."))
        return redirect("assessments:list")
    if request.method == "GET":
        return HttpResponse(render_step(request, assessment, page, answers))
    return _step_post(request, assessment, page, answers_of(assessment), number)


def _step_post(request, assessment: Assessment, page, answers, number: int):
    """The step's Save: the page that follows, or the step again with what was refused."""
    forms = step_forms(page.skill_ids, answers, request.POST)
    conflicts: dict[int, SafeString] = {}
    status = 200
    if all(form.is_valid() for _skill, form in forms):
        # An unset radio sends nothing, and a field not sent is left unchanged
        # (perhaps saved from another tab): clearing is never implied.
        values = {skill_id: form.to_input() for skill_id, form in forms}
        try:
            outcome = answers_save(assessment=assessment, values=values)
        except CycleFrozen:
            messages.error(request, _("This review cycle is closed: answers are frozen."))
            return redirect("assessments:list")
        except AssessmentLocked:
            messages.error(request, SUBMITTED_NOT_SAVED)
            return redirect(assessment)
        if not outcome.conflicts:
            return _after_step(request, assessment.pk, number, page.step_count)
        conflicts = {k: conflict_message(c) for k, c in outcome.conflicts.items()}
        status = 409
        answers = answers_of(assessment)  # the progress counts what was saved
        forms = step_forms(page.skill_ids, answers, _with_revisions(request.POST, outcome))
        for _skill, form in forms:
            form.is_valid()
        messages.warning(
            request,
            _(
                "Some answers were changed meanwhile in another tab or window and were "
                "not saved: see the messages below."
            ),
        )
    else:
        messages.error(request, _("Some answers could not be saved: see the messages below."))
    html = render_step(request, assessment, page, answers, forms, conflicts)
    return HttpResponse(html, status=status)


def _after_step(request, pk: int, number: int, step_count: int):
    """Where the step form's buttons lead once the answers are saved."""
    action = request.POST.get("go", "next")
    if action == "quit":
        messages.success(request, _("Your answers are saved. Resume whenever you like."))
        return redirect("assessments:list")
    if action == "review":
        return redirect("assessments:review", pk=pk)
    if action == "previous":
        target = number - 1
    elif step := re.fullmatch(r"step-([0-9]{1,4})", action):
        target = int(step[1])
    else:
        target = number + 1
    if 1 <= target <= step_count:
        return redirect("assessments:step", pk=pk, number=target)
    return redirect("assessments:review", pk=pk)


@login_required
@require_POST
def answer_save(request, pk: int, skill_id: int):
    """Save one answer as soon as it is given (called by htmx on change).

    Autosaves come at every click: a valid one is one service call, three queries
    (services.answer_autosave). "Saved" is only said of what the database holds; the
    response also gives the page the answer's revision for its next save.
    """
    form = AnswerForm(request.POST, prefix=f"s{skill_id}")
    if form.is_valid():
        try:
            saved = answer_autosave(
                owner=request.user, assessment_id=pk, skill_id=skill_id, value=form.to_input()
            )
        except (Assessment.DoesNotExist, NotAsked):
            raise Http404("No such question.") from None
        except AssessmentLocked as refused:  # submitted, or its cycle closed
            return _refused(request, pk, skill_id, refused)
        progress = Progress(answered=saved.answered, total=saved.asked)
        if conflict := saved.outcome.conflicts.get(skill_id):
            return _answer_status(request, progress, skill_id, conflict_message(conflict), 409,
                                  conflict.revision)  # fmt: skip
        outcome = saved.outcome
        revision = outcome.written.get(skill_id, outcome.unchanged.get(skill_id))
        return _answer_status(request, progress, skill_id, _("Saved"), 200, revision)
    assessment = assessment_get(request.user, pk)
    asked = questionnaire_skill_ids(assessment)
    if skill_id not in asked:
        raise Http404("This skill is not part of the questionnaire.")
    if not assessment.is_draft:
        return _refused(request, pk, skill_id, AssessmentLocked())
    errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
    return _answer_status(request, progress_of(assessment, asked), skill_id, errors, 400)


def _refused(request, pk: int, skill_id: int, refused: AssessmentLocked):
    assessment = assessment_get(request.user, pk)
    progress = progress_of(assessment, questionnaire_skill_ids(assessment))
    frozen = _("This review cycle is closed: answers are frozen.")
    message = frozen if isinstance(refused, CycleFrozen) else SUBMITTED_NOT_SAVED
    return _answer_status(request, progress, skill_id, message, 409)


def _answer_status(request, progress, skill_id, message, status, revision=None):
    # The progress counts answers saved from another tab meanwhile too.
    return render(
        request,
        "assessments/_answer_status.html",
        {
            "progress": progress,
            "message": message,
            "ok": status == 200,
            "skill_id": skill_id,
            "revision": revision,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_review(request, pk: int):
    assessment = assessment_get(request.user, pk)
    if not assessment.is_draft:
        return redirect(assessment)
    if request.method == "POST":
        try:
            assessment = assessment_submit(assessment=assessment)
        except IncompleteAssessment:
            messages.error(request, _("Answer every question before submitting."))
        except CycleFrozen:
            messages.error(request, _("This review cycle is closed: answers are frozen."))
        else:
            return redirect(assessment)
    questionnaire = questionnaire_for(assessment)
    return render(
        request,
        "assessments/review.html",
        {"assessment": assessment, "questionnaire": questionnaire},
    )


@login_required
@require_POST
def assessment_retake_view(request, pk: int):
    previous = assessment_get(request.user, pk)
    assessment = assessment_retake(assessment=previous)
    if not assessment.roles.exists():
        assessment_delete_draft(assessment=assessment)
        messages.error(request, _("Those roles are no longer offered: choose new ones."))
        return redirect("assessments:new")
    return redirect("assessments:step", pk=assessment.pk, number=1)


@login_required
@require_POST
def assessment_continue(request, pk: int):
    """Turn a quick assessment into a full one, keeping every answer already given."""
    quick = assessment_get(request.user, pk)
    if not quick.is_quick:
        raise Http404("Only a quick assessment can be continued.")
    full = assessment_continue_in_full(assessment=quick)
    messages.success(request, _("Your answers are kept: only the remaining questions are left."))
    return redirect(full)


@login_required
@require_POST
def assessment_delete(request, pk: int):
    assessment = assessment_get(request.user, pk)
    try:
        assessment_delete_draft(assessment=assessment)
    except CycleFrozen:
        messages.error(
            request,
            _(
                "This draft belongs to a closed review cycle: it is kept with the cycle "
                "and cannot be deleted."
            ),
        )
    except AssessmentLocked:
        messages.error(request, _("A submitted result cannot be deleted here."))
    else:
        messages.success(request, _("Draft deleted."))
    return redirect("assessments:list")


@login_required
def result_compare(request, pk: int):
    """The result against today's role profiles, without changing the saved result."""
    assessment = result_get(request.user, pk)
    codes = [role["code"] for role in assessment.read_snapshot()["roles"]]
    roles = Role.objects.filter(code__in=codes)
    current = catalogue_snapshot(roles.values_list("pk", flat=True))
    published = set(roles.filter(is_published=True).values_list("code", flat=True))
    comparisons = compare_with_current(assessment, current, published)
    changed = any(
        role.fit_now is None or role.changes or role.delta or not role.is_published
        for role in comparisons
    )
    return render(
        request,
        "assessments/compare.html",
        {"assessment": assessment, "comparisons": comparisons, "changed": changed},
    )


@login_required
def result_json(request, pk: int):
    assessment = result_get(request.user, pk)
    document = result_export(request.user, assessment)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'inline; filename="result-{assessment.pk}.json"'
    return response


@login_required
def result_csv(request, pk: int):
    assessment = result_get(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gaps-{assessment.pk}.csv"'
    gaps_csv_write(result_document(assessment), response)
    return response


@login_required
def result_xlsx(request, pk: int):
    assessment = result_get(request.user, pk)
    codes, history = fit_history(list(history_for(request.user, assessment)))
    book = result_workbook(
        build_result(assessment),
        history_codes=codes,
        history=history,
        role_names=history_role_names(history),
        current=assessment.pk,
        provisional=assessment.is_quick,
    )
    for extend in extensions.RESULT_WORKBOOK:  # more sheets (the plan)
        extend(request.user, assessment, book)
    response = HttpResponse(workbook_bytes(book), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="result-{assessment.pk}.xlsx"'
    return response


@login_required
def result_pdf(request, pk: int):
    """The result as a PDF file: the roles ranked, then one role (`?role=CODE`, the best
    fit by default) or every role (`?role=all`). Readable by whoever may read the result
    as a file (access.result_get)."""
    assessment = result_get(request.user, pk)
    chosen = request.GET.get("role", "")
    context = _result_context(assessment, chosen)
    if chosen and context["chosen"] != chosen:
        raise Http404("No role of this result has this code.")  # a file, not a fallback
    person = assessment.owner.get_username()
    date = assessment.submitted_at.date().isoformat() if assessment.submitted_at else ""
    for extend in extensions.RESULT_REPORT:  # more sections (the plan)
        context |= extend(request.user, assessment)
    return render_pdf(
        request,
        "assessments/result_pdf.html",
        context | {"person": person},
        f"{date}-{person[:60]}.pdf",
    )
