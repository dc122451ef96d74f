"""Who may read a submitted result (assessments/access.py): its owner, and the managers
of the team whose review cycle it was made for, while they manage that team and the
owner is one of its members.

Olivia manages two teams, "Plateforme" and "Data"; carol is a member of both and of a
third, "Autre", which oscar manages. Carol has a result for a cycle of each of olivia's
teams, and a private one.
"""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.access import history_for, readable_results, result_get
from assessments.services import assessment_start
from teams.models import TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    membership_remove,
    membership_set_kind,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(catalogue):
    olivia, oscar, carol = (UserFactory(username=name) for name in ("olivia", "oscar", "carol"))
    results, memberships = {}, {}
    for name in ("Plateforme", "Data"):
        team = team_create(manager=olivia, name=name)
        memberships[name] = TeamMembership.objects.create(
            team=team, user=carol, target_role=catalogue[0]
        )
        cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
        results[name] = submitted(cycle_assessment_start(cycle=cycle, membership=memberships[name]))
    other = team_create(manager=oscar, name="Autre")
    TeamMembership.objects.create(team=other, user=carol)
    private = submitted(assessment_start(owner=carol, roles=catalogue))
    return {
        "olivia": olivia,
        "oscar": oscar,
        "carol": carol,
        "results": results,
        "memberships": memberships,
        "private": private,
    }


def readable(user) -> set[int]:
    return set(readable_results(user).values_list("pk", flat=True))


def history(user, result) -> set[int]:
    return {a.pk for a in history_for(user, result)}


def test_a_manager_reads_the_results_made_for_the_teams_she_manages(people):
    plateforme, data = people["results"]["Plateforme"], people["results"]["Data"]

    assert readable(people["olivia"]) == {plateforme.pk, data.pk}
    assert history(people["olivia"], data) == {plateforme.pk, data.pk}
    assert readable(people["carol"]) == {plateforme.pk, data.pk, people["private"].pk}


def test_a_member_of_several_teams_is_read_only_through_the_team_of_the_cycle(people):
    """Oscar manages a team carol is in, but none of her results was made for it."""
    assert readable(people["oscar"]) == set()


def test_once_the_member_leaves_one_team_its_results_are_no_longer_read(client, people):
    membership_remove(membership=people["memberships"]["Plateforme"])
    plateforme, data = people["results"]["Plateforme"], people["results"]["Data"]

    assert readable(people["olivia"]) == {data.pk}
    assert history(people["olivia"], data) == {data.pk}
    client.force_login(people["olivia"])
    response = client.get(reverse("assessments:result_xlsx", args=[data.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Historique"]
    assert sheet.max_row == 1 + 1, "the other team's result left the history sheet"
    for url_name in ("result_json", "result_csv", "result_xlsx", "simulate", "compare"):
        url = reverse(f"assessments:{url_name}", args=[plateforme.pk])
        assert client.get(url).status_code == 404, url_name


def test_a_member_made_a_manager_is_no_longer_reviewed(people):
    """A manager's results are their own: the team's other managers do not read them."""
    membership_set_kind(membership=people["memberships"]["Plateforme"], kind="manager")

    assert readable(people["olivia"]) == {people["results"]["Data"].pk}
    assert people["results"]["Plateforme"].pk in readable(people["carol"])


def test_a_demoted_manager_no_longer_reads_the_teams_results(people):
    plateforme = people["results"]["Plateforme"]
    olivias = TeamMembership.objects.get(team=plateforme.cycle.team, user=people["olivia"])
    TeamMembership.objects.create(team=plateforme.cycle.team, user=UserFactory(), kind="manager")
    membership_set_kind(membership=olivias, kind="member")

    assert readable(people["olivia"]) == {people["results"]["Data"].pk}


def test_the_rule_is_one_query_however_many_teams_and_results(
    people, catalogue, django_assert_num_queries
):
    for n in range(3):
        team = team_create(manager=people["olivia"], name=f"Équipe {n}")
        membership = TeamMembership.objects.create(
            team=team, user=UserFactory(), target_role=catalogue[0]
        )
        cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
        submitted(cycle_assessment_start(cycle=cycle, membership=membership))

    with django_assert_num_queries(1):
        assert len(list(readable_results(people["olivia"]))) == 2 + 3
    with django_assert_num_queries(1):
        result_get(people["olivia"], people["results"]["Data"].pk)
