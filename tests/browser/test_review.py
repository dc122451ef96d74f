"""The manager's review page in a browser: each change saved on its own and said saved
by the server, the action bar always in view, a warning before leaving with a change not
saved yet, a closed cycle read-only; at 1280 and 375 px, in French and in English. The
shipped catalogue, a member assessed on every role."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WORDS = {
    "fr": {
        "saved": "✓ Enregistré",
        "saving": "Enregistrement…",
        "save": "Enregistrer les évaluations",
        "share": "Partager la revue avec le membre",
        "unsaved": "Certaines modifications ne sont pas encore enregistrées.",
        "all saved": "Toutes les modifications sont enregistrées.",
        "closed": "Ce cycle est clos.",
        "level": "3 · Avancé (autonome)",
    },
    "en": {
        "saved": "✓ Saved",
        "saving": "Saving…",
        "save": "Save the ratings",
        "share": "Share the review with the member",
        "unsaved": "Some changes are not saved yet.",
        "all saved": "All changes are saved.",
        "closed": "This cycle is closed.",
        "level": "3 · Advanced (autonomous)",
    },
}


@pytest.fixture
def reviewed(real_catalogue, make_user):
    from careers.models import Role
    from teams.models import TeamMembership
    from teams.services import cycle_assessment_start, cycle_open, team_create
    from tests.assessments.helpers import submitted

    manager = make_user("manon")
    team = team_create(manager=manager, name="Delivery")
    nina = TeamMembership.objects.create(team=team, user=make_user("nina"))
    cycle = cycle_open(team=team, name="Revue annuelle", due_date=timezone.localdate())
    pattern = [2, 3, 1, 2, 4, 0, 3]
    assessment = submitted(
        cycle_assessment_start(
            cycle=cycle, membership=nina, roles=Role.objects.filter(is_published=True)
        ),
        level_for=lambda i: pattern[i % len(pattern)],
    )
    return SimpleNamespace(
        manager=manager,
        cycle=cycle,
        assessment=assessment,
        url=reverse("teams:review", args=[team.pk, assessment.pk]),
        skills=len(assessment.snapshot["skills"]),
    )


WIDER = """(width) => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > width + 0.5)
  .slice(0, 5).map((e) => e.tagName + "." + e.className + " " + e.getBoundingClientRect().right)"""


def fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide: {page.evaluate(WIDER, width)}"


def shoot_view(page, screenshot_dir, name: str) -> None:
    """What a phone shows without scrolling (shoot() takes the whole page there)."""
    width = page.viewport_size["width"]
    page.screenshot(path=screenshot_dir / f"{name}-view-{width}.png", animations="disabled")


def unsaved(page) -> str:
    return page.locator("form.review-form").get_attribute("data-unsaved") or ""


def all_saved(page) -> None:
    """No row waits for the server's "saved" (app.js keeps the count on the form)."""
    expect(page.locator("form.review-form")).to_have_attribute("data-unsaved", "0")


