"""Who may open what in this app: one rule per kind of object, used by every view and export.

Every lookup is limited to what the user may see, so another person's id is "not found"
(404), never "forbidden": the app does not confirm that someone else's assessment exists.

- An assessment, draft or result, as its owner uses it (questionnaire, result page,
  retake, delete, compare): its owner only.
- A submitted result as a file or a plan (JSON, CSV, XLSX, compare, simulator, path):
  its owner, and the managers of the team whose review cycle it was made for, while
  both are in that team: the reader one of its managers, the owner one of its members.
  Removing, demoting or promoting either, their leaving or their account's deletion
  ends it at once, since the rule reads today's memberships on every request.

This app knows teams only through the `Assessment.cycle` relation: the managers' part of
the rule is a lookup across it, so nothing here imports the teams app.
"""

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Assessment

# teams.models.TeamMembership.Kind; tests/teams/test_team_permissions.py holds the two
# apps to the same rule.
MANAGER, MEMBER = "manager", "member"


def assessments_of(user) -> QuerySet[Assessment]:
    """The user's own assessments, drafts and results."""
    return Assessment.objects.filter(owner=user)


def assessment_get(user, pk: int) -> Assessment:
    """The user's own assessment, or 404."""
    return get_object_or_404(assessments_of(user), pk=pk)


def _managed(user) -> Q:
    # Two filter() calls, two joins: one membership of the cycle's team for the reader
    # as a manager, another for the owner as a member. One subquery, whatever the data.
    return Q(
        pk__in=Assessment.objects.filter(
            cycle__team__memberships__user=user, cycle__team__memberships__kind=MANAGER
        )
        .filter(cycle__team__memberships__user=F("owner"), cycle__team__memberships__kind=MEMBER)
        .values("pk")
    )


def readable_results(user) -> QuerySet[Assessment]:
    """Submitted results the user may read: their own, and those made for the cycles of
    the teams they manage by people who are members of those teams today."""
    return Assessment.objects.filter(
        Q(owner=user) | _managed(user), status=Assessment.Status.SUBMITTED
    )


def result_get(user, pk: int) -> Assessment:
    """A submitted result the user may read (see readable_results), or 404."""
    return get_object_or_404(readable_results(user).select_related("cycle"), pk=pk)


def history_for(user, result: Assessment) -> QuerySet[Assessment]:
    """The result owner's submitted results that this user may read, for the history sheet.

    The owner sees all of theirs; a manager only those made for the cycles of the teams
    they manage and the person is still a member of, never the person's private results
    nor their results for another team.
    """
    return readable_results(user).filter(owner=result.owner_id)
