"""Team and cycle names are one line; invitations are mailed after their commit and a
failed send leaves a pending invitation that the manager sees and retries (same link).

Who may rename a team or retry a send is in test_team_permissions.py (the matrix, and
former managers)."""

import re
import smtplib

import pytest
from django.core.mail import BadHeaderError
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from teams.models import Invitation, ReviewCycle, Team, TeamMembership
from teams.services import invitation_create, team_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# Views tested with real commits: the e-mail leaves when the invitation's transaction
# commits, before the view reads how it went (the test transaction would delay it).
COMMITS = pytest.mark.django_db(transaction=True)

CONTROL = ["\n", "\r\n", "\t", "\x1b", "\u2028"]
RAISES: list[Exception] = []  # what FailingBackend raises, set by each test


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise RAISES[0]


@pytest.fixture
def manager(db):
    return UserFactory(username="olivia")


@pytest.fixture
def team(manager):
    team = team_create(manager=manager, name="Plateforme")
    TeamMembership.objects.create(team=team, user=UserFactory(username="alice"))
    return team


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    RAISES[:] = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]
    yield RAISES
    RAISES.clear()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda **kw: django_capture_on_commit_callbacks(execute=kw.get("execute", True))


def invite(client, team, email="new@example.com"):
    return client.post(reverse("teams:invite", args=[team.pk]), {"email": email, "kind": "member"})


def texts(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- names ---------------------------------------------------------------------------


@pytest.mark.parametrize("char", CONTROL)
def test_a_team_name_with_a_control_character_is_refused(client, manager, char):
    client.force_login(manager)

    response = client.post(reverse("teams:list"), {"name": f"Équipe{char}Données"})

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["name"]] == [
        "control_characters"
    ]
    assert "un nom tient sur une ligne" in response.text
    assert not Team.objects.exists()


def test_a_cycle_name_with_a_line_break_is_refused(client, manager, team):
    client.force_login(manager)

    response = client.post(
        reverse("teams:cycle_new", args=[team.pk]),
        {"name": "Revue\n2025", "due_date": timezone.localdate().isoformat()},
        follow=True,
    )

    assert response.status_code == 200
    assert any("un nom tient sur une ligne" in text for text in texts(response))
    assert not ReviewCycle.objects.exists()


def test_a_manager_renames_the_team(client, manager, team):
    client.force_login(manager)
    revision = team.revision

    response = client.post(reverse("teams:rename", args=[team.pk]), {"name": " Données "})

    team.refresh_from_db()
    assert response["Location"] == team.get_absolute_url()
    assert team.name == "Données"
    assert team.revision > revision  # the kept boards show the new name
    page = client.get(team.get_absolute_url())
    assert page.context["rename_form"].initial == {"name": "Données"}
    assert "Équipe renommée." in [str(m) for m in page.context["messages"]]


def test_the_managers_page_gives_each_field_its_own_id(client, manager, team):
    """The rename and the cycle forms both have a "name" field: their labels must not mix."""
    client.force_login(manager)

    ids = re.findall(r'\bid="([^"]+)"', client.get(team.get_absolute_url()).text)

    assert "id_rename_name" in ids and "id_name" in ids
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", ["", "Données\nbis", "x" * 121])
def test_a_bad_new_name_keeps_the_old_one_and_says_why(client, manager, team, name):
    client.force_login(manager)

    response = client.post(reverse("teams:rename", args=[team.pk]), {"name": name}, follow=True)

    team.refresh_from_db()
    assert response.status_code == 200
    assert team.name == "Plateforme"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_member_sees_no_rename_form(client, team):
    client.force_login(team.memberships.get(kind="member").user)

    page = client.get(team.get_absolute_url())

    assert page.status_code == 200
    assert reverse("teams:rename", args=[team.pk]).encode() not in page.content


# --- mail after the commit ---------------------------------------------------------


def test_the_email_leaves_only_once_the_invitation_is_committed(manager, team, mailoutbox, commits):
    with commits(execute=False) as callbacks:
        invitation = invitation_create(
            team=team, email="new@example.com", kind="member", invited_by=manager, link_for=str
        )
        assert mailoutbox == []  # still inside the transaction that wrote it
    assert len(callbacks) == 1

    callbacks[0]()

    invitation.refresh_from_db()
    assert [m.to for m in mailoutbox] == [["new@example.com"]]
    assert invitation.send_state == "sent" and invitation.sent_at is not None


