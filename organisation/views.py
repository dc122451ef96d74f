from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .access import unit_for_lead, units_led_by
from .forms import InventoryForm


@login_required
def landing(request):
    """The units the person leads (and those under them), with their counts; 404 for
    anyone who leads none, as for a unit that is not theirs."""
    units = list(selectors.units_with_counts(units_led_by(request.user)))
    if not units:
        raise Http404
    return render(request, "organisation/landing.html", {"units": units})


@login_required
def inventory(request, pk: int):
    unit = unit_for_lead(request.user, pk)
    units = units_led_by(request.user).filter(path__startswith=unit.path)
    form = InventoryForm(request.GET or None, units=units)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        months = data["months"]
        result = selectors.inventory_search(
            unit=data["unit"] or unit,
            skill=data["skill"],
            min_level=data["min_level"],
            role=data["role"],
            since=selectors.months_before(timezone.now(), months) if months else None,
            page=request.GET.get("page", 1),
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organisation/inventory.html",
        {"unit": unit, "form": form, "result": result, "query": query.urlencode()},
    )


@login_required
@require_POST
def findable(request):
    """The My account page's choice: be listed by name in the skills inventory, or not."""
    on = request.POST.get("findable") == "on"
    services.consent_set(user=request.user, findable=on)
    if on:
        messages.success(request, _("Unit leads can now find you in the skills inventory."))
    else:
        messages.success(request, _("You are no longer listed in the skills inventory."))
    return redirect("account")
