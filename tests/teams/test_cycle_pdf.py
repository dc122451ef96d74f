"""The team cycle's PDF report (teams.views.cycle_pdf): the dashboard's figures in each
language, the reason when group figures are hidden, and only for current managers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from teams.dashboard import build_dashboard
from teams.models import TeamMembership
from teams.selectors import cycle_members, dashboard_data
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    membership_remove,
    membership_set_kind,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.factories import UserFactory
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def make_team(catalogue, members: int, name: str = "Plateforme"):
    """A team managed by olivia and bob, with `members` members who all submitted."""
    olivia, bob = UserFactory(), UserFactory()
    team = team_create(manager=olivia, name=name)
    bob_place = TeamMembership.objects.create(team=team, user=bob, kind="manager")
    cycle = cycle_open(team=team, name="Revue 2026", due_date=timezone.localdate())
    places = []
    for n in range(members):
        place = TeamMembership.objects.create(
            team=team, user=UserFactory(), target_role=catalogue[n % 2]
        )
        submitted(cycle_assessment_start(cycle=cycle, membership=place), lambda i, n=n: (i + n) % 5)
        places.append(place)
    return cycle, olivia, bob, bob_place, places


def url(cycle) -> str:
    return reverse("teams:cycle_pdf", args=[cycle.team_id, cycle.pk])


def test_french_figures(client, catalogue):
    cycle, olivia, *_ = make_team(catalogue, members=6)
    client.force_login(olivia)
    response = client.get(url(cycle))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="Plateforme-Revue-2026')
    text = pdf_text(response)
    assert "Rapport de revue d’équipe Plateforme" in text
    assert "Résultats soumis : 6 sur 6." in text
    assert "Adéquation de l’équipe par rôle" in text
    assert "Principales lacunes de l’équipe" in text or "Principaux écarts de l’équipe" in text
    board = build_dashboard(dashboard_data(cycle_members(cycle)))
    assert board.team_fit and board.gaps
    for fit in board.team_fit.values():
        assert f"{fit:.1f} %".replace(".", ",") in text
    for gap in board.gaps:
        assert gap.name in text
    assert "Synthèse de la carte de chaleur : membres sous la cible par compétence" in text
    for role in catalogue:  # three members per role: both roles' team fit is shown
        assert role.name_fr in text
    assert "Sous la cible" in text and "À la cible" in text


def test_english(client, catalogue):
    cycle, olivia, *_ = make_team(catalogue, members=6)
    client.force_login(olivia)
    client.cookies["django_language"] = "en"
    text = pdf_text(client.get(url(cycle)))
    assert "Team review report Plateforme" in text
    assert "Results submitted: 6 of 6." in text
    assert "Team fit per role" in text
    assert "Top team gaps and group actions" in text
    assert "Heatmap summary: members below target per skill" in text
    assert "Rapport" not in text
    for role in catalogue:
        assert role.name_en in text


def test_fewer_than_three_members_says_why(client, catalogue):
    cycle, olivia, *_ = make_team(catalogue, members=2, name="Petite équipe שלום")
    client.force_login(olivia)
    response = client.get(url(cycle))
    assert response.status_code == 200
    text = pdf_text(response)
    assert "au moins 3 membres" in text and "(2 pour l’instant)" in text
    assert "Synthèse de la carte de chaleur" in text
    assert "Adéquation moyenne" not in text


def test_no_submission_yet(client, catalogue):
    cycle, olivia, *_ = make_team(catalogue, members=0)
    client.force_login(olivia)
    text = pdf_text(client.get(url(cycle)))
    assert "Aucun membre n’a encore soumis" in text or "Aucun membre n'a encore soumis" in text


def test_only_current_managers(client, catalogue, outsider):
    cycle, olivia, bob, bob_place, places = make_team(catalogue, members=3)
    assert client.get(url(cycle)).status_code == 302  # to the log-in page
    for person in (outsider, places[0].user):
        client.force_login(person)
        assert client.get(url(cycle)).status_code == 404
    other_cycle, other_manager, *_ = make_team(catalogue, members=0, name="Autre")
    client.force_login(other_manager)
    assert client.get(url(cycle)).status_code == 404
    client.force_login(bob)
    assert client.get(url(cycle)).status_code == 200
    membership_set_kind(membership=bob_place, kind="member")  # bob demoted
    assert client.get(url(cycle)).status_code == 404
    promoted = places[0]
    membership_set_kind(membership=promoted, kind="manager")
    client.force_login(promoted.user)
    assert client.get(url(cycle)).status_code == 200
    membership_remove(membership=promoted)  # a removed manager
    assert client.get(url(cycle)).status_code == 404
    client.force_login(olivia)
    assert client.get(url(cycle)).status_code == 200


def test_query_count_does_not_grow_with_members(client, catalogue):
    counts = []
    for size in (3, 9):
        cycle, olivia, *_ = make_team(catalogue, members=size, name=f"Équipe {size}")
        client.force_login(olivia)
        client.get(url(cycle))  # what the first request keeps (published codes, the catalogue)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(cycle)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], "members are read in a fixed number of queries"
    assert counts[0] <= 12, [q["sql"] for q in queries.captured_queries]


def test_the_dashboard_links_to_the_pdf(client, catalogue):
    cycle, olivia, *_ = make_team(catalogue, members=3)
    client.force_login(olivia)
    page = client.get(reverse("teams:cycle", args=[cycle.team_id, cycle.pk])).text
    # No `download` attribute: while a worker makes the file, the link leads to the
    # cycle's files page, which must open as a page.
    assert f'href="{url(cycle)}">' in page
