"""Writes for a person's own account."""

from django.db import transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from teams.models import Team
from teams.selectors import DepartureBlocker, departure_blockers, teams_only_of


class DeletionBlocked(Exception):
    """The account cannot be deleted yet; `blockers` says why, team by team."""

    def __init__(self, blockers: list[DepartureBlocker]) -> None:
        self.blockers = blockers
        super().__init__(", ".join(f"{b.team.pk}:{b.reason}" for b in blockers))


def account_delete(*, user) -> None:
    """Delete the person with their assessments, answers, ratings received and
    memberships, and the teams they were alone in; never another person's assessment.

    Refused (DeletionBlocked) while they are the only manager of a team that has other
    people, or the last person of a team whose cycles hold the assessments of people who
    left it (Assessment.cycle protects those). The teams' rows are locked first, so that
    nobody joins a team between the check and its deletion.
    """
    pk = user.pk
    try:
        with transaction.atomic():
            list(
                Team.objects.select_for_update(of=("self",))
                .filter(memberships__user=user)
                .values_list("pk", flat=True)
            )
            blockers = departure_blockers(user)
            if blockers:
                raise DeletionBlocked(blockers)
            alone = teams_only_of(user)
            user.delete()  # first: the cycles of these teams hold the user's assessments
            Team.objects.filter(pk__in=alone).delete()
    except (ProtectedError, RestrictedError):
        # Someone's assessment reached one of those teams after the check; the deletion
        # rolled back, but Django had already cleared the instance's id.
        user.pk = pk
        raise DeletionBlocked(departure_blockers(user)) from None
