"""Password reset by e-mail: Django's views, a real SMTP server, the links followed.

The same answer whether or not an account uses the address; a few requests an hour per
address and per client address.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.selectors import confirmed_email
from accounts.throttle import RESET_PER_ADDRESS, RESET_PER_CLIENT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "Tournesol-bleu-2026"
OLD = "correct-horse-battery"


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.com", email_confirmed=False)


def without_tokens(response) -> str:
    """The page without its CSRF tokens, which differ from one response to the next."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", response.text)


def ask(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def reset_link(smtp_server, address: str) -> str:
    (message,) = smtp_server.to(address)
    (link,) = [li for li in smtp_server.links(message) if "/password/reset/" in li]
    return link


def set_password(client, link: str, password: str = NEW):
    """Follow the mailed link as a browser does, then fill in the form."""
    form_page = client.get(path_of(link), follow=True)
    assert form_page.context["validlink"], "the link opens the form"
    return client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )


def logs_in(client, username: str, password: str) -> bool:
    response = client.post(reverse("login"), {"username": username, "password": password})
    client.post(reverse("logout"))
    return response.status_code == 302


def test_the_login_page_offers_the_reset(client):
    page = client.get(reverse("login"))

    assert "Mot de passe oublié ?" in page.text
    assert reverse("password_reset").encode() in page.content


def test_request_mail_link_new_password_then_log_in_with_it(client, alice, smtp_server):
    page = client.get(reverse("password_reset"))
    sent = ask(client, "Alice@Example.com")

    assert page.status_code == 200
    assert sent["Location"] == reverse("password_reset_done")
    (message,) = smtp_server.to("alice@example.com")
    assert smtp_server.subject(message) == "Réinitialisez votre mot de passe sur Cap Compétences"
    assert "Bonjour alice" in smtp_server.body(message)
    done = set_password(client, reset_link(smtp_server, "alice@example.com"))

    assert done["Location"] == reverse("password_reset_complete")
    assert logs_in(client, "alice", NEW)
    assert not logs_in(client, "alice", OLD)
    alice.refresh_from_db()
    assert confirmed_email(alice) == "alice@example.com", "the link reached the address"


def test_the_answer_is_the_same_whether_or_not_an_account_uses_the_address(
    client, alice, smtp_server
):
    known = ask(client, "alice@example.com")
    unknown = ask(client, "nobody@example.com")
    known_page = client.get(known["Location"])
    unknown_page = client.get(unknown["Location"])

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert without_tokens(known_page) == without_tokens(unknown_page)
    (told,) = smtp_server.to("nobody@example.com")
    assert "Aucun compte pouvant se connecter n’utilise cette" in smtp_server.body(told)
    assert not [li for li in smtp_server.links(told) if "/password/reset/" in li]
    assert len(smtp_server.to("alice@example.com")) == 1


def test_an_inactive_account_gets_no_link(client, alice, smtp_server):
    alice.is_active = False
    alice.save()

    response = ask(client, "alice@example.com")

    assert response["Location"] == reverse("password_reset_done")
    (message,) = smtp_server.to("alice@example.com")
    assert "/password/reset/" not in smtp_server.body(message)


def test_the_pages_and_the_mail_are_in_english_when_chosen(client, alice, smtp_server):
    client.cookies["django_language"] = "en"

    page = client.get(reverse("password_reset"))
    done = client.get(ask(client, "alice@example.com")["Location"])

    assert "Reset your password" in page.text and "Réinitialisez" not in page.text
    assert "Check your mailbox" in done.text
    (message,) = smtp_server.to("alice@example.com")
    assert smtp_server.subject(message) == "Reset your password on Cap Compétences"
    assert "Hello alice" in smtp_server.body(message)
    form = client.get(path_of(reset_link(smtp_server, "alice@example.com")), follow=True)
    assert "Choose a new password" in form.text


def test_a_link_works_once(client, alice, smtp_server):
    ask(client, "alice@example.com")
    link = reset_link(smtp_server, "alice@example.com")
    set_password(client, link)

    again = client.get(path_of(link), follow=True)

    assert not again.context["validlink"]
    assert "Ce lien ne peut plus être utilisé" in again.text


def test_a_link_sets_only_the_password_of_the_account_it_was_sent_to(client, alice, smtp_server):
    bob = UserFactory(username="bob")
    ask(client, "alice@example.com")
    link = reset_link(smtp_server, "alice@example.com")
    token = re.search(r"/password/reset/[^/]+/([^/]+)/", link).group(1)
    bobs_uid = urlsafe_base64_encode(force_bytes(bob.pk))
    forged = client.get(reverse("password_reset_confirm", args=[bobs_uid, token]), follow=True)
    client.force_login(bob)  # signed in as someone else: the link still names alice

    set_password(client, link)

    assert not forged.context["validlink"]
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.check_password(NEW)
    assert bob.check_password(OLD)


def test_each_address_gets_a_few_messages_an_hour(client, alice, smtp_server):
    answers = [ask(client, "alice@example.com") for _ in range(RESET_PER_ADDRESS.limit + 2)]

    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}
    assert len(smtp_server.to("alice@example.com")) == RESET_PER_ADDRESS.limit


def test_each_client_address_may_ask_a_few_times_an_hour(client, smtp_server):
    here, there = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.9"}
    for n in range(RESET_PER_CLIENT.limit):
        assert ask(client, f"person{n}@example.com", **here).status_code == 302

    refused = ask(client, "one-more@example.com", **here)
    elsewhere = ask(client, "one-more@example.com", **there)

    assert refused.status_code == 429
    assert "Trop de demandes" in refused.text
    assert elsewhere.status_code == 302
    assert len(smtp_server.to("one-more@example.com")) == 1
    assert client.get(reverse("password_reset"), **here).status_code == 200, "GETs are free"


def test_a_mail_server_that_refuses_leaves_the_same_answer(client, alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    known, unknown = ask(client, "alice@example.com"), ask(client, "nobody@example.com")

    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
