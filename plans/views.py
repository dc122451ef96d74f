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

from . import services
from .forms import AddForm, PlanItemForm
from .models import PlanItem
from .selectors import plan_of


@login_required
@require_GET
def plan(request):
    return render(request, "plans/plan.html", {"plan": plan_of(request.user)})


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
            context = {"plan": plan_of(request.user, {pk: retry}), "stale": pk}
            return render(request, "plans/plan.html", context, status=409)
        messages.success(request, _("Plan item saved."))
        return redirect("plans:plan")
    context = {"plan": plan_of(request.user, {pk: form})}
    return render(request, "plans/plan.html", context, status=400)


@login_required
@require_POST
def item_delete(request, pk: int):
    try:
        services.plan_item_delete(owner=request.user, item_id=pk)
    except PlanItem.DoesNotExist:
        raise Http404("No such plan item.") from None
    messages.success(request, _("Plan item removed."))
    return redirect("plans:plan")
