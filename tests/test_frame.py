"""The navigation bar kept per its inputs (config/frame.py): each request's own values
in it, and a rendering for each language, sign-in state and setting."""

import re

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav(response) -> str:
    html = response.content.decode()
    return html[html.index("<nav") : html.index("</nav>")]


def test_each_request_gets_its_own_name_token_and_path():
    tricky = UserFactory(username='<b>"bob"</b>')
    other = UserFactory(username="alice")
    first, second = Client(), Client()
    first.force_login(tricky)
    second.force_login(other)

    bar = nav(first.get("/assessments/?q=<x>"))
    assert "Se déconnecter (<bdi>&lt;b&gt;&quot;bob&quot;&lt;/b&gt;</bdi>)" in bar
    assert '<input type="hidden" name="next" value="/assessments/?q=%3Cx%3E">' in bar
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', bar))
    assert len(tokens) == 1 and len(tokens.pop()) == 64  # both forms, this request's

    bar = nav(second.get("/plan/"))
    assert "(<bdi>alice</bdi>)" in bar and "bob" not in bar
    assert 'name="next" value="/plan/"' in bar


def test_language_sign_in_and_local_accounts_each_have_their_bar(settings):
    anonymous = Client()
    assert "Se connecter" in nav(anonymous.get("/"))
    assert "Créer un compte" in nav(anonymous.get("/"))
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    bar = nav(anonymous.get("/"))
    assert "Log in" in bar and "Se connecter" not in bar
    assert 'aria-current="true"' in bar[bar.index('value="en"') - 200 :]

    # Sign-in through the company's provider only (a page made per request: a kept one
    # starts afresh under another cache prefix, tests/test_release.py).
    settings.LOCAL_ACCOUNTS = False
    assert "Sign up" not in nav(anonymous.get("/accounts/login/"))

    signed_in = Client()
    signed_in.force_login(UserFactory(username="una"))
    bar = nav(signed_in.get("/"))
    assert "Mes évaluations" in bar and "Se connecter" not in bar
