"""Single sign-on with OpenID Connect, through Django's test client against a real
provider (oidc-provider under Node, on loopback: tests/oidc_provider.py)."""

import logging
import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import oidc
from accounts.selectors import confirmed_email
from tests.factories import UserFactory
from tests.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    SHORT_CODES_CLIENT_ID,
    free_port,
    running_provider,
    sign_in_at_provider,
)

CALLBACK = "http://testserver/accounts/oidc/callback/"
HOME = "http://testserver/"


@pytest.fixture(scope="module")
def provider():
    with running_provider(redirect_uris=[CALLBACK], post_logout_redirect_uris=[HOME]) as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    """Single sign-on on, towards the provider."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Acme"
    oidc.forget_discovery()
    yield settings
    oidc.forget_discovery()


def start(client, next_url: str = "") -> str:
    """Press "Sign in with Acme": the provider's authorization URL."""
    url = reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, login: str, next_url: str = ""):
    """The whole round trip; the app's answer to the provider's redirect back."""
    back = sign_in_at_provider(start(client, next_url), login=login, back_to=CALLBACK)
    return client.get(back.removeprefix("http://testserver"))


def error_messages(client) -> list[str]:
    page = client.get(reverse("login"))
    return [str(m) for m in page.context["messages"]]


def signed_in_user(client):
    response = client.get(reverse("account"))
    return response.context["user"] if response.status_code == 200 else None


