"""A 375 px wide phone: the menu, the language switcher inside it, the questionnaire and
the result."""

import re
from itertools import count

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import answer_step

pytestmark = pytest.mark.browser


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} px wide"


def open_menu(page) -> None:
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))


def test_language_switcher_in_the_collapsed_menu_and_the_choice_sticks(
    open_page, small_catalogue, make_user
):
    page = open_page(make_user("ana"), phone=True)
    page.goto("/assessments/")
    english = page.locator("nav.navbar button[name=language][value=en]")
    expect(english).to_be_hidden()
    open_menu(page)
    english.click()
    expect(page).to_have_url(re.compile(r"/assessments/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My assessments")
    expect(page.locator(".navbar-toggler")).to_have_attribute("aria-expanded", "false")

    # Other pages, reached through the menu or typed in, stay in English.
    open_menu(page)
    page.locator("nav.navbar").get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My teams")
    page.goto("/roles/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    fits(page)

    # And back to French.
    open_menu(page)
    expect(english).to_have_attribute("aria-current", "true")
    page.locator("nav.navbar button[name=language][value=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto("/assessments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes évaluations")


def test_questionnaire_and_result_on_a_phone(open_page, small_catalogue, make_user, shoot):
    page = open_page(make_user("ana"), phone=True)
    page.goto("/assessments/new/")
    fits(page)
    page.locator("label.role-choice", has_text="AAA").click()
    page.locator("label.role-choice", has_text="BBB").click()
    page.get_by_role("button", name="Commencer le questionnaire").click()
    levels = count(3)
    for number in (1, 2):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Étape {number} sur 2")
        fits(page)
        answer_step(page, levels)
        button = page.locator(".step-actions button.btn-primary")
        button.scroll_into_view_if_needed()
        frame = button.bounding_box()
        assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 375
        button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier et soumettre")
    fits(page)
    page.get_by_role("button", name="Soumettre mon évaluation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre analyse des écarts")
    fits(page)
    shoot(page, "phone-result")
    for bars in page.locator(".skill-bars").all():
        bars.scroll_into_view_if_needed()
        frame = bars.bounding_box()
        assert frame["width"] > 250 and frame["x"] + frame["width"] <= 375
    # The gap table stacks its rows: none is wider than the screen.
    for box in page.locator(".table-responsive").all():
        assert box.evaluate("b => b.getBoundingClientRect().right") <= 375


@pytest.mark.parametrize("language", ["fr", "en"])
def test_my_account_and_the_tokens_page_fit_a_phone(open_page, make_user, shoot, language):
    """The reminder choices and a list of tokens with long names stack at 375 px."""
    user = make_user("é" * 20 + "-" + "x" * 129)
    page = open_page(user, phone=True, language=language)
    page.goto("/accounts/")
    expect(page.locator("input[type=checkbox]").first).to_be_visible()
    fits(page)
    page.goto("/accounts/tokens/")
    for n in range(3):
        page.fill("input[name=name]", f"Synchronisation RH {n} " + "n" * 120)
        page.locator("form button[type=submit]").last.click()
        expect(page.locator("[data-secret]")).to_be_visible()  # shown once
    expect(page.locator("tr[data-token-row]")).to_have_count(3)
    fits(page)
    shoot(page, f"tokens-{language}")
