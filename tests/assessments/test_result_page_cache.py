"""The owner's whole result page is kept in the cache (config/kept_page.py): never
shown to anyone else, never with a stale name, language, CSRF token or message."""

import gzip
import pickle
import re

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from assessments.services import assessment_start
from careers.models import Role
from tests.assessments.helpers import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(individual, catalogue):
    return submitted(assessment_start(owner=individual, roles=catalogue))


def kept_pages() -> int:
    return sum(1 for key in cache._cache if ":result-page:" in key)


def visit(client, result):
    response = client.get(reverse("assessments:detail", args=[result.pk]))
    assert response.status_code == 200
    return response


def without_tokens(content: bytes) -> str:
    """The page with its CSRF tokens blanked: each response masks the secret anew."""
    text = content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


def test_the_page_is_kept_at_once_and_served_as_rendered(client, individual, result):
    client.force_login(individual)

    rendered = visit(client, result)
    assert kept_pages() == 1
    served = visit(client, result)

    assert without_tokens(served.content) == without_tokens(rendered.content)
    assert served.context is None  # no template was rendered: it came from the cache
    assert "\x00" not in served.content.decode()  # every hole filled


def test_another_person_never_gets_the_kept_page(client, individual, outsider, result):
    client.force_login(individual)
    visit(client, result)
    visit(client, result)
    assert kept_pages() == 1

    other = Client()
    other.cookies = client.cookies  # even with the owner's CSRF cookie
    other.force_login(outsider)

    assert other.get(reverse("assessments:detail", args=[result.pk])).status_code == 404


def test_after_a_new_log_in_the_forms_carry_a_valid_token(individual, result):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(individual)
    visit(browser, result)
    visit(browser, result)
    browser.logout()
    browser.force_login(individual)  # a new CSRF secret

    page = visit(browser, result).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    response = browser.post(
        reverse("assessments:retake", args=[result.pk]), {"csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302  # not 403: the token matches today's secret


def test_a_message_is_shown_once_and_its_page_not_kept(client, individual, result, rf):
    client.force_login(individual)
    visit(client, result)
    visit(client, result)
    cache.clear()
    # a flash message waiting (as messages travel: in a cookie)
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([Message(messages.SUCCESS, "Évaluation envoyée")])

    assert "Évaluation envoyée" in visit(client, result).text
    assert kept_pages() == 0
    assert "Évaluation envoyée" not in visit(client, result).text


def test_a_new_username_shows_at_once(client, individual, result):
    client.force_login(individual)
    visit(client, result)
    assert "alice" in visit(client, result).text

    get_user_model().objects.filter(pk=individual.pk).update(username="alice-martin")

    assert "alice-martin" in visit(client, result).text


def test_each_language_has_its_page(client, individual, result):
    client.force_login(individual)
    visit(client, result)
    assert "Votre analyse des écarts" in visit(client, result).text

    client.post(reverse("set_language"), {"language": "en"})

    assert "Your gap analysis" in visit(client, result).text
    assert kept_pages() == 2


def test_a_withdrawn_role_loses_its_career_link_at_once(client, individual, result):
    client.force_login(individual)
    visit(client, result)
    linked = reverse("careers:role_detail", args=["BBB"])
    assert linked in visit(client, result).text

    role = Role.objects.get(code="BBB")
    role.is_published = False
    role.save()  # as the admin does: the catalogue version changes

    assert linked not in visit(client, result).text


def test_a_browser_that_accepts_gzip_gets_the_same_page_compressed(client, individual, result):
    client.force_login(individual)
    plain = visit(client, result)  # made and kept
    url = reverse("assessments:detail", args=[result.pk])
    first = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    second = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})

    assert first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert "Content-Encoding" not in plain
    # gzip checks the trailer's CRC-32 and length: the joined pieces make a whole stream
    page = gzip.decompress(first.content)
    assert without_tokens(page) == without_tokens(plain.content)
    assert "\x00" not in page.decode() and "alice" in page.decode()
    assert len(first.content) * 3 < len(page)
    assert without_tokens(gzip.decompress(second.content)) == without_tokens(page)


def test_the_token_is_compressed_apart_from_the_page(client, individual, result):
    """No BREACH oracle: the kept bytes are sent as they are, whatever the token."""
    client.force_login(individual)
    visit(client, result)
    url = reverse("assessments:detail", args=[result.pk])
    kept = next(v for k, v in cache._cache.items() if ":result-page:" in k)
    pieces = pickle.loads(kept)[1][0].pieces  # (version, (page, settled))
    first = client.get(url, headers={"accept-encoding": "gzip"}).content
    client.logout()
    client.force_login(individual)  # a new CSRF secret
    second = client.get(url, headers={"accept-encoding": "gzip"}).content

    assert first != second
    for piece in pieces:
        assert piece.deflated in first and piece.deflated in second


def test_each_chosen_role_has_its_page(client, individual, result, django_assert_num_queries):
    client.force_login(individual)
    url = reverse("assessments:detail", args=[result.pk])
    codes = [r.code for r in client.get(url).context["results"]]

    for choice in [*codes, "all"]:
        rendered = client.get(url, {"role": choice})
        assert rendered.context["chosen"] == choice
        # session, user and the plan made before the result (plans/selectors.plan_loop):
        # the chosen role's page is kept under its own key
        with django_assert_num_queries(3):
            served = client.get(url, {"role": choice})
        assert served.context is None
        assert without_tokens(served.content) == without_tokens(rendered.content)
        assert f"?role={choice}" in served.content.decode()  # the language form's next

    assert kept_pages() == len(codes) + 2  # the default, each role, and all of them


def test_an_odd_query_string_is_served_but_not_kept(client, individual, result):
    client.force_login(individual)
    url = reverse("assessments:detail", args=[result.pk])

    for query in ["role=A&role=B", "role=%3Cb%3E", "role=AAA&x=1"]:
        assert client.get(f"{url}?{query}").status_code == 200

    assert kept_pages() == 0
