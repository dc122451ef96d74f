"""accounts.backends.UserBackend: the signed-in user read by a statement compiled once.

It must give exactly what Django's ModelBackend gives (same fields, same converted
values, same refusal of an inactive account), and sessions made under ModelBackend must
keep working beside it."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import reverse

from accounts.backends import UserBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Un-mot-de-passe-solide-2026"


def test_it_reads_the_same_user_as_the_model_backend(individual):
    individual.first_name, individual.last_name = "Éloïse", "Ñúñez" * 20
    individual.save()
    individual.refresh_from_db()

    ours, django_s = UserBackend().get_user(individual.pk), ModelBackend().get_user(individual.pk)

    assert ours is not None and django_s is not None
    fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    assert {f: getattr(ours, f) for f in fields} == {f: getattr(django_s, f) for f in fields}
    assert ours.date_joined.tzinfo is not None and ours.is_active is True
    assert ours._state.adding is False  # a saved row: saving it updates, never inserts


@pytest.mark.parametrize("user_id", [10**9, "not-a-key", None, ""])
def test_no_user_for_a_key_that_holds_none(user_id):
    assert UserBackend().get_user(user_id) is None


def test_an_inactive_account_is_no_user(individual):
    get_user_model().objects.filter(pk=individual.pk).update(is_active=False)
    assert UserBackend().get_user(individual.pk) is None


def test_a_log_in_uses_it_and_an_account_turned_off_is_signed_out_at_once(client):
    user = UserFactory(username="camille")
    user.set_password(PASSWORD)
    user.save()

    client.post(reverse("login"), {"username": "camille", "password": PASSWORD})

    assert client.session["_auth_user_backend"] == "accounts.backends.UserBackend"
    assert int(client.session[SESSION_KEY]) == user.pk
    assert client.get(reverse("account")).context["user"] == user
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("account")).status_code == 302  # signed out at once


def test_a_session_made_under_the_model_backend_keeps_working(individual):
    older = Client()
    older.force_login(individual, backend="django.contrib.auth.backends.ModelBackend")

    response = older.get(reverse("account"))

    assert response.status_code == 200 and response.context["user"] == individual
