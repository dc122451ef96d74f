"""The development plan's pages: the plan, and the forms that add, follow up and remove
its items. Every item is its owner's: another person's id is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

import scoring
from assessments.access import assessment_get
from assessments.planning import path_to

from . import access, services
from .forms import AddForm, PlanItemForm
from .models import MAX_TEXT, PlanItem
from .selectors import plan_of, sharing_of


@login_required
@require_GET
def plan(request):
    return render(request, "plans/plan.html", _context(request))


def _context(request, forms=None, **extra) -> dict:
    return {"plan": plan_of(request.user, forms), "sharing": sharing_of(request.user), **extra}


def _back(request, default: str = "plans:plan"):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def item_add(request):
    """A gap of the person's own result into their plan, from the path page."""
    form = AddForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request)
    data = form.cleaned_data
    result = assessment_get(request.user, data["result"])  # the owner's only
    if result.is_draft:
        raise Http404("A draft has no gaps to plan.")
    snapshot = result.read_snapshot()
    path = path_to(snapshot, data["role"])
    gap = next((s for s in path.steps if s.code == data["skill"]), None) if path else None
    if gap is None:
        raise Http404("No such gap in this result.")
    step = None
    if data["step"] is not None:
        steps = scoring.next_steps(snapshot["skills"][gap.code], gap.level, gap.target)
        if data["step"] >= len(steps):
            raise Http404("No such next step.")
        step = steps[data["step"]]
    item, created = services.plan_item_add(
        owner=request.user,
        result=result,
        skill_code=gap.code,
        target_level=gap.target,
        step=step,
        title=data["title"],
        url=data["url"],
        due_date=data["due_date"],
    )
    if created:
        messages.success(request, _("Added to your plan: %(skill)s.") % {"skill": gap.name})
    else:
        messages.info(request, _("This next step is in your plan already."))
    return _back(request)


@login_required
@require_POST
def item_update(request, pk: int):
    form = PlanItemForm(request.POST)
    if not PlanItem.objects.filter(pk=pk, owner=request.user).exists():
        raise Http404("No such plan item.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_item_update(
                owner=request.user,
                item_id=pk,
                revision=data["revision"],
                status=data["status"],
                due_date=data["due_date"],
                notes=data["notes"],
                evidence=data["evidence"],
            )
        except PlanItem.DoesNotExist:
            raise Http404("No such plan item.") from None
        except services.StaleItem as stale:
            # Show this tab's change again over the saved revision: saving it again is
            # a choice made knowing what the other tab saved.
            data = request.POST.copy()
            data["revision"] = str(stale.item.revision)
            retry = PlanItemForm(data)
            retry.is_valid()
            messages.warning(
                request,
                _(
                    "This item was changed in another tab or window: your change was not "
                    "saved. Check it below and save again."
                ),
            )
            context = _context(request, {pk: retry}, stale=pk)
            return render(request, "plans/plan.html", context, status=409)
        messages.success(request, _("Plan item saved."))
        return redirect("plans:plan")
    return render(request, "plans/plan.html", _context(request, {pk: form}), status=400)


@login_required
@require_POST
def item_delete(request, pk: int):
    try:
        services.plan_item_delete(owner=request.user, item_id=pk)
    except PlanItem.DoesNotExist:
        raise Http404("No such plan item.") from None
    messages.success(request, _("Plan item removed."))
    return redirect("plans:plan")


@login_required
@require_POST
def share(request):
    """Share the plan with a team's managers, or stop sharing it."""
    try:
        team_id = int(request.POST.get("team", ""))
    except ValueError:
        raise Http404("No such team.") from None
    if request.POST.get("shared") == "0":
        services.plan_unshare(owner=request.user, team_id=team_id)
        messages.success(request, _("Your plan is no longer shared with this team's managers."))
        return redirect("plans:plan")
    try:
        services.plan_share(owner=request.user, team_id=team_id)
    except services.NotAMember:
        raise Http404("Not a team of yours.") from None
    messages.success(request, _("Your plan is shared with this team's managers."))
    return redirect("plans:plan")


@login_required
@require_GET
def shared_plan(request, team_pk: int, user_pk: int):
    """A member's plan as the team's managers read it: comments and agreement."""
    team, owner = access.shared_plan(request.user, team_pk, user_pk)
    context = {"plan": plan_of(owner), "team": team, "owner": owner, "shared_view": True}
    return render(request, "plans/shared.html", context)


@login_required
@require_POST
def comment_add(request, pk: int):
    item = access.readable_item(request.user, pk)
    body = request.POST.get("body", "").strip()
    if not body or len(body) > MAX_TEXT:
        messages.error(request, _("Write a comment of at most 2,000 characters."))
    else:
        services.plan_comment_add(author=request.user, item=item, body=body)
        messages.success(request, _("Comment added."))
    return _back(request)


@login_required
@require_POST
def agree(request, pk: int):
    """A manager the plan is shared with marks the item agreed (or takes it back)."""
    item = access.readable_item(request.user, pk)
    if item.owner_id == request.user.pk:
        raise Http404("An item is agreed by a manager.")
    agreed = request.POST.get("agreed") != "0"
    services.plan_item_agree(manager=request.user, item=item, agreed=agreed)
    messages.success(request, _("Marked agreed.") if agreed else _("Agreement taken back."))
    return _back(request)
