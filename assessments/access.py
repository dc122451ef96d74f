"""Who may open what in this app: one rule per kind of object, used by every view and export.

Every lookup is limited to what the user may see, so another person's id is "not found"
(404), never "forbidden": the app does not confirm that someone else's assessment exists.

- An assessment, draft or result, as its owner uses it (questionnaire, result page,
  retake, delete, compare): its owner only.
- A submitted result as a file or a plan (JSON, CSV, XLSX, simulator, path): its owner,
  and the managers of the team whose review cycle it was made for, while they manage it.

This app knows teams only through the `Assessment.cycle` relation: the managers' part of
the rule is a lookup across it, so nothing here imports the teams app.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Assessment

# teams.models.TeamMembership.Kind.MANAGER; tests/teams/test_team_permissions.py holds
# the two apps to the same rule.
MANAGER = "manager"


def assessments_of(user) -> QuerySet[Assessment]:
    """The user's own assessments, drafts and results."""
    return Assessment.objects.filter(owner=user)


def assessment_get(user, pk: int) -> Assessment:
    """The user's own assessment, or 404."""
    return get_object_or_404(assessments_of(user), pk=pk)


def _managed(user) -> Q:
    return Q(
        pk__in=Assessment.objects.filter(
            cycle__team__memberships__user=user, cycle__team__memberships__kind=MANAGER
        ).values("pk")
    )


def readable_results(user) -> QuerySet[Assessment]:
    """Submitted results the user may read: their own, and those of the cycles they manage."""
    return Assessment.objects.filter(
        Q(owner=user) | _managed(user), status=Assessment.Status.SUBMITTED
    )


def result_get(user, pk: int) -> Assessment:
    """A submitted result the user may read (see readable_results), or 404."""
    return get_object_or_404(readable_results(user).select_related("cycle"), pk=pk)


def history_for(user, result: Assessment) -> QuerySet[Assessment]:
    """The result owner's submitted results that this user may read, for the history sheet.

    The owner sees all of theirs; a manager only those made for the cycles they manage,
    never the person's private results nor their results for another team.
    """
    return readable_results(user).filter(owner=result.owner_id)
