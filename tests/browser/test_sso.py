"""Single sign-on in Chromium: the log-in page's button, the provider's own page (a real
OpenID provider on loopback, tests/oidc_provider.py), back signed in; the log-out ends
the provider's session too."""

import copy
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts import oidc
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider

pytestmark = pytest.mark.browser

LABELS = {"fr": "Se connecter avec Acme", "en": "Sign in with Acme"}
HOME_TEXT = {"fr": "Se connecter", "en": "Log in"}


@pytest.fixture(scope="module")
def provider(live_server):
    with running_provider(
        redirect_uris=[f"{live_server.url}/accounts/oidc/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/"],
    ) as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Acme"
    # As config/settings.py does when OIDC_ISSUER is set: the log-out form may lead there.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], provider.url]
    settings.CONTENT_SECURITY_POLICY = policy
    oidc.forget_discovery()
    yield provider
    oidc.forget_discovery()


def no_outside_fonts(page) -> None:
    """The provider's development pages import a web font: answered here, offline."""
    page.context.route(
        re.compile(r"^https://fonts\.googleapis\.com/"),
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )


def provider_sign_in(page, login: str) -> None:
    """The provider's own page: its log-in form, then its consent form."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_sign_in_through_the_provider_and_log_out(open_page, sso, shoot, live_server, language):
    page = open_page(language=language)
    no_outside_fonts(page)
    page.goto("/accounts/login/")
    shoot(page, f"sso-login-{language}")
    page.get_by_role("link", name=LABELS[language]).click()

    expect(page).to_have_url(re.compile(re.escape(sso.url) + "/interaction/"))
    provider_sign_in(page, f"zoe.{language}@example.test")

    expect(page).to_have_url(f"{live_server.url}/assessments/")
    logout = page.locator("nav.navbar form[action='/accounts/logout/'] button")
    expect(logout).to_be_visible()
    user = get_user_model().objects.get(email=f"zoe.{language}@example.test")
    assert user.username == f"zoe.{language}"

    # Log out: the provider asks to end its own session, then sends the browser home.
    logout.click()
    expect(page).to_have_url(re.compile(re.escape(sso.url) + "/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("nav.navbar a[href='/accounts/login/']")).to_be_visible()

    # The provider's session ended: signing in again asks for the login once more.
    page.goto("/accounts/login/")
    page.get_by_role("link", name=LABELS[language]).click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_the_log_in_page_on_a_phone(open_page, sso, shoot):
    page = open_page(phone=True)
    page.goto("/accounts/login/")
    button = page.get_by_role("link", name=LABELS["fr"])
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    shoot(page, "sso-login-fr")


def test_the_log_in_page_without_local_accounts(open_page, sso, settings, shoot):
    settings.LOCAL_ACCOUNTS = False
    page = open_page()
    page.goto("/accounts/login/")
    expect(page.get_by_role("link", name=LABELS["fr"])).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_count(0)
    expect(page.locator("a[href='/accounts/signup/']")).to_have_count(0)
    shoot(page, "sso-login-only")
