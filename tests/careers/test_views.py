import re

import pytest
from django.urls import reverse

from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def test_role_list_is_public_and_shows_published_roles(client, catalogue):
    RoleFactory(code="DRAFTROLE", is_published=False)

    response = client.get(reverse("careers:role_list"))

    assert response.status_code == 200
    assert "AAA" in response.text and "DRAFTROLE" not in response.text


def test_role_detail_shows_requirements_and_career(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("careers:role_detail", args=["AAA"]))

    assert response.status_code == 200
    assert len(response.context["role"].requirements.all()) == 6
    assert "Développeur" in response.text
    assert reverse("careers:role_detail", args=["BBB"]) in response.text


def test_unpublished_role_is_404(client):
    RoleFactory(code="DRAFTROLE", is_published=False)
    assert client.get(reverse("careers:role_detail", args=["DRAFTROLE"])).status_code == 404


def test_role_list_in_english(client, catalogue):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("careers:role_list"))
    assert "Role 0" in response.text or "Role " in response.text
    assert "Rôle " not in response.text


PUBLIC_PAGES = [
    ("home", []),
    ("careers:role_list", []),
    ("careers:role_detail", ["AAA"]),
    ("careers:role_matrix", []),
]


@pytest.mark.parametrize(("name", "args"), PUBLIC_PAGES)
def test_a_public_page_seen_again_costs_no_query(
    client, catalogue, django_assert_num_queries, name, args
):
    first = client.get(reverse(name, args=args))
    with django_assert_num_queries(0):
        again = client.get(reverse(name, args=args))

    assert again.status_code == 200
    assert without_tokens(again.text) == without_tokens(first.text)


def without_tokens(page: str) -> str:
    """The page without its CSRF tokens: each response masks the secret anew."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)


@pytest.mark.parametrize(("name", "args"), PUBLIC_PAGES)
def test_a_kept_public_page_follows_an_editor_s_change_at_once(client, catalogue, name, args):
    role = catalogue[0]  # AAA
    client.get(reverse(name, args=args))

    role.name_fr = "Directrice de programme renommée"
    role.save()

    assert "Directrice de programme renommée" in client.get(reverse(name, args=args)).text


def test_a_kept_profile_is_kept_per_language(client, catalogue):
    url = reverse("careers:role_detail", args=["AAA"])
    french = client.get(url).text
    client.cookies["django_language"] = "en"
    english = client.get(url).text

    assert "Compétences requises" in french and "Skills required" in english
    assert "Skills required" not in french


def test_a_withdrawn_role_is_404_at_once_though_its_profile_was_kept(client, catalogue):
    url = reverse("careers:role_detail", args=["AAA"])
    assert client.get(url).status_code == 200

    catalogue[0].is_published = False
    catalogue[0].save()

    assert client.get(url).status_code == 404


def test_role_counts_come_from_one_aggregate_query(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):  # the roles and their counts, none built per skill
        response = client.get(reverse("careers:role_list"))
    assert "6 compétences" in response.text


def test_home_says_how_long_each_role_takes(client, catalogue):
    """20 s a question (careers.selectors.SECONDS_PER_QUESTION), rounded to the minute.

    AAA asks its 6 skills (2 min), BBB its 3 (1 min); every role at once asks the 6 skills
    of their union (2 min). Quick mode asks the core ones: AAA's skills 0 and 1 (40 s,
    shown as 1 min) and BBB's skill 0, 2 in the union (1 min).
    """
    from careers.models import RoleRequirement

    role_a, role_b = catalogue
    requirements = list(RoleRequirement.objects.filter(role=role_a).order_by("skill__order", "id"))
    for requirement in requirements[:2]:
        requirement.is_core = True
        requirement.save()
    RoleRequirement.objects.filter(role=role_b, skill=requirements[0].skill).update(is_core=True)

    client.cookies["django_language"] = "en"
    page = client.get(reverse("home")).text

    assert "6 questions, about 2 min" in page
    assert "3 questions, about 1 min" in page
    assert page.count("quick: 1 min") == 2
    assert "Every role at once: 6 questions, about 2 min" in page
    assert "quick mode, core skills only: about 1 min" in page
    assert "An example result" in page


def test_home_without_a_published_role_says_so(client, db):
    page = client.get(reverse("home")).text
    assert "Aucun rôle n’est encore publié" in page or "Aucun rôle n'est encore publié" in page


@pytest.mark.parametrize(("name", "args"), PUBLIC_PAGES)
def test_a_public_page_is_kept_whole_with_the_visitor_s_own_token_and_name(
    client, catalogue, individual, name, args
):
    url = reverse(name, args=args)
    client.get(url)
    anonymous = client.get(url)
    assert anonymous.context is None  # from the cache: no template rendered
    assert "\x00" not in anonymous.text and "Se connecter" in anonymous.text

    client.force_login(individual)
    client.get(url)
    signed_in = client.get(url)

    assert signed_in.context is None
    assert "alice" in signed_in.text and "Se connecter" not in signed_in.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', signed_in.text)
    assert token and len(token[1]) == 64  # this request's masked token, not a marker
    client.logout()
    assert "alice" not in client.get(url).text


def test_an_editor_s_preview_of_a_draft_role_is_never_kept(client, catalogue, editor):
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="change_role"))
    RoleFactory(code="DRAFTROLE", is_published=False)
    client.force_login(editor)
    url = reverse("careers:role_detail", args=["DRAFTROLE"])

    assert client.get(url).status_code == 200
    assert client.get(url).context is not None  # rendered again, not kept
    client.logout()
    assert client.get(url).status_code == 404
