"""The account's address: its state on the account page, the link sent again, a change of
address that holds once its own link is followed. Mail goes through a real SMTP server."""

from urllib.parse import urlsplit

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import EmailConfirmation
from accounts.selectors import confirmed_email
from accounts.throttle import CONFIRM_PER_ACCOUNT, PASSWORD_PER_ACCOUNT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def una(db):
    """An account whose address is not confirmed yet."""
    return UserFactory(username="una", email="una@example.com", email_confirmed=False)


def confirmation_link(smtp_server, address: str) -> str:
    (message,) = smtp_server.to(address)
    (link,) = [li for li in smtp_server.links(message) if "/email/confirm/" in li]
    return urlsplit(link).path


def change(client, email, password=PASSWORD):
    return client.post(reverse("email_change"), {"email": email, "password": password})


# --- the account page and the link sent again ----------------------------------------


def test_the_account_page_says_whether_the_address_is_confirmed(client, individual, una):
    client.force_login(individual)
    confirmed = client.get(reverse("account"))
    client.force_login(una)
    unconfirmed = client.get(reverse("account"))

    assert 'data-email="confirmed"' in confirmed.text
    assert reverse("email_confirmation_send") not in confirmed.text
    assert 'data-email="unconfirmed"' in unconfirmed.text
    assert reverse("email_confirmation_send") in unconfirmed.text


@pytest.mark.parametrize("name", ["account", "email_change"])
def test_a_visitor_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))

    assert response["Location"].startswith(reverse("login"))


def test_sending_the_link_again(client, una, smtp_server):
    client.force_login(una)

    response = client.post(reverse("email_confirmation_send"), follow=True)
    client.post(confirmation_link(smtp_server, "una@example.com"))

    assert "Nous avons envoyé un lien à una@example.com." in response.text
    una.refresh_from_db()
    assert confirmed_email(una) == "una@example.com"


def test_sending_the_link_needs_a_post_and_a_login(client, una, smtp_server):
    anonymous = client.post(reverse("email_confirmation_send"))
    client.force_login(una)
    by_get = client.get(reverse("email_confirmation_send"))

    assert anonymous["Location"].startswith(reverse("login"))
    assert by_get.status_code == 405
    assert smtp_server.messages == []


def test_a_confirmed_address_gets_no_new_link(client, individual, smtp_server):
    client.force_login(individual)

    response = client.post(reverse("email_confirmation_send"), follow=True)

    assert "Votre adresse e-mail est déjà confirmée." in response.text
    assert smtp_server.messages == []


def test_links_sent_again_are_capped(client, una, smtp_server):
    client.force_login(una)

    answers = [
        client.post(reverse("email_confirmation_send"), follow=True)
        for _ in range(CONFIRM_PER_ACCOUNT.limit + 1)
    ]

    assert len(smtp_server.to("una@example.com")) == CONFIRM_PER_ACCOUNT.limit
    assert "Vous avez demandé plusieurs liens depuis une heure." in answers[-1].text


# --- a change of address ---------------------------------------------------------------


def test_a_new_address_replaces_the_old_once_its_link_is_followed(client, individual, smtp_server):
    client.force_login(individual)

    response = change(client, "Alice.New@Example.com")
    individual.refresh_from_db()
    kept = individual.email
    link = confirmation_link(smtp_server, "alice.new@example.com")
    (message,) = smtp_server.to("alice.new@example.com")
    confirmed = client.post(link)

    assert response["Location"] == reverse("account")
    assert kept == "alice@example.com", "the address stays until the link is followed"
    assert "devienne l’adresse de votre compte" in smtp_server.body(message)
    assert confirmed["Location"] == reverse("account")
    individual.refresh_from_db()
    assert individual.email == "alice.new@example.com"
    assert confirmed_email(individual) == "alice.new@example.com"


def test_a_change_needs_the_password(client, individual, smtp_server):
    client.force_login(individual)

    response = change(client, "alice.new@example.com", password="wrong")

    assert response.status_code == 200
    assert "Ce n’est pas votre mot de passe." in response.text
    assert smtp_server.messages == []


def test_wrong_passwords_on_the_change_form_are_capped(client, individual, smtp_server):
    client.force_login(individual)
    for _ in range(PASSWORD_PER_ACCOUNT.limit):
        change(client, "alice.new@example.com", password="wrong")

    right = change(client, "alice.new@example.com")

    assert right.status_code == 200
    assert "Trop de mots de passe erronés" in right.text
    assert smtp_server.messages == []


def test_an_address_of_another_account_gets_a_notice_and_nothing_changes(
    client, individual, outsider, smtp_server
):
    client.force_login(individual)

    response = change(client, outsider.email)
    page = client.get(response["Location"])

    assert response["Location"] == reverse("account")
    assert f"Nous avons envoyé un lien à {outsider.email}." in page.text
    (notice,) = smtp_server.to(outsider.email)
    assert "/email/confirm/" not in smtp_server.body(notice)
    individual.refresh_from_db()
    assert individual.email == "alice@example.com"


def test_a_change_link_is_refused_once_another_account_has_the_address(
    client, individual, smtp_server
):
    client.force_login(individual)
    change(client, "shared@example.com")
    link = confirmation_link(smtp_server, "shared@example.com")
    UserFactory(username="sam", email="shared@example.com")  # took it in between

    response = client.post(link)

    assert not response.context["validlink"]
    individual.refresh_from_db()
    assert individual.email == "alice@example.com"


def test_an_address_changed_elsewhere_is_no_longer_confirmed(individual):
    individual.email = "alice@elsewhere.example"  # the admin, say
    individual.save()

    assert confirmed_email(individual) == ""


def test_the_database_refuses_one_address_confirmed_for_two_accounts(individual):
    other = UserFactory(username="twin", email="twin@example.com", email_confirmed=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        EmailConfirmation.objects.create(user=other, email=individual.email.upper())


def test_an_account_without_an_address_is_sent_to_give_one(client, smtp_server):
    client.force_login(UserFactory(username="nobody", email=""))

    page = client.get(reverse("account"))
    response = client.post(reverse("email_confirmation_send"))

    assert reverse("email_confirmation_send") not in page.text
    assert response["Location"] == reverse("email_change")
    assert smtp_server.messages == []
