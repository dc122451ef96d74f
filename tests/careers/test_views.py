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
