"""/organisation/: the units a lead sees, with their counts; nobody else."""

import pytest
from django.urls import reverse

from organisation.services import consent_set, unit_lead_revoke
from tests.organisation.helpers import lead, person, team_in, unit

pytestmark = pytest.mark.django_db

URL = reverse("organisation:landing")


def test_a_lead_sees_their_units_and_the_sub_units_with_counts(client, org):
    client.force_login(org.lea)
    response = client.get(URL)
    assert response.status_code == 200
    units = {
        u.name: (u.team_count, u.people_count, u.findable_count) for u in response.context["units"]
    }
    # Réseau: mara (manager), alice, carl, dora; alice and dora are findable.
    assert units == {"Direction technique": (1, 4, 2), "Plateformes": (1, 4, 2)}
    html = response.content.decode()
    assert "Finance" not in html
    assert reverse("organisation:inventory", args=[org.platforms.pk]) in html


@pytest.mark.parametrize("who", ["mara", "oscar", "alice", "outsider"])
def test_anyone_who_leads_no_unit_gets_404(client, org, outsider, who):
    client.force_login(outsider if who == "outsider" else getattr(org, who))
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_landing_follows_the_grants_and_the_choices(client, org):
    client.force_login(org.lea)
    consent_set(user=org.carl, findable=True)
    counts = {u.name: u.findable_count for u in client.get(URL).context["units"]}
    assert counts["Plateformes"] == 3
    unit_lead_revoke(lead=org.grant)
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("size", [1, 8])
def test_the_landing_costs_the_same_whatever_the_size(
    client, org, size, django_assert_max_num_queries
):
    for i in range(size):
        place = unit(f"U{i}", org.platforms)
        person(team_in(place, f"T{i}"), org.roles[0], 2)
    lead(org.lea, org.finance)
    client.force_login(org.lea)
    with django_assert_max_num_queries(4, info="the session, the user, the units with counts"):
        response = client.get(URL)
    assert len(response.context["units"]) == 3 + size


def test_my_teams_links_to_the_landing_for_unit_leads_only(client, org):
    link = reverse("organisation:landing")
    client.force_login(org.lea)
    assert link in client.get(reverse("teams:list")).content.decode()
    for who in (org.mara, org.alice):
        client.force_login(who)
        assert link not in client.get(reverse("teams:list")).content.decode()
    unit_lead_revoke(lead=org.grant)
    client.force_login(org.lea)
    assert link not in client.get(reverse("teams:list")).content.decode()
