"""The whole questionnaire with the keyboard alone: Tab, arrow keys, Space and Enter."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LEVELS = [3, 0, 4, 1, 2, 3]  # for the six skills of role AAA, in questionnaire order


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    focused = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    raise AssertionError(f"{limit} Tabs do not reach {selector}; focus is on {focused}")


def test_questionnaire_with_the_keyboard_only(open_page, small_catalogue, make_user):
    role, _other = small_catalogue
    page = open_page(make_user("kim"))
    page.goto("/")

    # The first Tab shows the skip link.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()

    tab_to(page, "main a[href='/assessments/new/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/assessments/new/$"))
    tab_to(page, f"input[name=roles][value='{role.pk}']")
    page.keyboard.press("Space")
    expect(page.locator(f"input[name=roles][value='{role.pk}']")).to_be_checked()
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")

    answered = {}
    for number in (1, 2):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Étape {number} sur 2")
        codes = [
            code.removeprefix("skill-")
            for code in page.locator("fieldset.question").evaluate_all("qs => qs.map(q => q.id)")
        ]
        for code in codes:
            level = LEVELS[len(answered)]
            radios = f"#skill-{code} input[type=radio]"
            tab_to(page, radios)
            # Focus is visible on the option, although the radio itself is hidden.
            outline = page.evaluate(
                "() => getComputedStyle(document.activeElement.nextElementSibling).outlineStyle"
            )
            assert outline != "none", "no visible focus on the level options"
            page.keyboard.press("Space")
            for _ in range(level):
                page.keyboard.press("ArrowDown")
            expect(page.locator(f"{radios}:checked")).to_have_value(str(level))
            expect(page.locator(f"#skill-{code} .save-status")).to_contain_text("Enregistré")
            answered[code] = level
        tab_to(page, "button[value=next]" if number == 1 else ".step-actions button[value=review]")
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier et soumettre")
    expect(page.locator("#missing")).to_have_count(0)
    tab_to(page, "button[data-once]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre analyse des écarts")

    document = page.request.get(page.url.rstrip("/") + "/result.json").json()
    given = {skill["code"]: skill["level"] for skill in document["roles"][0]["skills"]}
    assert given == answered
