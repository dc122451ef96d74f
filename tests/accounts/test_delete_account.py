import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

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

    assert page.context["blocking"] == [team]
    assert response.status_code == 200
    assert get_user_model().objects.filter(pk=individual.pk).exists()