def test_no_email_leaves_when_the_invitation_is_rolled_back(manager, team, mailoutbox, commits):
    from django.db import transaction

    with commits() as callbacks, transaction.atomic():
        invitation_create(
            team=team, email="new@example.com", kind="member", invited_by=manager, link_for=str
        )
        transaction.set_rollback(True)

    assert callbacks == [] and mailoutbox == []
    assert not Invitation.objects.exists()


@COMMITS
@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPRecipientsRefused({"new@example.com": (550, b"no such user")}),
        ConnectionRefusedError(111, "Connection refused"),
        BadHeaderError("Header values can't contain newlines"),
        UnicodeEncodeError("ascii", "é", 0, 1, "ordinal not in range(128)"),
    ],
    ids=["disconnected", "refused-recipient", "no-server", "bad-header", "not-ascii"],
)
def test_a_failed_send_leaves_one_pending_invitation_shown_as_not_sent(
    client, manager, team, failing_mail, error
):
    failing_mail[:] = [error]
    client.force_login(manager)

    response = invite(client, team)

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.is_usable
    assert invitation.send_state == "failed" and invitation.sent_at is None
    assert invitation.send_error.startswith(type(error).__name__)
    page = client.get(team.get_absolute_url())
    messages = [(m.level_tag, str(m)) for m in page.context["messages"]]
    assert messages == [
        (
            "warning",
            "L’invitation pour <bdi>new@example.com</bdi> est enregistrée mais le courriel"
            " n’a pas pu partir. Copiez le lien ci-dessous, ou relancez l’envoi depuis les"
            " invitations en attente.",
        )
    ]
    assert page.context["new_invitation"]["link"].endswith(invitation.get_absolute_url())
    assert b'data-send-state="failed"' in page.content
    assert reverse("teams:invitation_retry", args=[team.pk, invitation.pk]).encode() in (
        page.content
    )


@COMMITS
def test_retrying_sends_the_same_link_and_creates_nothing(
    client, manager, team, failing_mail, mailoutbox, settings
):
    client.force_login(manager)
    invite(client, team)
    failed = Invitation.objects.get()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    response = client.post(reverse("teams:invitation_retry", args=[team.pk, failed.pk]))

    retried = Invitation.objects.get()
    assert response["Location"] == team.get_absolute_url()
    assert (retried.pk, retried.token, retried.revoked_at) == (failed.pk, failed.token, None)
    assert retried.send_state == "sent"
    assert [m.to for m in mailoutbox] == [["new@example.com"]]
    assert f"http://testserver{failed.get_absolute_url()}" in mailoutbox[0].body
    page = client.get(team.get_absolute_url())
    assert b'data-send-state="failed"' not in page.content
    assert reverse("teams:invitation_retry", args=[team.pk, failed.pk]).encode() not in (
        page.content
    )


@COMMITS
def test_a_retry_that_fails_again_stays_visible(client, manager, team, failing_mail):
    client.force_login(manager)
    invite(client, team)
    first = Invitation.objects.get().send_failed_at

    client.post(reverse("teams:invitation_retry", args=[team.pk, Invitation.objects.get().pk]))

    invitation = Invitation.objects.get()
    assert invitation.send_state == "failed" and invitation.send_failed_at >= first


@COMMITS
def test_a_revoked_invitation_is_not_retried(client, manager, team, mailoutbox):
    client.force_login(manager)
    invite(client, team)
    invitation = Invitation.objects.get()
    client.post(reverse("teams:invitation_revoke", args=[team.pk, invitation.pk]))
    sent = len(mailoutbox)

    response = client.post(
        reverse("teams:invitation_retry", args=[team.pk, invitation.pk]), follow=True
    )

    assert response.status_code == 200
    assert len(mailoutbox) == sent
    assert [str(m) for m in response.context["messages"]][-1] == (
        "Cette invitation ne peut plus être utilisée."
    )
    assert Invitation.objects.get().status == "revoked"


@COMMITS
def test_a_team_named_with_a_line_break_before_the_rule_still_invites(
    client, manager, team, mailoutbox
):
    """A name stored before names refused line breaks: the subject is one line."""
    Team.objects.filter(pk=team.pk).update(name="Équipe\nPlateforme")
    client.force_login(manager)

    response = invite(client, team)

    assert response.status_code == 302
    assert Invitation.objects.get().send_state == "sent"
    assert mailoutbox[0].subject == "Rejoignez l’équipe Équipe Plateforme sur Cap Compétences"
