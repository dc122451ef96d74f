"""An organisation to search: units in a tree, teams in them, people with results."""

from assessments.models import Assessment
from assessments.services import assessment_start
from careers.models import Role
from organisation.models import Unit
from organisation.services import consent_set, unit_lead_grant, unit_save
from teams.models import Team, TeamMembership
from teams.services import cycle_assessment_start, cycle_open, ratings_save, review_share
from tests.assessments.helpers import submitted
from tests.factories import UserFactory


def unit(name: str, parent: Unit | None = None) -> Unit:
    return unit_save(unit=Unit(name=name, parent=parent))


def team_in(place: Unit | None, name: str, manager=None) -> Team:
    team = Team.objects.create(name=name, unit=place)
    TeamMembership.objects.create(
        team=team, user=manager or UserFactory(), kind=TeamMembership.Kind.MANAGER
    )
    return team


def lead(user, place: Unit):
    return unit_lead_grant(unit=place, user=user, granted_by=None)


def person(
    team: Team,
    role: Role,
    level: int,
    *,
    username: str | None = None,
    findable: bool = True,
    target: Role | None = None,
):
    """A member of the team whose latest result gives `level` to every skill of `role`."""
    user = UserFactory(**({"username": username} if username else {}))
    TeamMembership.objects.create(team=team, user=user, target_role=target)
    result(user, role, level)
    if findable:
        consent_set(user=user, findable=True)
    return user


def result(user, role: Role, level: int) -> Assessment:
    return submitted(assessment_start(owner=user, roles=[role]), level_for=lambda i: level)


def reviewed(team: Team, user, role: Role, own: int, rated: dict[int, int], share: bool = True):
    """The member's assessment for a new cycle of the team: `own` on every skill, the
    manager's ratings `rated` (skill id -> level), shared or not."""
    manager = team.memberships.get(kind=TeamMembership.Kind.MANAGER).user
    membership = team.memberships.get(user=user)
    cycle = cycle_open(team=team, name="Revue", due_date="2030-01-01")
    assessment = submitted(
        cycle_assessment_start(cycle=cycle, membership=membership, roles=[role]),
        level_for=lambda i: own,
    )
    ratings_save(
        assessment=assessment,
        manager=manager,
        values={skill_id: (level, "") for skill_id, level in rated.items()},
    )
    if share:
        review_share(assessment=assessment, manager=manager)
    return assessment
