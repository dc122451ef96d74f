import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment
from assessments.services import assessment_start
from teams.models import Team, TeamMembership
from teams.services import team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_deleting_needs_login(client):
    response = client.get(reverse("account_delete"))
    assert response["Location"].startswith(reverse("login"))


def test_deleting_asks_for_confirmation_and_a_password(client, individual, catalogue):
    submitted(assessment_start(owner=individual, roles=catalogue))
    client.force_login(individual)

    page = client.get(reverse("account_delete"))
    wrong = client.post(reverse("account_delete"), {"password": "nope"})

    assert page.status_code == 200 and page.context["counts"]["assessments"] == 1
    assert wrong.status_code == 200
    assert get_user_model().objects.filter(pk=individual.pk).exists()


def test_deleting_removes_the_person_and_their_data(client, individual, outsider, catalogue):
    submitted(assessment_start(owner=individual, roles=catalogue))
    assessment_start(owner=individual, roles=catalogue)
    theirs = submitted(assessment_start(owner=outsider, roles=catalogue))
    solo = team_create(manager=individual, name="Solo")
    shared = team_create(manager=outsider, name="Shared")
    TeamMembership.objects.create(team=shared, user=individual)
    client.force_login(individual)

    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response["Location"] == reverse("home")
    assert not get_user_model().objects.filter(pk=individual.pk).exists()
    assert list(Assessment.objects.all()) == [theirs]
    assert not Answer.objects.exclude(assessment=theirs).exists()
    assert not Team.objects.filter(pk=solo.pk).exists()
    assert list(shared.memberships.values_list("user_id", flat=True)) == [outsider.pk]
    assert "_auth_user_id" not in client.session


def test_the_only_manager_of_a_team_with_members_must_hand_over_first(client, individual):
    team = team_create(manager=individual, name="Platform")
    TeamMembership.objects.create(team=team, user=UserFactory())
    client.force_login(individual)

    page = client.get(reverse("account_delete"))
    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert [(b.team, b.reason) for b in page.context["blocking"]] == [(team, "members")]
    assert response.status_code == 200
    assert get_user_model().objects.filter(pk=individual.pk).exists()


# --- other people's results are never deleted -----------------------------------------


@pytest.fixture
def left_team(individual, catalogue):
    """Alice ran "Platform" with Bob, whose assessment for its cycle is submitted; she
    then removed him from the team: she is its last person, Bob's result is in it."""
    from teams.services import cycle_assessment_start, cycle_open, membership_remove

    team = team_create(manager=individual, name="Platform")
    bob = TeamMembership.objects.create(
        team=team, user=UserFactory(username="bob"), target_role=catalogue[0]
    )
    cycle = cycle_open(team=team, name="Review 2025", due_date=timezone.localdate())
    result = submitted(cycle_assessment_start(cycle=cycle, membership=bob))
    membership_remove(membership=bob)
    return team, result


def test_the_last_person_of_a_team_holding_others_results_is_told_what_to_do(
    client, individual, left_team
):
    team, result = left_team
    client.force_login(individual)

    page = client.get(reverse("account_delete"))
    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response.status_code == 200  # was a 500: ProtectedError
    assert [(b.team, b.reason, b.people) for b in response.context["blocking"]] == [
        (team, "results", 1)
    ]
    assert page.context["holding_results"] == response.context["holding_results"]
    assert "Invitez quelqu’un à gérer chaque équipe" in response.text
    assert b'data-blocked="results"' in response.content
    assert b'name="password"' not in response.content  # no form that cannot succeed
    assert get_user_model().objects.filter(pk=individual.pk).exists()
    assert Assessment.objects.filter(pk=result.pk).exists()
    assert Team.objects.filter(pk=team.pk).exists()


def test_once_someone_else_manages_the_team_the_account_goes_and_the_results_stay(
    client, individual, left_team
):
    team, result = left_team
    successor = UserFactory(username="sam")
    TeamMembership.objects.create(team=team, user=successor, kind=TeamMembership.Kind.MANAGER)
    client.force_login(individual)

    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response["Location"] == reverse("home")
    assert not get_user_model().objects.filter(pk=individual.pk).exists()
    assert Assessment.objects.filter(pk=result.pk, cycle__team=team).exists()
    assert list(team.memberships.values_list("user__username", flat=True)) == ["sam"]


def test_the_last_person_of_a_team_holding_only_their_own_results_deletes_it(
    client, individual, catalogue
):
    """Alice self-assessed in Olivia's team, became its manager and Olivia left: the
    team's cycle holds only Alice's own result, which goes with her and the team."""
    from teams.services import (
        cycle_assessment_start,
        cycle_open,
        membership_remove,
        membership_set_kind,
    )

    olivia = UserFactory(username="olivia")
    team = team_create(manager=olivia, name="Platform")
    alice = TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[0])
    cycle = cycle_open(team=team, name="Review 2025", due_date=timezone.localdate())
    own = submitted(cycle_assessment_start(cycle=cycle, membership=alice))
    membership_set_kind(membership=alice, kind=TeamMembership.Kind.MANAGER)
    membership_remove(membership=team.memberships.get(user=olivia))
    client.force_login(individual)

    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response["Location"] == reverse("home")  # was a 500: the team went first
    assert not Assessment.objects.filter(pk=own.pk).exists()
    assert not Team.objects.filter(pk=team.pk).exists()
    assert get_user_model().objects.filter(pk=olivia.pk).exists()


def test_a_member_who_leaves_by_deleting_their_account_changes_nobody_elses_team(
    client, individual, outsider, catalogue
):
    """Bob, a plain member with a result, deletes his account: his result goes, the
    team, its manager and the other member's result stay."""
    from teams.services import cycle_assessment_start, cycle_open

    team = team_create(manager=individual, name="Platform")
    bob = TeamMembership.objects.create(
        team=team, user=UserFactory(username="bob"), target_role=catalogue[0]
    )
    carol = TeamMembership.objects.create(team=team, user=outsider, target_role=catalogue[0])
    cycle = cycle_open(team=team, name="Review 2025", due_date=timezone.localdate())
    bobs = submitted(cycle_assessment_start(cycle=cycle, membership=bob))
    carols = submitted(cycle_assessment_start(cycle=cycle, membership=carol))
    client.force_login(bob.user)

    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response["Location"] == reverse("home")
    assert not Assessment.objects.filter(pk=bobs.pk).exists()
    assert Assessment.objects.filter(pk=carols.pk, cycle=cycle).exists()
    assert set(team.memberships.values_list("user__username", flat=True)) == {
        individual.username,
        outsider.username,
    }


def test_a_result_arriving_after_the_check_blocks_instead_of_failing(
    client, individual, left_team, monkeypatch
):
    """The check passes (stale), then the team's deletion meets Bob's result: the page
    explains, nothing is deleted."""
    from accounts import services

    team, result = left_team
    monkeypatch.setattr(services, "departure_blockers", lambda user: [])
    client.force_login(individual)

    with pytest.raises(services.DeletionBlocked):
        services.account_delete(user=individual)

    assert individual.pk is not None
    assert get_user_model().objects.filter(pk=individual.pk).exists()
    assert Assessment.objects.filter(pk=result.pk).exists()
