"""French and English: the switcher works in the browser, and a journey in one language
shows no interface string of the other (the strings come from the compiled French
catalogue, locale/fr/LC_MESSAGES/django.mo)."""

import re
from itertools import count

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import answer_step, interface_strings, leftovers, sign_up

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {"step": "Step {n} of 2", "skill": r"^Skill \d+$", "role": r"Role \d+", "h1": "Log in"},
    "fr": {
        "step": "Étape {n} sur 2",
        "skill": r"^Compétence \d+$",
        "role": r"Rôle \d+",
        "h1": "Se connecter",
    },
}


def test_the_strings_checked_are_many():
    strings = interface_strings()
    assert len(strings["fr"]) > 200 and len(strings["en"]) > 200


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_journey_shows_no_string_of_the_other_language(open_page, small_catalogue, language):
    texts = TEXTS[language]
    found: dict[str, list[str]] = {}
    page = open_page()

    def check(name):
        expect(page.locator("html")).to_have_attribute("lang", language)
        if strings := leftovers(page, language):
            found[name] = strings

    page.goto("/")
    # The check itself: it finds French strings on this (French) page.
    assert len(leftovers(page, "en")) > 5
    page.locator(f"nav.navbar button[name=language][value={language}]").click()
    expect(page.locator(f"nav.navbar button[value={language}]")).to_have_attribute(
        "aria-current", "true"
    )
    check("home")
    page.locator("main a[href='/accounts/signup/']").click()
    check("sign-up")
    sign_up(page, f"lee-{language}")
    check("new assessment")
    page.locator("label.role-choice", has_text="AAA").click()
    page.locator("main form button[type=submit]").click()

    levels = count(1)
    for number in (1, 2):
        expect(page.get_by_role("heading", level=1)).to_contain_text(texts["step"].format(n=number))
        expect(page.locator("fieldset.question legend").first).to_have_text(
            re.compile(texts["skill"])
        )
        answer_step(page, levels)
        check(f"step {number}")
        page.locator(".step-actions button.btn-primary").click()
    check("review")
    page.locator("button[data-once]").click()
    expect(page.locator(".role-result h2").first).to_contain_text(re.compile(texts["role"]))
    check("result")
    for path, name in [
        ("/assessments/", "history"),
        ("/accounts/", "account"),
        ("/roles/", "roles"),
    ]:
        page.locator(f"nav.navbar a[href='{path}']").click()
        check(name)
    page.locator("nav.navbar form[action='/accounts/logout/'] button").click()
    check("home, logged out")
    page.locator("nav.navbar a[href='/accounts/login/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["h1"])
    check("login")
    # And it finds this language's strings once the other one is chosen.
    other = "fr" if language == "en" else "en"
    page.locator(f"nav.navbar button[name=language][value={other}]").click()
    expect(page.locator("html")).to_have_attribute("lang", other)
    page.goto("/")
    assert len(leftovers(page, language)) > 5
    assert found == {}, f"interface strings of the other language on {language} pages"
