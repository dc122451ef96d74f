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


# Behind proxies: the address is the PROXY_COUNT-th X-Forwarded-For entry from the right,
# the one the first proxy wrote; whatever the client put to its left is never read.
PROXY = "10.0.0.254"  # what REMOTE_ADDR is for every request behind the proxy
VICTIM = "198.51.100.7"
ATTACKERS = [f"203.0.113.{i}" for i in range(1, 6)]


def log_in_through_proxy(client, username, forwarded_for, password=PASSWORD):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def one_proxy(settings):
    settings.PROXY_COUNT = 1


def test_behind_a_proxy_failures_from_other_addresses_leave_the_victim_in(
    client, individual, one_proxy
):
    for attacker in ATTACKERS:
        log_in_through_proxy(client, "alice", attacker, "wrong-password")

    response = log_in_through_proxy(client, "alice", VICTIM)

    assert response.status_code == 302
    assert is_logged_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == set(ATTACKERS)


FORGED = [
    pytest.param(f"{VICTIM}, {{attacker}}", id="left-most"),
    pytest.param(f'{VICTIM}, ", {{attacker}}', id="unclosed-quote"),
    pytest.param(f"{VICTIM},{VICTIM}, {{attacker}}", id="repeated"),
    pytest.param(f"for={VICTIM}, {{attacker}}", id="forwarded-syntax"),
]


@pytest.mark.parametrize("forged", FORGED)
def test_behind_a_proxy_a_forged_header_cannot_pick_the_victims_address(
    client, individual, one_proxy, forged
):
    # What the client sent, then ", <its address>" that the proxy appended.
    for attacker in ATTACKERS:
        log_in_through_proxy(client, "alice", forged.format(attacker=attacker), "wrong-password")

    response = log_in_through_proxy(client, "alice", VICTIM)

    assert response.status_code == 302
    assert is_logged_in(client)
    assert VICTIM not in AccessAttempt.objects.values_list("ip_address", flat=True)


def test_behind_a_proxy_five_failures_from_one_address_lock_that_address_out(
    client, individual, one_proxy
):
    for _ in range(5):
        log_in_through_proxy(client, "alice", f"{VICTIM}, {ATTACKERS[0]}", "wrong-password")

    assert_locked_out(log_in_through_proxy(client, "alice", ATTACKERS[0]))
    assert_locked_out(log_in_through_proxy(client, "alice", f"{VICTIM}, {ATTACKERS[0]}"))
    assert log_in_through_proxy(client, "alice", VICTIM).status_code == 302


def test_without_a_proxy_the_forwarded_header_is_ignored(client, individual, settings):
    settings.PROXY_COUNT = 0
    for attacker in ATTACKERS:
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong-password"},
            REMOTE_ADDR=attacker,
            HTTP_X_FORWARDED_FOR=VICTIM,
        )

    response = log_in(client, "alice", address=VICTIM)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_without_a_proxy_a_changing_forwarded_header_does_not_escape_the_lockout(
    client, individual, settings
):
    settings.PROXY_COUNT = 0
    for attacker in ATTACKERS:
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong-password"},
            REMOTE_ADDR=HOME,
            HTTP_X_FORWARDED_FOR=attacker,
        )

    response = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR=HOME,
        HTTP_X_FORWARDED_FOR=VICTIM,
    )

    assert_locked_out(response)
