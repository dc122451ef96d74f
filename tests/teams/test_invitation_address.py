"""An invitation reaches the person it names: only the account whose confirmed address is
the invited one may accept it; anyone else holding the link is told so, and the manager
can invite again. The journeys go through a real SMTP server and follow the links."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from teams.access import Standing, invitation_standing
from teams.models import Invitation, TeamMembership
from teams.services import InvitationRefused, invitation_accept, invitation_create, team_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def manager(db):
    return UserFactory(username="olivia")


@pytest.fixture
def team(manager):
    return team_create(manager=manager, name="Plateforme")


def invite(team, email, kind="manager") -> Invitation:
    return invitation_create(team=team, email=email, kind=kind, invited_by=None, link_for=str)


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def only_link(smtp_server, address: str, part: str) -> str:
    (message,) = smtp_server.to(address)
    (link,) = [li for li in smtp_server.links(message) if part in li]
    return path_of(link)


def joined(team, user) -> bool:
    return TeamMembership.objects.filter(team=team, user=user).exists()


# --- who may accept ------------------------------------------------------------------


def test_the_invited_account_accepts_whatever_the_case(client, team):
    nina = UserFactory(username="nina", email="nina@example.com")
    invitation = invite(team, "Nina@Example.COM")
    client.force_login(nina)

    page = client.get(invitation.get_absolute_url())
    response = client.post(invitation.get_absolute_url())

    assert page.context["standing"] == Standing.MAY_ACCEPT
    assert "Accepter l’invitation" in page.text
    assert response["Location"] == team.get_absolute_url()
    assert team.memberships.get(user=nina).kind == TeamMembership.Kind.MANAGER


def test_an_unrelated_account_is_told_and_nothing_changes(client, team):
    mallory = UserFactory(username="mallory", email="mallory@example.com")
    invitation = invite(team, "nina.martin@example.com")
    client.force_login(mallory)

    page = client.get(invitation.get_absolute_url())
    refused = client.post(invitation.get_absolute_url())

    for response in (page, refused):
        assert "Vous êtes connecté en tant que <strong>mallory</strong>" in response.text
        assert "n•••@e•••.com" in response.text
        assert "nina.martin" not in response.text and "example.com" not in response.text.replace(
            "mallory@example.com", ""
        )
        assert "Me déconnecter et me connecter avec un autre compte" in response.text
        assert "Accepter l’invitation" not in response.text
    assert page.status_code == 200
    assert refused.status_code == 403
    assert not joined(team, mallory)
    invitation.refresh_from_db()
    assert invitation.is_usable, "the invitation stays pending for the person it names"


def test_an_unrelated_account_cannot_accept_through_the_service_either(team):
    mallory = UserFactory(username="mallory", email="mallory@example.com")
    invitation = invite(team, "nina@example.com")

    with pytest.raises(InvitationRefused) as refused:
        invitation_accept(token=invitation.token, user=mallory)

    assert refused.value.standing == Standing.OTHER_ADDRESS
    assert not joined(team, mallory)


def test_a_member_is_not_made_manager_by_someone_elses_invitation(client, team):
    bob = UserFactory(username="bob", email="bob@example.com")
    TeamMembership.objects.create(team=team, user=bob)
    invitation = invite(team, "nina@example.com", kind="manager")
    client.force_login(bob)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 403
    assert team.memberships.get(user=bob).kind == TeamMembership.Kind.MEMBER


def test_an_unconfirmed_address_is_asked_to_confirm_first(client, team, smtp_server):
    nina = UserFactory(username="nina", email="nina@example.com", email_confirmed=False)
    invitation = invite(team, "nina@example.com")
    client.force_login(nina)

    page = client.get(invitation.get_absolute_url())
    refused = client.post(invitation.get_absolute_url())

    assert page.context["standing"] == Standing.UNCONFIRMED
    assert "vous ne l’avez pas encore confirmée" in page.text
    assert "M’envoyer le lien de confirmation" in page.text
    assert refused.status_code == 403
    assert not joined(team, nina)

    sent = client.post(reverse("email_confirmation_send"), {"next": invitation.get_absolute_url()})
    confirmed = client.post(only_link(smtp_server, "nina@example.com", "/email/confirm/"))
    accepted = client.post(confirmed["Location"])

    assert sent["Location"] == invitation.get_absolute_url()
    assert confirmed["Location"] == invitation.get_absolute_url()
    assert accepted["Location"] == team.get_absolute_url()
    assert joined(team, nina)


def test_an_address_confirmed_then_changed_by_the_admin_is_not_confirmed(client, team):
    nina = UserFactory(username="nina", email="nina@elsewhere.example")
    nina.email = "nina@example.com"  # the admin's change: never confirmed by its owner
    nina.save()
    invitation = invite(team, "nina@example.com")

    assert invitation_standing(invitation, nina) == Standing.UNCONFIRMED
    client.force_login(nina)
    assert client.post(invitation.get_absolute_url()).status_code == 403
    assert not joined(team, nina)


def test_a_visitor_is_asked_to_use_the_invited_address(client, team):
    invitation = invite(team, "nina@example.com")

    page = client.get(invitation.get_absolute_url())
    accept = client.post(invitation.get_absolute_url())

    assert page.context["standing"] is None
    assert "nina@example.com" not in page.text
    assert "avec l’adresse à laquelle cette invitation a été envoyée" in page.text
    assert accept["Location"].startswith(reverse("login"))


def test_the_wrong_account_signs_out_to_sign_in_with_the_right_one(client, team):
    UserFactory(username="mallory", email="mallory@example.com")
    nina = UserFactory(username="nina", email="nina@example.com")
    invitation = invite(team, "nina@example.com")
    client.force_login(get_user_model().objects.get(username="mallory"))
    page = client.get(invitation.get_absolute_url())
    next_url = re.search(r'name="next" value="(/accounts/login/\?next=[^"]+)"', page.text)

    signed_out = client.post(reverse("logout"), {"next": next_url.group(1)})
    signed_in = client.post(signed_out["Location"], {"username": "nina", "password": PASSWORD})
    accepted = client.post(signed_in["Location"])

    assert signed_out["Location"].startswith(reverse("login"))
    assert signed_in["Location"] == invitation.get_absolute_url()
    assert accepted["Location"] == team.get_absolute_url()
    assert joined(team, nina)


def test_the_manager_invites_the_right_address_after_a_mismatch(client, manager, team):
    mallory = UserFactory(username="mallory", email="mallory@example.com")
    wrong = invite(team, "m.allory@example.com")
    client.force_login(mallory)
    assert client.post(wrong.get_absolute_url()).status_code == 403

    client.force_login(manager)
    pending = client.get(team.get_absolute_url()).context["invitations"]
    client.post(reverse("teams:invitation_revoke", args=[team.pk, wrong.pk]))
    client.post(reverse("teams:invite", args=[team.pk]), {"email": mallory.email, "kind": "member"})
    fresh = team.invitations.get(email="mallory@example.com")
    client.force_login(mallory)

    assert pending == [wrong]
    assert client.post(fresh.get_absolute_url())["Location"] == team.get_absolute_url()
    assert joined(team, mallory)


def test_the_pages_are_in_english_when_chosen(client, team):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(username="mallory", email="mallory@example.com"))
    other = client.get(invite(team, "nina@example.com").get_absolute_url())
    client.force_login(UserFactory(username="una", email="una@example.com", email_confirmed=False))
    unconfirmed = client.get(invite(team, "una@example.com").get_absolute_url())

    assert "this invitation was sent to another address" in other.text
    assert "Connecté" not in other.text and "connecté" not in other.text
    assert "you have not confirmed it yet" in unconfirmed.text
    assert "Send me the confirmation link" in unconfirmed.text


def test_the_hint_hides_most_of_the_address():
    hints = {
        email: Invitation(email=email).email_hint
        for email in ("nina.martin@example.com", "a@b.co.uk", "x@localhost")
    }

    assert hints == {
        "nina.martin@example.com": "n•••@e•••.com",
        "a@b.co.uk": "a•••@b•••.uk",
        "x@localhost": "x•••@l•••",
    }


# --- the journeys, through a real mail server ----------------------------------------


def test_invited_by_mail_sign_up_confirm_then_accept(
    client, manager, team, smtp_server, django_capture_on_commit_callbacks
):
    """The manager invites from the team page; the mail reaches nina, who signs up from
    its link, confirms her address from the second mail, logs in and accepts."""
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("teams:invite", args=[team.pk]),
            {"email": "nina@example.com", "kind": "member"},
        )
    client.post(reverse("logout"))
    invitation_url = only_link(smtp_server, "nina@example.com", "/teams/invitations/")

    invitation_page = client.get(invitation_url)
    signup_url = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', invitation_page.text)
    form = {"username": "nina", "email": "nina@example.com", "password1": "Plan-de-charge-2026"}
    smtp_server.messages.clear()  # the invitation's; the confirmation's comes next
    signed_up = client.post(signup_url.group(1), {**form, "password2": form["password1"]})
    confirm_page = client.get(signed_up["Location"])
    link = only_link(smtp_server, "nina@example.com", "/email/confirm/")
    confirmed = client.post(link)
    logged_in = client.post(
        confirmed["Location"], {"username": "nina", "password": form["password1"]}
    )
    accepted = client.post(logged_in["Location"])

    assert "Consultez votre messagerie" in confirm_page.text
    assert logged_in["Location"] == invitation_url
    assert accepted["Location"] == team.get_absolute_url()
    assert team.memberships.filter(user__username="nina").exists()
