import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

STRONG = "Plan-de-charge-2026"


def test_signup_creates_an_account_and_asks_to_check_the_mailbox(client, mailoutbox):
    response = client.post(
        reverse("signup"),
        {
            "username": "bruno",
            "email": "Bruno@Example.com",
            "password1": STRONG,
            "password2": STRONG,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("signup_done")
    user = get_user_model().objects.get(username="bruno")
    assert user.email == "bruno@example.com"
    assert user.check_password(STRONG)
    assert [m.to for m in mailoutbox] == [["bruno@example.com"]]
    # Not logged in: an address that had an account gets the same outcome (test_signup.py).
    assert client.get(reverse("assessments:list")).status_code == 302
    logged_in = client.post(reverse("login"), {"username": "bruno", "password": STRONG})
    assert logged_in["Location"] == reverse("assessments:list")


def test_signup_refuses_weak_passwords_without_a_word_on_the_address(client, individual):
    response = client.post(
        reverse("signup"),
        {"username": "bob", "email": individual.email, "password1": "123", "password2": "123"},
    )

    assert response.status_code == 200
    assert "trop court" in response.text  # Django's own French message
    assert "adresse e-mail" not in " ".join(str(e) for e in response.context["form"].errors)
    assert list(response.context["form"].errors) == ["password2"]
    assert not get_user_model().objects.filter(username="bob").exists()


def test_signed_in_person_is_sent_on_from_signup(client, individual):
    client.force_login(individual)
    assert client.get(reverse("signup"))["Location"] == reverse("assessments:list")


def test_login_and_logout(client, individual):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct-horse-battery"}
    )
    assert response["Location"] == reverse("assessments:list")

    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("home")
    assert client.get(reverse("assessments:list")).status_code == 302


def test_login_failure_is_explained(client, individual):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.text


def test_password_change(client, individual):
    client.force_login(individual)

    response = client.post(
        reverse("password_change"),
        {"old_password": "correct-horse-battery", "new_password1": STRONG, "new_password2": STRONG},
    )

    assert response["Location"] == reverse("password_change_done")
    individual.refresh_from_db()
    assert individual.check_password(STRONG)


def test_password_change_needs_login(client):
    response = client.get(reverse("password_change"))
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["home", "login", "signup", "careers:role_list"])
def test_public_pages_are_french_by_default_with_an_english_switch(client, name):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert 'name="language" value="en"' in response.text


def test_language_choice_sticks(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302

    page = client.get(reverse("home"))
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text and "Se connecter" not in page.text
