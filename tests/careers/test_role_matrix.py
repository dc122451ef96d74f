"""The role matrix: overlap and weighted distance for every ordered pair of published roles."""

import re

import pytest
from django.urls import reverse

from careers.matrix import role_matrix
from tests.conftest import build_catalogue
from tests.factories import RoleFactory, RoleRequirementFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


def cells(matrix):
    return {
        (row.code, cell.code): (cell.overlap, cell.points)
        for row in matrix.rows
        for cell in row.cells
    }


def test_overlap_and_distance_by_hand(catalogue):
    # AAA needs skills 0-5 (weights 1,2,3,4,5,1; targets 1,2,3,4,1,2); BBB needs 0, 2, 4
    # (weights 5, 3, 1; targets 4, 2, 4). Shared: 3 of 6 skills = 50.0 %.
    # AAA -> BBB, from AAA's targets 1, 3, 1: 5*(4-1) + 0 + 1*(4-1) = 18 points.
    # BBB -> AAA, from BBB's targets 4, _, 2, _, 4, _: skill 1: 2*2, skill 2: 3*1,
    # skill 3: 4*4, skill 5: 1*2 = 4 + 3 + 16 + 2 = 25 points.
    matrix = role_matrix()

    assert [row.code for row in matrix.rows] == ["AAA", "BBB"]
    assert cells(matrix) == {
        ("AAA", "AAA"): (100.0, 0),
        ("AAA", "BBB"): (50.0, 18),
        ("BBB", "AAA"): (50.0, 25),
        ("BBB", "BBB"): (100.0, 0),
    }
    assert matrix.max_points == 25
    assert [cell.is_self for cell in matrix.rows[0].cells] == [True, False]


def test_cells_are_shaded_by_distance(catalogue):
    # shade = round(4 * points / largest): 18/25 -> 2.88 -> 3; 25/25 -> 4; the diagonal 0
    matrix = role_matrix()

    assert [[cell.shade for cell in row.cells] for row in matrix.rows] == [[0, 3], [4, 0]]


def test_only_published_roles_count(catalogue):
    draft = RoleFactory(code="DRAFT", is_published=False)
    RoleRequirementFactory(role=draft, skill=SkillFactory())

    matrix = role_matrix()

    assert [row.code for row in matrix.rows] == ["AAA", "BBB"]
    assert all(cell.code != "DRAFT" for row in matrix.rows for cell in row.cells)


def test_a_role_without_requirements_is_at_full_overlap_with_itself_only(catalogue):
    RoleFactory(code="EMPTY")

    found = cells(role_matrix())

    assert found[("EMPTY", "EMPTY")] == (100.0, 0)
    assert found[("EMPTY", "AAA")][0] == 0.0
    assert found[("AAA", "EMPTY")] == (0.0, 0)


def test_the_page_is_public_and_lists_published_roles_only(client, catalogue):
    RoleFactory(code="DRAFT", name_fr="Rôle brouillon", is_published=False)

    response = client.get(reverse("careers:role_matrix"))

    assert response.status_code == 200
    assert "DRAFT" not in response.text and "Rôle brouillon" not in response.text
    assert "AAA" in response.text and "BBB" in response.text
    assert "La distance entre les rôles" in response.text
    assert "50,0 %" in response.text and ">18<" in response.text and ">25<" in response.text


def test_a_signed_in_person_sees_it_too(client, catalogue):
    client.force_login(UserFactory())

    assert client.get(reverse("careers:role_matrix")).status_code == 200


def test_the_table_is_accessible(client, catalogue):
    response = client.get(reverse("careers:role_matrix"))

    text = response.text
    assert "<caption" in text
    assert len(re.findall(r'<th scope="col"', text)) == 3  # the corner and two roles
    assert len(re.findall(r'<th scope="row"', text)) == 2
    assert 'class="matrix-box"' in text and 'tabindex="0"' in text  # scrolls by keyboard
    assert text.count("cell self") == 2  # the diagonal is marked


def test_in_english(client, catalogue):
    client.cookies["django_language"] = "en"

    response = client.get(reverse("careers:role_matrix"))

    assert "How far apart the roles are" in response.text
    assert "50.0 %" in response.text


def test_the_role_list_links_to_it(client, catalogue):
    response = client.get(reverse("careers:role_list"))

    assert reverse("careers:role_matrix") in response.text


def test_the_role_code_matrix_is_not_taken_for_a_role(client, catalogue):
    # the matrix route comes before <slug:code>/: a role page is still found by code
    assert client.get(reverse("careers:role_detail", args=["AAA"])).status_code == 200
    assert reverse("careers:role_matrix") == "/roles/matrix/"


@pytest.mark.parametrize("extra_roles", [0, 6])
def test_query_count_does_not_grow_with_the_roles(client, django_assert_num_queries, extra_roles):
    roles = build_catalogue(categories=3, skills_per_category=4)
    skills = [r.skill for r in roles[0].requirements.all()]
    for n in range(extra_roles):
        role = RoleFactory(code=f"EXTRA{n}")
        for i, skill in enumerate(skills[n:]):
            RoleRequirementFactory(role=role, skill=skill, weight=i % 5 + 1, target=i % 4 + 1)

    # published roles, then all their requirements at once
    with django_assert_num_queries(2):
        response = client.get(reverse("careers:role_matrix"))

    assert len(response.context["matrix"].rows) == 2 + extra_roles
