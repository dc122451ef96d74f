"""Issue 14's account findings, each as it was found (these failed before the fix).

Written with Django's own tools and the plain URLs only, so that they run against the
code from before the fix as well as after it.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from teams.models import TeamMembership
from teams.services import invitation_create, team_create

pytestmark = pytest.mark.django_db

PASSWORD = "Plan-de-charge-2026"


def test_an_invitation_cannot_be_accepted_by_an_unrelated_account(client):
    """A manager invitation sent to nina was accepted by mallory's account, which became
    a manager of the team."""
    users = get_user_model().objects
    manager = users.create_user("olivia", "olivia@example.com", PASSWORD)
    mallory = users.create_user("mallory", "mallory@example.com", PASSWORD)
    team = team_create(manager=manager, name="Plateforme")
    invitation = invitation_create(
        team=team, email="nina@example.com", kind="manager", invited_by=manager, link_for=str
    )
    client.force_login(mallory)

    response = client.post(f"/teams/invitations/{invitation.token}/")

    assert response.status_code == 403
    assert not TeamMembership.objects.filter(team=team, user=mallory).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert "nina@example.com" not in response.text


def test_sign_up_does_not_reveal_that_an_address_has_an_account(client):
    """Sign-up said "An account already uses this email address"."""
    get_user_model().objects.create_user("alice", "alice@example.com", PASSWORD)

    def sign_up(username, email):
        form = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
        return client.post("/accounts/signup/", form)

    taken = sign_up("bruno", "Alice@Example.com")
    fresh = sign_up("carla", "carla@example.com")

    assert (taken.status_code, taken.get("Location")) == (fresh.status_code, fresh["Location"])
    assert taken.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="bruno").exists()


def test_a_forgotten_password_can_be_reset_by_email(client):
    """There was no password reset at all."""
    get_user_model().objects.create_user("alice", "alice@example.com", PASSWORD)

    page = client.get("/accounts/password/reset/")
    sent = client.post("/accounts/password/reset/", {"email": "alice@example.com"})

    assert page.status_code == 200
    assert sent.status_code == 302
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "/accounts/password/reset/" in mail.outbox[0].body
