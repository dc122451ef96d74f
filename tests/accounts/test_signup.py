"""Sign-up: the same outcome whether or not the address has an account, a confirmation
link mailed through a real SMTP server, and a button that confirms."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from accounts.selectors import confirmed_email
from accounts.throttle import NOTICE_PER_ADDRESS, SIGNUP_PER_CLIENT
from accounts.tokens import VALID_FOR, confirmation_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Plan-de-charge-2026"


def sign_up(client, username, email, next_url="", **extra):
    url = reverse("signup") + (f"?next={next_url}" if next_url else "")
    form = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(url, form, **extra)


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def confirmation_link(smtp_server, address: str) -> str:
    (message,) = smtp_server.to(address)
    (link,) = [li for li in smtp_server.links(message) if "/email/confirm/" in li]
    return path_of(link)


def without_tokens(response) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", response.text)


def test_a_new_address_gets_a_link_whose_button_confirms_it(client, smtp_server):
    response = sign_up(client, "bruno", "Bruno@Example.com")
    bruno = get_user_model().objects.get(username="bruno")
    (message,) = smtp_server.to("bruno@example.com")
    link = confirmation_link(smtp_server, "bruno@example.com")
    page = client.get(link)

    assert response["Location"] == reverse("signup_done")
    assert smtp_server.subject(message) == "Confirmez votre adresse e-mail sur Cap Compétences"
    assert "Bonjour bruno" in smtp_server.body(message)
    assert page.status_code == 200
    assert "Confirmer mon adresse" in page.text
    assert confirmed_email(bruno) == "", "opening the link (a mail scanner) confirms nothing"

    confirmed = client.post(link)

    assert confirmed["Location"] == reverse("login")
    bruno.refresh_from_db()
    assert confirmed_email(bruno) == "bruno@example.com"
    client.force_login(bruno)
    account = client.get(reverse("account"))
    assert 'data-email="confirmed"' in account.text


def test_an_address_with_an_account_gets_a_notice_and_the_visitor_the_same_outcome(
    client, smtp_server
):
    UserFactory(username="alice", email="alice@example.com")

    taken = sign_up(client, "bruno", "ALICE@example.com")
    taken_page = client.get(taken["Location"])
    fresh = sign_up(client, "carla", "carla@example.com")
    fresh_page = client.get(fresh["Location"])

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert without_tokens(taken_page) == without_tokens(fresh_page)
    assert "alice@example.com" not in taken_page.text.lower()
    assert not get_user_model().objects.filter(username="bruno").exists()
    (notice,) = smtp_server.to("alice@example.com")
    body = smtp_server.body(notice)
    assert "Quelqu’un vient d’essayer de s’inscrire" in body
    assert f"http://testserver{reverse('login')}" in smtp_server.links(notice)
    assert f"http://testserver{reverse('password_reset')}" in smtp_server.links(notice)
    assert "bruno" not in body, "the notice does not pass on what the visitor typed"
    assert len(smtp_server.to("carla@example.com")) == 1


def test_a_taken_username_is_said_but_the_address_never(client, smtp_server):
    UserFactory(username="alice", email="alice@example.com")

    both_taken = sign_up(client, "alice", "alice@example.com")
    name_taken = sign_up(client, "alice", "new@example.com")

    for response in (both_taken, name_taken):
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["username"]
    assert without_tokens(both_taken).replace("alice@example.com", "new@example.com") == (
        without_tokens(name_taken)
    ), "the two pages differ only by the address typed"
    assert smtp_server.messages == []


def test_notices_to_one_address_are_capped(client, smtp_server):
    UserFactory(username="alice", email="alice@example.com")

    answers = [sign_up(client, f"try{n}", "alice@example.com") for n in range(5)]

    assert {a["Location"] for a in answers} == {reverse("signup_done")}
    assert len(smtp_server.to("alice@example.com")) == NOTICE_PER_ADDRESS.limit


def test_sign_ups_from_one_client_address_are_capped(client, smtp_server):
    here, there = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.9"}
    for n in range(SIGNUP_PER_CLIENT.limit):
        assert sign_up(client, f"p{n}", f"p{n}@example.com", **here).status_code == 302

    refused = sign_up(client, "late", "late@example.com", **here)
    elsewhere = sign_up(client, "other", "other@example.com", **there)

    assert refused.status_code == 429
    assert not get_user_model().objects.filter(username="late").exists()
    assert elsewhere.status_code == 302


def test_an_unconfirmed_account_assesses_itself(client, smtp_server):
    sign_up(client, "bruno", "bruno@example.com")

    logged_in = client.post(reverse("login"), {"username": "bruno", "password": PASSWORD})
    account = client.get(reverse("account"))

    assert logged_in["Location"] == reverse("assessments:list")
    assert client.get(reverse("assessments:new")).status_code == 200
    assert 'data-email="unconfirmed"' in account.text
    assert "Renvoyer le lien" in account.text


def test_a_link_confirms_once(client, smtp_server):
    sign_up(client, "bruno", "bruno@example.com")
    link = confirmation_link(smtp_server, "bruno@example.com")
    client.post(link)

    again = client.post(link)

    assert again.status_code == 200
    assert not again.context["validlink"]
    assert "Ce lien ne peut plus être utilisé" in again.text


def test_a_forged_expired_or_outdated_link_confirms_nothing(client, monkeypatch):
    bruno = UserFactory(username="bruno", email="bruno@example.com", email_confirmed=False)
    good = confirmation_token(user=bruno, email="bruno@example.com")
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    other_address = signing.dumps(
        {**signing.loads(good, salt="accounts.email-confirmation"), "e": "eve@example.com"},
        salt="accounts.email-confirmation-not-ours",
        compress=True,
    )
    with monkeypatch.context() as past:
        long_ago = signing.time.time() - VALID_FOR.total_seconds() - 60
        past.setattr(signing.time, "time", lambda: long_ago)
        expired = confirmation_token(user=bruno, email="bruno@example.com")
    outdated = confirmation_token(user=bruno, email="bruno@example.com")
    bruno.email = "bruno.new@example.com"  # changed since (the admin, say)
    bruno.save()

    for token in (forged, other_address, expired, outdated):
        response = client.post(reverse("email_confirm", args=[token]))
        assert response.status_code == 200
        assert not response.context["validlink"], token
    bruno.refresh_from_db()
    assert confirmed_email(bruno) == ""


def test_the_link_leads_back_to_where_the_sign_up_began(client, smtp_server):
    response = sign_up(client, "bruno", "bruno@example.com", next_url="/teams/")
    done = client.get(response["Location"])
    confirmed = client.post(confirmation_link(smtp_server, "bruno@example.com"))

    assert response["Location"] == f"{reverse('signup_done')}?next=%2Fteams%2F"
    assert f"{reverse('login')}?next=/teams/" in done.text.replace("%2F", "/")
    assert confirmed["Location"] == f"{reverse('login')}?next=%2Fteams%2F"


def test_a_next_elsewhere_is_dropped(client, smtp_server):
    response = sign_up(client, "bruno", "bruno@example.com", next_url="https://evil.example/")
    confirmed = client.post(confirmation_link(smtp_server, "bruno@example.com"))

    assert response["Location"] == reverse("signup_done")
    assert confirmed["Location"] == reverse("login")


def test_confirming_while_signed_in_as_that_account_goes_on(client, smtp_server):
    sign_up(client, "bruno", "bruno@example.com")
    link = confirmation_link(smtp_server, "bruno@example.com")
    client.force_login(get_user_model().objects.get(username="bruno"))

    confirmed = client.post(link, follow=True)

    assert confirmed.redirect_chain[-1][0] == reverse("account")
    assert "Votre adresse e-mail est confirmée." in confirmed.text


def test_confirming_while_signed_in_as_another_account_confirms_only_the_named_one(
    client, smtp_server
):
    sign_up(client, "bruno", "bruno@example.com")
    link = confirmation_link(smtp_server, "bruno@example.com")
    carla = UserFactory(username="carla", email="carla@example.com", email_confirmed=False)
    client.force_login(carla)

    confirmed = client.post(link, follow=True)

    assert "L’adresse du compte bruno est confirmée." in confirmed.text
    assert confirmed_email(get_user_model().objects.get(username="bruno")) == "bruno@example.com"
    carla.refresh_from_db()
    assert confirmed_email(carla) == ""
    assert confirmed.context["user"] == carla, "still signed in as carla"


def test_the_pages_and_the_mail_are_in_english_when_chosen(client, smtp_server):
    client.cookies["django_language"] = "en"

    done = client.get(sign_up(client, "bruno", "bruno@example.com")["Location"])
    (message,) = smtp_server.to("bruno@example.com")
    page = client.get(confirmation_link(smtp_server, "bruno@example.com"))

    assert "Check your mailbox" in done.text and "Consultez" not in done.text
    assert smtp_server.subject(message) == "Confirm your email address on Cap Compétences"
    assert "Hello bruno" in smtp_server.body(message)
    assert "Confirm my address" in page.text


def test_a_mail_server_that_refuses_leaves_the_same_outcome(client, settings):
    UserFactory(username="alice", email="alice@example.com")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    taken = sign_up(client, "bruno", "alice@example.com")
    fresh = sign_up(client, "carla", "carla@example.com")

    assert taken["Location"] == fresh["Location"] == reverse("signup_done")
    assert get_user_model().objects.filter(username="carla").exists()
