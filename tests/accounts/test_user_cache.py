"""The signed-in user is read from the cache (with Redis) and dropped when it changes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import user_cache_key

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def user_cache(settings):
    settings.CACHES = LOCMEM
    settings.USER_CACHE_SECONDS = 300
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def user_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("account")).status_code == 200
    return [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]


def test_the_user_is_read_once_then_from_the_cache(user_cache, client, individual):
    client.force_login(individual)

    assert len(user_queries(client)) == 1  # read from the database, then kept
    assert user_cache.get(user_cache_key(individual.pk)) == individual
    assert user_queries(client) == []


def test_without_the_setting_every_page_reads_the_user(settings, client, individual):
    settings.USER_CACHE_SECONDS = 0
    client.force_login(individual)

    assert len(user_queries(client)) == 1
    assert len(user_queries(client)) == 1


def test_a_password_change_still_signs_out_other_sessions(user_cache, individual):
    elsewhere = Client()
    elsewhere.force_login(individual)
    assert elsewhere.get(reverse("account")).status_code == 200  # now cached

    individual.set_password("Un-autre-mot-de-passe-2026")
    individual.save()

    response = elsewhere.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_account_is_signed_out_at_once(user_cache, client, individual):
    client.force_login(individual)
    assert client.get(reverse("account")).status_code == 200

    individual.is_active = False
    individual.save()

    assert client.get(reverse("account")).status_code == 302


def test_a_renamed_user_sees_the_new_name(user_cache, client, individual):
    client.force_login(individual)
    assert "alice" in client.get(reverse("account")).text

    individual.username = "alice-martin"
    individual.save()

    assert "alice-martin" in client.get(reverse("account")).text


def test_a_deleted_account_is_forgotten(user_cache, client, individual):
    client.force_login(individual)
    assert client.get(reverse("account")).status_code == 200

    individual.delete()

    assert user_cache.get(user_cache_key(individual.pk)) is None
    assert client.get(reverse("account")).status_code == 302
