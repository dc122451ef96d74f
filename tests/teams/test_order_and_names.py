"""Members in the order people expect, and role names where the board showed codes."""

from django.urls import reverse
from django.utils import timezone

from teams.models import TeamMembership
from teams.selectors import natural_key
from teams.services import cycle_open, team_create
from tests.factories import UserFactory


def test_natural_key_orders_numbers_by_value_and_ignores_case_and_accents():
    names = ["member-10", "Élodie", "member-2", "elodie", "Zoé", "member-1", "anna"]
    assert sorted(names, key=natural_key) == [
        "anna",
        "elodie",
        "Élodie",
        "member-1",
        "member-2",
        "member-10",
        "Zoé",
    ]


def test_board_lists_members_naturally_with_their_target_role_s_name(client, catalogue):
    role = catalogue[0]
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    for name in ("member-10", "member-2", "Member-1"):
        TeamMembership.objects.create(team=team, user=UserFactory(username=name), target_role=role)
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    client.force_login(manager)

    page = client.get(reverse("teams:cycle", args=[team.pk, cycle.pk])).text
    detail = client.get(reverse("teams:detail", args=[team.pk])).text

    for text in (page, detail):
        assert text.index("Member-1") < text.index("member-2") < text.index("member-10")
    assert f"<bdi>{role.name}</bdi>" in page or role.name in page
    assert f">{role.code}<" not in page.split('class="team-board"')[1]


def test_a_plain_member_still_sees_no_board(client, catalogue):
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    member = UserFactory(username="member-2")
    TeamMembership.objects.create(team=team, user=member)
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    client.force_login(member)
    assert client.get(reverse("teams:cycle", args=[team.pk, cycle.pk])).status_code == 404