def test_the_authorization_request_carries_state_nonce_and_pkce(client, sso, provider, db):
    query = parse_qs(urlsplit(start(client)).query)
    assert start(client).startswith(provider.url + "/auth?")
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["scope"] == ["openid email"]
    for name in ("state", "nonce", "code_challenge"):
        assert len(query[name][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]


def test_a_verified_address_creates_an_account(client, sso, db):
    response = sign_in(client, "new.person@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:list")
    user = get_user_model().objects.get(email="new.person@example.test")
    assert signed_in_user(client) == user
    assert user.username == "new.person"  # the local part: the address is never shown
    assert not user.has_usable_password()
    assert confirmed_email(user) == "new.person@example.test"


def test_the_next_page_is_kept(client, sso, db):
    response = sign_in(client, "carla@example.test", next_url=reverse("account"))
    assert response["Location"] == reverse("account")


def test_a_username_taken_gets_a_number(client, sso, db):
    UserFactory(username="dana", email="dana@elsewhere.test")
    sign_in(client, "dana@example.test")
    assert get_user_model().objects.get(email="dana@example.test").username == "dana-2"


def test_an_existing_account_is_linked_by_its_address(client, sso, db):
    user = UserFactory(username="alice", email="Alice@Example.test")  # confirmed
    sign_in(client, "alice@example.test")
    assert signed_in_user(client) == user
    assert get_user_model().objects.count() == 1
    user.refresh_from_db()
    assert user.has_usable_password()  # a confirmed account keeps its password


def test_an_unconfirmed_account_linked_loses_its_password(client, sso, db):
    """Someone signed up with the address before its owner came through the provider."""
    squatter = UserFactory(username="squatter", email="bob@example.test", email_confirmed=False)
    sign_in(client, "bob@example.test")
    assert signed_in_user(client) == squatter
    squatter.refresh_from_db()
    assert not squatter.has_usable_password()
    assert confirmed_email(squatter) == "bob@example.test"


def test_an_unverified_address_is_refused(client, sso, db):
    UserFactory(username="erin", email="unverified.erin@example.test")
    response = sign_in(client, "unverified.erin@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert any("n’a pas confirmé votre adresse e-mail" in m for m in error_messages(client))
    assert get_user_model().objects.count() == 1  # nothing created, nothing linked


def test_an_inactive_account_is_refused(client, sso, db):
    UserFactory(username="frank", email="frank@example.test", is_active=False)
    response = sign_in(client, "frank@example.test")
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert any("Ce compte est désactivé" in m for m in error_messages(client))


def test_a_wrong_state_is_refused(client, sso, db):
    back = sign_in_at_provider(start(client), login="gina@example.test", back_to=CALLBACK)
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    response = client.get(parts.path, {"code": query["code"][0], "state": "not-the-state"})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert any("La connexion avec Acme n’a pas abouti" in m for m in error_messages(client))
    assert not get_user_model().objects.exists()


def test_a_callback_without_a_sign_in_started_is_refused(client, sso, db):
    response = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"})
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None


def test_a_code_used_twice_is_refused(client, sso, caplog, db):
    back = sign_in_at_provider(start(client), login="hugo@example.test", back_to=CALLBACK)
    assert client.get(back.removeprefix("http://testserver"))["Location"] == reverse(
        "assessments:list"
    )
    client.post(reverse("logout"))
    # A new sign-in started (its state is in the session), answered with the used code.
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    code = parse_qs(urlsplit(back).query)["code"][0]
    with caplog.at_level(logging.WARNING, logger="accounts.oidc"):
        response = client.get(
            reverse("oidc_authentication_callback"), {"code": code, "state": state}
        )
    assert "invalid_grant" in caplog.text
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None


def test_an_expired_code_is_refused(client, sso, caplog, db):
    sso.OIDC_CLIENT_ID = SHORT_CODES_CLIENT_ID
    back = sign_in_at_provider(start(client), login="ines@example.test", back_to=CALLBACK)
    time.sleep(2)  # its codes last one second
    with caplog.at_level(logging.WARNING, logger="accounts.oidc"):
        response = client.get(back.removeprefix("http://testserver"))
    assert "invalid_grant" in caplog.text
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert any("La connexion avec Acme n’a pas abouti" in m for m in error_messages(client))
    assert not get_user_model().objects.exists()


def test_a_token_from_another_issuer_is_refused(client, settings, caplog, db):
    """The provider's discovery document names the configured issuer, but its tokens
    carry another: the id_token's `iss` is checked, not only the document."""
    with running_provider(
        redirect_uris=[CALLBACK], issuer="http://elsewhere.invalid", announce_own_url=True
    ) as liar:
        settings.OIDC_ISSUER = liar.url
        settings.OIDC_CLIENT_ID = CLIENT_ID
        settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
        oidc.forget_discovery()
        # Without the `iss` of the redirect back (RFC 9207, tested below), which not
        # every provider sends: the id_token's own `iss` is what refuses it.
        back = sign_in_at_provider(start(client), login="jack@example.test", back_to=CALLBACK)
        parts = urlsplit(back)
        query = {k: v[0] for k, v in parse_qs(parts.query).items() if k != "iss"}
        with caplog.at_level(logging.WARNING, logger="accounts.oidc"):
            response = client.get(parts.path, query)
        oidc.forget_discovery()
    assert "id_token refused: Invalid issuer" in caplog.text
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert not get_user_model().objects.exists()


def test_a_provider_naming_another_issuer_is_refused(client, settings, provider, db):
    """The issuer configured is not the one the discovery document names."""
    settings.OIDC_ISSUER = provider.url.replace("127.0.0.1", "localhost")
    settings.OIDC_CLIENT_ID = CLIENT_ID
    oidc.forget_discovery()
    response = client.get(reverse("oidc_authentication_init"))
    oidc.forget_discovery()
    assert response["Location"] == reverse("login")
    assert any("ne répond pas" in m for m in error_messages(client))


def test_an_authorization_response_from_another_issuer_is_refused(client, sso, db):
    back = sign_in_at_provider(start(client), login="kim@example.test", back_to=CALLBACK)
    assert "iss=" in back  # RFC 9207: the provider names itself
    response = client.get(
        back.removeprefix("http://testserver").replace("iss=", "iss=http%3A%2F%2Fevil.test&x=")
    )
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None


def test_a_provider_that_is_down_gives_a_message(client, settings, db):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_PROVIDER_NAME = "Acme"
    oidc.forget_discovery()
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert error_messages(client) == [
        "Acme ne répond pas pour le moment. Réessayez dans quelques minutes."
    ]
    client.cookies["django_language"] = "en"
    client.get(reverse("oidc_authentication_init"))
    assert error_messages(client) == [
        "Acme cannot be reached at the moment. Try again in a few minutes."
    ]


def test_log_out_ends_the_provider_session(client, sso, provider, db):
    sign_in(client, "lea@example.test")
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert signed_in_user(client) is None
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == provider.url + "/session/end"
    query = parse_qs(location.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [HOME]


def test_log_out_of_a_password_log_in_stays_in_the_app(client, sso, db):
    user = UserFactory(username="mia")
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("home")


def test_the_log_in_page_has_the_button(client, sso, db):
    page = client.get(reverse("login")).content.decode()
    assert "Se connecter avec Acme" in page
    assert reverse("oidc_authentication_init") in page
    assert 'name="password"' in page  # local accounts still possible
    client.cookies["django_language"] = "en"
    assert "Sign in with Acme" in client.get(reverse("login")).content.decode()


def test_sso_off_no_button_and_no_urls(client, settings, db):
    settings.OIDC_ISSUER = ""
    page = client.get(reverse("login")).content.decode()
    assert reverse("oidc_authentication_init") not in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    callback = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"})
    assert callback.status_code == 404


def test_sso_off_the_backend_answers_nothing(rf, settings, db):
    settings.OIDC_ISSUER = ""
    assert oidc.OIDCBackend().authenticate(rf.get("/"), nonce="n", code_verifier=None) is None


def test_local_accounts_off(client, sso, db):
    sso.LOCAL_ACCOUNTS = False
    UserFactory(username="nina", password="correct-horse-battery")
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in page
    assert reverse("signup") not in page
    assert "Se connecter avec Acme" in page
    for name in ("signup", "signup_done", "password_reset", "password_reset_done"):
        assert client.get(reverse(name)).status_code == 404, name
    refused = client.post(
        reverse("login"), {"username": "nina", "password": "correct-horse-battery"}
    )
    assert refused.status_code == 405
    assert signed_in_user(client) is None
    assert "Create a free account" not in client.get(reverse("home")).content.decode()
    sign_in(client, "olga@example.test")
    assert signed_in_user(client).email == "olga@example.test"


def test_a_person_signed_in_through_the_provider_can_delete_their_account(client, sso, db):
    sign_in(client, "paul@example.test")
    response = client.post(reverse("account_delete"))
    assert response["Location"] == reverse("home")
    assert not get_user_model().objects.exists()


def test_an_address_two_accounts_use_is_refused(client, sso, db):
    """Addresses are not unique in Django's users (the admin can set any): never guess."""
    UserFactory(username="quinn", email="quinn@example.test")
    UserFactory(username="quinn2", email="Quinn@example.test", email_confirmed=False)
    response = sign_in(client, "quinn@example.test")
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert any("La connexion avec Acme n’a pas abouti" in m for m in error_messages(client))


def test_a_disabled_account_is_signed_out_at_its_next_request(client, sso, db):
    sign_in(client, "rose@example.test")
    get_user_model().objects.filter(email="rose@example.test").update(is_active=False)
    assert signed_in_user(client) is None


SHOW_SETTINGS = (
    "from django.conf import settings as s; from accounts.oidc import sso_enabled; "
    "print(sso_enabled(), s.OIDC_CLIENT_ID, s.OIDC_PROVIDER_NAME, s.LOCAL_ACCOUNTS, "
    "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
)


def manage_shell(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "LOCAL_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW_SETTINGS],
        cwd=django_settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout.strip().splitlines()[-1]


def test_sso_is_off_by_default():
    assert manage_shell() == "False  SSO True [\"'self'\"]"


def test_sso_is_configured_from_the_environment():
    shown = manage_shell(
        OIDC_ISSUER="https://login.example.com/realms/staff",
        OIDC_CLIENT_ID="skills",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_PROVIDER_NAME="Acme",
        LOCAL_ACCOUNTS="false",
    )
    assert shown == "True skills Acme False [\"'self'\", 'https://login.example.com']"
