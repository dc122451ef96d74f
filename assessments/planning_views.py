"""The what-if simulator and the path to a role: read-only pages over a submitted result."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

import scoring
from careers.models import Level

from . import extensions
from .access import result_get
from .models import Assessment
from .planning import ROLE_PARAM, path_to, role_choices, simulate, target_role_code


def _snapshot(assessment: Assessment) -> scoring.Snapshot:
    """A submitted result's snapshot (the database holds one for each), with its roles."""
    snapshot = assessment.read_snapshot()
    if not snapshot["roles"]:
        raise Http404("This result has no role.")
    return snapshot


@login_required
@require_GET
def result_simulate(request, pk: int):
    """The result re-scored with levels from the query string; nothing is saved.

    A plain GET form without JavaScript; htmx asks for the results panel only
    (HX-Request) and is told the short URL to put in the address bar.
    """
    assessment = result_get(request.user, pk)
    snapshot = _snapshot(assessment)
    simulation = simulate(
        snapshot,
        request.GET,
        role=request.GET.get(ROLE_PARAM),
        default_role=target_role_code(assessment),
    )
    url = reverse("assessments:simulate", args=[pk])
    context = {
        "assessment": assessment,
        "simulation": simulation,
        "levels": Level.choices,
        "roles": role_choices(snapshot),
        "url": url,
    }
    # A history restore (back button, cache missed) needs the whole page again.
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        response = render(request, "assessments/_simulation.html", {**context, "oob": True})
        response["HX-Push-Url"] = f"{url}?{simulation.query}" if simulation.query else url
    else:
        response = render(request, "assessments/simulate.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def result_path(request, pk: int, code: str):
    """The skills to develop for one of the result's roles, most weighted gap first."""
    assessment = result_get(request.user, pk)
    snapshot = _snapshot(assessment)
    roles = role_choices(snapshot)
    wanted = request.GET.get("to")
    # The picker is a plain GET form: ?to= names the role to show instead.
    if wanted and wanted != code and wanted in dict(roles):
        return redirect("assessments:path", pk=pk, code=wanted)
    path = path_to(snapshot, code)
    if path is None:
        raise Http404("No such role in this result.")
    context = {"assessment": assessment, "path": path, "roles": roles}
    for extend in extensions.PATH_CONTEXT:  # the plan's buttons
        context |= extend(request, assessment, snapshot, path)
    return render(request, "assessments/path.html", context)
