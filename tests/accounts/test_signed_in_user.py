"""The signed-in user is read from the database on every request: no copy to go stale.

(It used to be kept in the cache and dropped on save; a bulk update, which sends no
signal, then left a deactivated account signed in for minutes.)
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def user_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("account")).status_code == 200
    return [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]


def test_each_page_reads_the_user_once(client, individual):
    client.force_login(individual)

    assert len(user_queries(client)) == 1
    assert len(user_queries(client)) == 1


def test_a_password_change_signs_out_other_sessions(individual):
    elsewhere = Client()
    elsewhere.force_login(individual)
    assert elsewhere.get(reverse("account")).status_code == 200

    individual.set_password("Un-autre-mot-de-passe-2026")
    individual.save()

    response = elsewhere.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_account_is_signed_out_at_once(client, individual):
    client.force_login(individual)
    assert client.get(reverse("account")).status_code == 200

    individual.is_active = False
    individual.save()

    assert client.get(reverse("account")).status_code == 302


def test_an_account_deactivated_in_bulk_is_signed_out_at_once(client, individual):
    client.force_login(individual)
    assert client.get(reverse("account")).status_code == 200

    get_user_model().objects.filter(pk=individual.pk).update(is_active=False)

    assert client.get(reverse("account")).status_code == 302


def test_a_renamed_user_sees_the_new_name(client, individual):
    client.force_login(individual)
    assert "alice" in client.get(reverse("account")).text

    individual.username = "alice-martin"
    individual.save()

    assert "alice-martin" in client.get(reverse("account")).text


def test_a_deleted_account_is_signed_out(client, individual):
    client.force_login(individual)
    assert client.get(reverse("account")).status_code == 200

    individual.delete()

    assert client.get(reverse("account")).status_code == 302
