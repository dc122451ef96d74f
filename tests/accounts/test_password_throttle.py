"""The password forms count wrong passwords as the log-in does (accounts/forms.py
`is_their_password`): the same lockout of the username and address, the same page."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.accounts.test_lockout import PASSWORD, assert_locked_out

pytestmark = pytest.mark.django_db

VICTIM = "198.51.100.7"


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
