"""/organisation/units/<pk>/inventory/: who may search it, what it finds, what it costs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from organisation.models import LatestLevel
from organisation.services import consent_set, levels_refresh, unit_lead_revoke, unit_set_teams
from teams.models import TeamMembership
from tests.factories import UserFactory
from tests.organisation.helpers import person, reviewed, team_in

pytestmark = pytest.mark.django_db


def url(unit) -> str:
    return reverse("organisation:inventory", args=[unit.pk])


def search(client, user, scope, **params):
    client.force_login(user)
    return client.get(url(scope), {"min_level": 3, **params})


@pytest.fixture
def skill(org):
    return org.roles[0].skills.order_by("pk").first()


def found(response) -> list[str]:
    result = response.context["result"]
    return [row.name for row in result.found]


def test_a_lead_finds_the_findable_people_and_counts_the_others(client, org, skill):
    response = search(client, org.lea, org.direction, skill=skill.pk)
    assert response.status_code == 200
    assert found(response) == ["alice"]  # carl (4) is not findable, dora (1) is below
    assert response.context["result"].hidden == 1
    html = response.content.decode()
    assert "alice" in html and "carl" not in html and "bob" not in html
    assert 'data-hidden="1"' in html
    row = response.context["result"].found[0]
    assert (row.level, row.source, row.places) == (3, "self", [("Réseau", "Plateformes")])


def test_the_form_alone_shows_no_result(client, org):
    client.force_login(org.lea)
    response = client.get(url(org.direction))
    assert response.status_code == 200 and response.context["result"] is None


@pytest.mark.parametrize("who", ["bea", "mara", "oscar", "alice", "outsider"])
def test_nobody_but_the_units_leads_may_search_it(client, org, skill, outsider, who):
    user = outsider if who == "outsider" else getattr(org, who)
    for place in (org.direction, org.platforms):
        assert search(client, user, place, skill=skill.pk).status_code == 404


def test_a_lead_may_not_search_another_unit_nor_one_that_does_not_exist(client, org, skill):
    assert search(client, org.lea, org.finance, skill=skill.pk).status_code == 404
    client.force_login(org.lea)
    assert client.get("/organisation/units/999999/inventory/").status_code == 404
    assert client.get("/organisation/units/99999999999999999999/inventory/").status_code == 404


def test_a_sub_unit_outside_the_scope_is_refused_by_the_form(client, org, skill):
    response = search(client, org.lea, org.direction, skill=skill.pk, unit=org.finance.pk)
    assert response.status_code == 200 and response.context["result"] is None
    assert "unit" in response.context["form"].errors


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get(url(org.direction))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_bad_parameters_are_form_errors_not_failures(client, org, skill):
    for params in (
        {"skill": "x"},
        {"skill": skill.pk, "min_level": "9"},
        {"skill": skill.pk, "months": "-1"},
        {"skill": skill.pk, "role": "nope"},
        {"skill": 10**20},
    ):
        response = search(client, org.lea, org.direction, **params)
        assert response.status_code == 200 and response.context["result"] is None
    assert search(client, org.lea, org.direction, skill=skill.pk, page="zz").status_code == 200


def test_filters_sub_unit_role_and_recency(client, org, skill):
    bob_there = person(team_in(org.direction, "Siège"), org.roles[0], 4, username="zoe")
    everyone = search(client, org.lea, org.direction, skill=skill.pk)
    assert found(everyone) == ["zoe", "alice"]  # by level, then the latest
    below = search(client, org.lea, org.direction, skill=skill.pk, unit=org.platforms.pk)
    assert found(below) == ["alice"]
    by_role = search(client, org.lea, org.direction, skill=skill.pk, role=org.roles[0].pk)
    assert found(by_role) == ["alice"] and by_role.context["result"].hidden == 0
    other_role = search(client, org.lea, org.direction, skill=skill.pk, role=org.roles[1].pk)
    assert found(other_role) == [] and other_role.context["result"].hidden == 1  # carl
    old = timezone.now() - timedelta(days=200)
    Assessment.objects.filter(owner=bob_there).update(submitted_at=old)
    levels_refresh(user_id=bob_there.pk)
    recent = search(client, org.lea, org.direction, skill=skill.pk, months=6)
    assert found(recent) == ["alice"]
    assert found(search(client, org.lea, org.direction, skill=skill.pk, months=12)) == [
        "zoe",
        "alice",
    ]


def test_a_shared_managers_rating_is_the_figure(client, org, skill):
    reviewed(org.network, org.dora, org.roles[0], own=1, rated={skill.pk: 4})
    response = search(client, org.lea, org.direction, skill=skill.pk, min_level=4)
    row = response.context["result"].found[0]
    assert (row.name, row.level, row.source) == ("dora", 4, "manager")
    assert "Manager" in response.content.decode() or "Responsable" in response.content.decode()


def test_results_change_with_the_grants_the_tree_and_the_choices(client, org, skill):
    assert found(search(client, org.lea, org.direction, skill=skill.pk)) == ["alice"]
    # The team moves to Finance: lea no longer finds alice, bea does.
    unit_set_teams(unit=org.finance, teams=[org.budget, org.network])
    assert found(search(client, org.lea, org.direction, skill=skill.pk)) == []
    assert found(search(client, org.bea, org.finance, skill=skill.pk)) == ["bob", "alice"]
    # alice opts out: she is counted, not named.
    consent_set(user=org.alice, findable=False)
    response = search(client, org.bea, org.finance, skill=skill.pk)
    assert found(response) == ["bob"] and response.context["result"].hidden == 2
    # alice leaves the team: she is not counted either.
    TeamMembership.objects.filter(user=org.alice).delete()
    assert search(client, org.bea, org.finance, skill=skill.pk).context["result"].hidden == 1
    # bea's grant removed: the page is gone.
    unit_lead_revoke(lead=org.bea.units_led.get())
    assert search(client, org.bea, org.finance, skill=skill.pk).status_code == 404


def test_a_deleted_unit_is_not_found_and_a_deleted_person_not_counted(client, org, skill):
    org.carl.delete()
    response = search(client, org.lea, org.direction, skill=skill.pk)
    assert response.context["result"].hidden == 0
    unit_set_teams(unit=org.finance, teams=[])
    gone = url(org.finance)
    org.finance.delete()
    client.force_login(org.bea)
    assert client.get(gone, {"skill": skill.pk, "min_level": 3}).status_code == 404


def test_pages_of_findable_people_keep_the_search(client, org, skill):
    for i in range(30):
        person(org.network, org.roles[0], 3, username=f"p{i:02d}")
    response = search(client, org.lea, org.direction, skill=skill.pk)
    assert len(response.context["result"].found) == 25
    assert response.context["result"].shown == 31
    html = response.content.decode()
    assert f"skill={skill.pk}" in html and "page=2" in html
    second = search(client, org.lea, org.direction, skill=skill.pk, page=2)
    assert len(second.context["result"].found) == 6
    names = set(found(response)) | set(found(second))
    assert len(names) == 31


def _grow(org, people: int) -> None:
    """`people` more findable and as many hidden people, over new teams and sub-units."""
    from tests.organisation.helpers import unit

    for i in range(people):
        place = unit(f"Sous-unité {i}", org.platforms)
        team = team_in(place, f"Équipe {i}")
        person(team, org.roles[0], 3 + i % 2, username=f"f{i}")
        person(team, org.roles[0], 4, username=f"h{i}", findable=False)
        TeamMembership.objects.create(team=org.network, user=UserFactory())  # no result


@pytest.mark.parametrize("people", [2, 12])
def test_the_search_costs_the_same_whatever_the_size(
    client, org, skill, people, django_assert_max_num_queries
):
    _grow(org, people)
    client.force_login(org.lea)
    with django_assert_max_num_queries(12, info="inventory search: 12 at any size"):
        response = client.get(
            url(org.direction),
            {"skill": skill.pk, "min_level": 3, "unit": org.platforms.pk, "months": 12},
        )
    assert response.context["result"].shown == people + 1
    assert response.context["result"].hidden == people + 1
    assert LatestLevel.objects.filter(skill=skill).count() == 2 * people + 4


def test_a_150_character_name_in_french_and_english(client, org, skill):
    long_name = "n" * 150
    person(org.network, org.roles[0], 4, username=long_name)
    for language, word in (("fr", "Niveau"), ("en", "Level")):
        client.cookies["django_language"] = language
        response = search(client, org.lea, org.direction, skill=skill.pk)
        html = response.content.decode()
        assert long_name in html and word in html
