"""Every write to a team's data bumps the team's revision, in its own transaction.

The kept board and matrix files are keyed on it (teams/revision.py); these tests go
through each write path once, the dashboard tests check what the page then shows.
"""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.services import (
    AnswerInput,
    answers_save,
    assessment_delete_draft,
    assessment_submit,
)
from teams.models import Team, TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_close,
    cycle_open,
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    membership_remove,
    membership_set_kind,
    membership_set_target,
    ratings_save,
    review_share,
    team_create,
)
from tests.assessments.helpers import answer_all, submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(catalogue):
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    TeamMembership.objects.create(
        team=team, user=UserFactory(username="bob"), target_role=catalogue[0]
    )
    return team


def revision(team) -> int:
    return Team.objects.get(pk=team.pk).revision


def bumps(team, change) -> bool:
    before = revision(team)
    change()
    return revision(team) > before


def bob(team) -> TeamMembership:
    return team.memberships.get(user__username="bob")


def test_each_team_service_bumps_the_revision(team, catalogue):
    manager = team.memberships.get(kind="manager").user
    invite = lambda: invitation_create(  # noqa: E731
        team=team, email="x@example.com", kind="member", invited_by=manager, link_for=str
    )
    assert bumps(team, invite)
    invitation = team.invitations.latest("pk")
    assert bumps(
        team, lambda: invitation_resend(invitation=invitation, invited_by=manager, link_for=str)
    )
    fresh = team.invitations.latest("pk")
    assert bumps(team, lambda: invitation_revoke(invitation=fresh))
    other = invitation_create(
        team=team, email="y@example.com", kind="member", invited_by=manager, link_for=str
    )
    yves = UserFactory(email="y@example.com")  # the invited address, confirmed
    assert bumps(team, lambda: invitation_accept(token=other.token, user=yves))
    assert bumps(team, lambda: membership_set_target(membership=bob(team), role=catalogue[1]))
    assert bumps(team, lambda: membership_set_kind(membership=bob(team), kind="manager"))
    assert bumps(team, lambda: membership_set_kind(membership=bob(team), kind="member"))
    assert bumps(team, lambda: cycle_open(team=team, name="Revue", due_date=timezone.localdate()))
    cycle = team.cycles.get()
    assert bumps(team, lambda: cycle_assessment_start(cycle=cycle, membership=bob(team)))
    result = submitted(cycle.assessments.get())  # the submission: through assessments' signal
    skill = next(iter(result.snapshot["skills"].values()))["id"]

    def rate():
        ratings_save(assessment=result, manager=manager, values={skill: (3, "")})

    assert bumps(team, rate)
    assert not bumps(team, rate)  # nothing changed: nothing to bump
    assert bumps(team, lambda: review_share(assessment=result, manager=manager))
    assert bumps(team, lambda: cycle_close(cycle=cycle))
    assert bumps(team, lambda: membership_remove(membership=bob(team)))


def test_a_submission_bumps_it_and_an_autosave_does_not(team, catalogue):
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    draft = cycle_assessment_start(cycle=cycle, membership=bob(team))
    answer_all(draft)
    answer = draft.answers.first()

    assert not bumps(
        team, lambda: answers_save(assessment=draft, values={answer.skill_id: AnswerInput(4, "")})
    )
    assert bumps(team, lambda: assessment_submit(assessment=draft))


def test_deleting_a_cycle_draft_bumps_it(team):
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    draft = cycle_assessment_start(cycle=cycle, membership=bob(team))

    assert bumps(team, lambda: assessment_delete_draft(assessment=draft))


def test_a_renamed_or_deleted_person_bumps_their_teams_and_a_log_in_does_not(team, client):
    person = bob(team).user

    client.force_login(person)  # saves last_login only
    assert not bumps(team, lambda: client.force_login(person))
    person.username = "bob-martin"
    assert bumps(team, person.save)
    assert bumps(team, person.delete)
    assert not get_user_model().objects.filter(username="bob-martin").exists()


def test_another_team_keeps_its_revision(team, catalogue):
    other = team_create(manager=UserFactory(), name="Autre")

    assert not bumps(other, lambda: membership_set_target(membership=bob(team), role=catalogue[1]))