@pytest.mark.parametrize("phone", [False, True], ids=["1280", "375"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_change_is_saved_and_said_saved(
    open_page, reviewed, shoot, screenshot_dir, language, phone
):
    words = WORDS[language]
    page = open_page(reviewed.manager, phone=phone, language=language)
    page.goto(reviewed.url)
    rows = page.locator(".review-table tbody tr")
    expect(rows).to_have_count(reviewed.skills)
    assert reviewed.skills >= 20

    # The action bar is in view at the top of a long page, Save and Share in it.
    bar = page.locator(".review-actions")
    expect(bar).to_be_in_viewport()
    expect(bar.get_by_role("button", name=words["save"])).to_be_in_viewport()
    expect(bar.get_by_role("button", name=words["share"])).to_be_in_viewport()
    assert unsaved(page) == "0"
    # Both columns show number and label.
    first = rows.nth(0)
    expect(first.locator(".review-self")).to_have_text(re.compile(r"^\s*\d · \S"))
    expect(first.get_by_role("combobox").locator("option[value='3']")).to_have_text(words["level"])
    if phone:
        fits(page, 375)
    shoot(page, f"review-{language}")
    shoot_view(page, screenshot_dir, f"review-{language}")

    # A level: saved at once, and the server says so beside the row.
    first.get_by_role("combobox").select_option("3")
    expect(first.locator(".save-status")).to_have_text(words["saved"])
    expect(page.locator("[data-save-summary]")).to_have_text(words["all saved"])
    all_saved(page)

    # A comment whose save has not been answered yet: leaving asks first.
    held = []
    page.route(re.compile(r"/ratings/\d+/$"), lambda route: held.append(route))
    second = rows.nth(0)  # rated above: a comment goes with a level
    comment = second.get_by_role("textbox")
    comment.click()
    page.keyboard.type("Parlons-en : tes livrables montrent un niveau 2.")
    page.keyboard.press("Tab")  # leaving the field sends it (change)
    page.wait_for_function("() => document.querySelector('.htmx-request')")
    assert unsaved(page) == "1"
    expect(second.locator(".save-status")).to_have_text(words["saving"])
    expect(page.locator("[data-save-summary]")).to_have_text(words["unsaved"])
    with page.expect_event("dialog") as leaving:
        page.close(run_before_unload=True)
    assert leaving.value.type == "beforeunload"
    leaving.value.dismiss()  # stay on the page
    expect(bar).to_be_in_viewport()
    shoot_view(page, screenshot_dir, f"review-unsaved-{language}")

    # Its answer comes: saved, nothing left to warn about.
    for route in held:
        route.continue_()
    page.unroute(re.compile(r"/ratings/\d+/$"))
    expect(second.locator(".save-status")).to_have_text(words["saved"])
    all_saved(page)

    # Kept: the page read again shows both (and leaves without asking).
    page.reload()
    expect(rows.nth(0).get_by_role("combobox")).to_have_value("3")
    expect(rows.nth(0).get_by_role("textbox")).to_have_value(
        "Parlons-en : tes livrables montrent un niveau 2."
    )
    if phone:
        fits(page, 375)
    shoot(page, f"review-saved-{language}")
    # At the end of the page the bar sits below the last skill, covering none of it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = rows.last.bounding_box()
    held_bar = bar.bounding_box()
    assert last and held_bar and held_bar["y"] >= last["y"] + last["height"] - 0.5
    expect(bar).to_be_in_viewport()
    shoot_view(page, screenshot_dir, f"review-end-{language}")

    # Without waiting for autosave, the Save button still saves everything, no warning.
    rows.nth(2).get_by_role("combobox").select_option("1")
    bar.get_by_role("button", name=words["save"]).click()
    expect(page.locator(".messages")).to_be_visible()
    expect(rows.nth(2).get_by_role("combobox")).to_have_value("1")


@pytest.mark.parametrize("language,phone", [("fr", False), ("en", True)], ids=["fr-1280", "en-375"])
def test_a_closed_cycle_is_read_only(open_page, reviewed, shoot, screenshot_dir, language, phone):
    from teams.services import cycle_close

    cycle_close(cycle=reviewed.cycle)
    words = WORDS[language]
    page = open_page(reviewed.manager, phone=phone, language=language)
    page.goto(reviewed.url)

    expect(page.locator(".closed-banner")).to_contain_text(words["closed"])
    expect(page.locator(".closed-banner")).to_be_in_viewport()
    expect(page.locator(".review-table select")).to_have_count(reviewed.skills)
    expect(page.locator(".review-table select:enabled")).to_have_count(0)
    expect(page.locator(".review-table textarea:enabled")).to_have_count(0)
    expect(page.locator("[hx-post], [data-autosave]")).to_have_count(0)
    bar = page.locator(".review-actions")
    expect(bar.get_by_role("button", name=words["save"])).to_have_count(0)
    expect(bar.get_by_role("button", name=words["share"])).to_be_in_viewport()
    if phone:
        fits(page, 375)
    shoot(page, f"review-closed-{language}")
    shoot_view(page, screenshot_dir, f"review-closed-{language}")
