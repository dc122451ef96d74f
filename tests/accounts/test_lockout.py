"""Login throttling (django-axes) and password rules.

Five wrong passwords for one username from one address lock that pair out for
AXES_COOLOFF_TIME; other usernames and other addresses are not affected.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db.models import F
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's, for alice (individual) and mallory
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"
LOCKED_OUT_MESSAGE = "Après 5 mots de passe erronés"


def log_in(client, username, password=PASSWORD, address=HOME):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address=HOME):
    for _ in range(times):
        log_in(client, username, "wrong-password", address)


def is_logged_in(client) -> bool:
    return SESSION_KEY in client.session


def assert_locked_out(response):
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "Trop de tentatives infructueuses" in response.text
    assert LOCKED_OUT_MESSAGE in response.text


def end_cool_off():
    """Age every recorded failure past the cool-off, as if the time had passed."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )


def test_up_to_four_failures_the_form_explains_the_error(client, individual):
    fail(client, "alice", 3)

    response = log_in(client, "alice", "wrong-password")

    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.text


def test_the_fifth_failure_already_gets_the_lockout_page(client, individual):
    fail(client, "alice", 4)

    response = log_in(client, "alice", "wrong-password")

    assert_locked_out(response)


def test_sixth_attempt_with_the_right_password_gets_the_lockout_page(client, individual):
    fail(client, "alice", 5)

    response = log_in(client, "alice")

    assert_locked_out(response)
    assert not is_logged_in(client)
    assert client.get(reverse("assessments:list")).status_code == 302


def test_another_username_from_the_same_address_can_log_in(client, individual, outsider):
    fail(client, "alice", 5)

    response = log_in(client, "mallory")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_same_username_from_another_address_can_log_in(client, individual):
    fail(client, "alice", 5, address=HOME)

    response = log_in(client, "alice", address=ELSEWHERE)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_lockout_ends_after_the_cool_off(client, individual):
    fail(client, "alice", 5)
    assert_locked_out(log_in(client, "alice"))

    end_cool_off()
    response = log_in(client, "alice")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_lockout_still_holds_just_before_the_cool_off_ends(client, individual):
    fail(client, "alice", 5)
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    )

    assert_locked_out(log_in(client, "alice"))


def test_a_successful_login_resets_the_counter(client, individual):
    fail(client, "alice", 4)
    assert log_in(client, "alice").status_code == 302
    client.post(reverse("logout"))

    fail(client, "alice", 4)
    response = log_in(client, "alice")

    assert response.status_code == 302
    assert is_logged_in(client)


WEAK_PASSWORDS = [
    pytest.param("Ab1-x", "trop court", id="short"),
    pytest.param("password123", "trop courant", id="common"),
    pytest.param("4815162342718", "entièrement numérique", id="numeric"),
]


@pytest.mark.parametrize("password, message", WEAK_PASSWORDS)
def test_signup_refuses_a_weak_password(client, password, message):
    response = client.post(
        reverse("signup"),
        {
            "username": "bruno",
            "email": "bruno@example.com",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 200
    assert message in response.text
    assert not is_logged_in(client)
    assert not get_user_model().objects.filter(username="bruno").exists()


@pytest.mark.parametrize("password, message", WEAK_PASSWORDS)
def test_password_change_refuses_a_weak_password(client, individual, password, message):
    client.force_login(individual)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )

    assert response.status_code == 200
    assert message in response.text
    individual.refresh_from_db()
    assert individual.check_password(PASSWORD)
