"""Lockout cannot be turned against a user: the client's address is read as the proxies
in front say it (django-ipware through django-axes' settings, config/settings.py
`client_address`), never as the client claims, so failures from other addresses never
lock the victim's own address out; and the password forms count wrong passwords as the
log-in does."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from config.settings import client_address
from tests.accounts.test_lockout import PASSWORD, assert_locked_out

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.254"  # the HTTPS proxy: every request reaches the app from it
VICTIM = "198.51.100.7"
ATTACKERS = [f"203.0.113.{n}" for n in range(1, 6)]


@pytest.fixture
def behind(settings):
    def configure(proxies: int) -> None:
        order, count = client_address(proxies)
        settings.AXES_IPWARE_META_PRECEDENCE_ORDER = order
        settings.AXES_IPWARE_PROXY_COUNT = count

    return configure


def through_proxy(client, password, real_address, forged=None):
    """A log-in as the proxy passes it on: it appends the address it was reached from."""
    forwarded = f"{forged}, {real_address}" if forged else real_address
    return client.post(
        reverse("login"),
        {"username": "alice", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_behind_one_proxy_failures_from_five_addresses_leave_the_victim_free(
    client, individual, behind
):
    behind(1)
    for attacker in ATTACKERS:  # each claims to be the victim, in vain
        through_proxy(client, "wrong-password", attacker, forged=VICTIM)

    response = through_proxy(client, PASSWORD, VICTIM)

    assert response.status_code == 302 and logged_in(client)
    recorded = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert recorded == set(ATTACKERS)  # never the proxy's address, never the forged one


def test_behind_one_proxy_five_failures_from_one_address_lock_that_address(
    client, individual, behind
):
    behind(1)
    for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"]:
        through_proxy(client, "wrong-password", ATTACKERS[0], forged=forged)

    assert_locked_out(through_proxy(client, PASSWORD, ATTACKERS[0]))
    assert through_proxy(client, PASSWORD, VICTIM).status_code == 302


def test_behind_two_proxies_the_address_the_first_proxy_saw_counts(client, individual, behind):
    behind(2)
    for attacker in ATTACKERS:
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong-password"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{VICTIM}, {attacker}, 10.0.0.1",
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == set(ATTACKERS)


def test_without_a_proxy_the_forwarded_header_is_ignored(client, individual, behind):
    behind(0)
    for _ in range(5):  # one attacker, claiming to be the victim
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong-password"},
            REMOTE_ADDR=ATTACKERS[0],
            HTTP_X_FORWARDED_FOR=VICTIM,
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKERS[0]}
    victim = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=VICTIM
    )
    assert victim.status_code == 302
    attacker = Client().post(  # not the victim's, now signed-in, browser
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR=ATTACKERS[0],
        HTTP_X_FORWARDED_FOR="9.9.9.9",  # a new header does not lift the lockout
    )
    assert_locked_out(attacker)


def test_the_production_default_is_one_proxy():
    assert client_address(1) == (("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"), 0)
    assert client_address(0) == (("REMOTE_ADDR",), None)


# ----------------------------------------------------------------- password forms


def change_password(client, old, new="another-Battery-staple-9"):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
        REMOTE_ADDR=VICTIM,
    )


def test_wrong_old_passwords_lock_the_password_change_as_failed_log_ins_do(client, individual):
    client.force_login(individual)
    for _ in range(4):
        response = change_password(client, "wrong-password")
        assert response.status_code == 200
        assert "ancien mot de passe est incorrect" in response.text

    assert_locked_out(change_password(client, "wrong-password"))
    assert_locked_out(change_password(client, PASSWORD))  # even the right one, now
    individual.refresh_from_db()
    assert individual.check_password(PASSWORD)  # unchanged


def test_the_right_old_password_changes_it_and_clears_the_failures(client, individual):
    client.force_login(individual)
    for _ in range(3):
        change_password(client, "wrong-password")

    response = change_password(client, PASSWORD)

    assert response.status_code == 302
    individual.refresh_from_db()
    assert individual.check_password("another-Battery-staple-9")
    assert not AccessAttempt.objects.filter(username="alice", ip_address=VICTIM).exists()


def test_wrong_passwords_on_the_deletion_form_count_too(client, individual):
    client.force_login(individual)
    for _ in range(4):
        response = client.post(
            reverse("account_delete"), {"password": "wrong-password"}, REMOTE_ADDR=VICTIM
        )
        assert response.status_code == 200

    response = client.post(
        reverse("account_delete"), {"password": "wrong-password"}, REMOTE_ADDR=VICTIM
    )

    assert_locked_out(response)
    individual.refresh_from_db()  # still there
