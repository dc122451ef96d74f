from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.results import pick
from careers.models import Level

from . import services
from .access import assessment_for_peers
from .forms import PeerAnswerForm, PeerRequestForm
from .models import PeerInvitation, token_digest
from .selectors import LinkState, first_name, link_state, peer_summary, with_peers


def _skills(assessment) -> list[dict]:
    """The assessment's skills as frozen at submission, in questionnaire order."""
    snapshot = assessment.read_snapshot()
    return [
        {
            "skill_id": skill["id"],
            "name": pick(skill["name"]),
            "self": snapshot["levels"].get(code),
            "levels": skill["levels"],
        }
        for code, skill in sorted(snapshot["skills"].items(), key=lambda item: item[1]["order"])
    ]


@login_required
@require_http_methods(["GET", "POST"])
def assessment_peers(request, pk: int):
    """Ask colleagues (the member or their manager), then follow how many answered and,
    from the third answer, the peers' average beside the self level."""
    assessment = assessment_for_peers(request.user, pk)
    skills = _skills(assessment)
    summary = peer_summary(assessment)
    form = PeerRequestForm(
        request.POST if request.method == "POST" else None,
        skills=[(skill["skill_id"], skill["name"]) for skill in skills],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.peer_request_create(
                    assessment=assessment,
                    requested_by=request.user,
                    skill_ids=form.cleaned_data["skills"],
                    emails=form.emails(),
                    language=get_language(),
                )
            except services.PeerRequestRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request, _("Your colleagues are asked: each gets a link by e-mail.")
                )
                return redirect("peers:assessment", pk=assessment.pk)
        status = 400
    chosen = set(summary.skill_ids) if summary else set()
    rows = [skill for skill in skills if skill["skill_id"] in chosen]
    with_peers(rows, summary)
    assert assessment.cycle is not None  # assessment_for_peers
    return render(
        request,
        "peers/assessment.html",
        {
            "assessment": assessment,
            "is_owner": assessment.owner_id == request.user.pk,
            "summary": summary,
            "rows": rows,
            "form": form,
            "is_open": assessment.cycle.is_open,
            "shown_from": summary.request.SHOWN_FROM if summary else 3,
        },
        status=status,
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    assessment = assessment_for_peers(request.user, pk)
    summary = peer_summary(assessment)
    if summary is not None:
        services.peer_request_withdraw(request=summary.request)
        messages.success(request, _("Request withdrawn: its links no longer work."))
    return redirect("peers:assessment", pk=assessment.pk)


STATE_MESSAGES = {
    LinkState.UNKNOWN: (
        gettext_lazy(
            "This link is not valid: it may have been mistyped, or the request no longer exists."
        ),
        404,
    ),
    # Said to whoever opens a used link again: informational, not an error.
    LinkState.ANSWERED: (
        gettext_lazy("This link was already used: the answers were received. Thank you."),
        200,
    ),
    LinkState.WITHDRAWN: (
        gettext_lazy("This request was withdrawn: no answer is needed any more."),
        410,
    ),
    LinkState.EXPIRED: (gettext_lazy("This link has expired: answers are no longer taken."), 410),
    LinkState.CLOSED: (
        gettext_lazy("The review this request was for is closed: answers are no longer taken."),
        410,
    ),
}


def _unusable(request, state: LinkState):
    text, status = STATE_MESSAGES[state]
    return render(request, "peers/link_state.html", {"message": text}, status=status)


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    """A colleague's single-use page, no account needed: the person's first name and the
    chosen skills on the questionnaire's scale; nothing of their results."""
    invitation = (
        PeerInvitation.objects.select_related(
            "request__assessment__owner", "request__assessment__cycle"
        )
        .filter(token_digest=token_digest(token))
        .first()
    )
    state = link_state(invitation)
    if state is not LinkState.OPEN:
        return _unusable(request, state)
    assert invitation is not None
    chosen = set(invitation.request.skills.values_list("pk", flat=True))
    skills = [
        {key: value for key, value in skill.items() if key != "self"}  # not the peer's to see
        for skill in _skills(invitation.request.assessment)
        if skill["skill_id"] in chosen
    ]
    form = PeerAnswerForm(
        request.POST if request.method == "POST" else None,
        skill_ids=[skill["skill_id"] for skill in skills],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.peer_answer(token=token, levels=form.levels())
            except services.LinkUnusable as unusable:  # another tab was first, say
                return _unusable(request, unusable.state)
            return render(request, "peers/thanks.html")
        status = 400
    for skill in skills:
        skill["field"] = form[f"s{skill['skill_id']}"]
        skill["options"] = [
            {
                "value": value,
                "label": label,
                "descriptor": pick(skill["levels"].get(str(value))),
                "checked": str(skill["field"].value()) == str(value),
            }
            for value, label in Level.choices
        ]
    return render(
        request,
        "peers/answer.html",
        {
            "name": first_name(invitation.request.assessment.owner),
            "skills": skills,
            "form": form,
            "expires_at": invitation.expires_at,
        },
        status=status,
    )
