"""Every main page, on the demo team's data: axe-core's WCAG 2.1 A and AA rules, no
sideways scrolling at 375 px, a screenshot at 1280 and 375 px."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import run_axe

pytestmark = pytest.mark.browser

# (name, who looks at it, URL or key of demo_world.urls)
PAGES = [
    ("home", None, "/"),
    ("sign-up", None, "/accounts/signup/"),
    ("login", None, "/accounts/login/"),
    ("password-reset", None, "/accounts/password/reset/"),
    ("check-your-mailbox", None, "/accounts/signup/done/"),
    ("roles", None, "/roles/"),
    ("role", None, "/roles/TPM/"),
    ("new-assessment", "member", "new-assessment"),
    ("step", "draft_owner", "step"),
    ("review-and-submit", "draft_owner", "review-and-submit"),
    ("result", "member", "result"),
    ("history", "member", "history"),
    ("simulator", "member", "simulator"),
    ("path", "member", "path"),
    ("compare", "member", "compare"),
    ("shared-review", "member", "shared-review"),
    ("account", "member", "/accounts/"),
    ("email-change", "member", "/accounts/email/"),
    ("teams", "manager", "teams"),
    ("team", "manager", "team"),
    ("dashboard", "manager", "dashboard"),
    ("rating", "manager", "rating"),
    ("admin-role", "editor", "admin-role"),
]


def visit(open_page, world, **options):
    """Yield (name, page) for each main page, one browser context per person."""
    pages = {}
    for name, who, url in PAGES:
        if who not in pages:
            pages[who] = open_page(getattr(world, who) if who else None, **options)
        page = pages[who]
        response = page.goto(world.urls.get(url, url))
        assert response.status == 200, (name, response.status)
        yield name, page


def test_no_serious_or_critical_accessibility_violation(open_page, demo_world):
    failures = []
    for name, page in visit(open_page, demo_world, axe=True):
        for violation in run_axe(page, name):
            nodes = "\n      ".join(violation["nodes"][:5])
            failures.append(
                f"{name}: {violation['id']} ({violation['impact']}), {violation['help']}, "
                f"{len(violation['nodes'])} nodes:\n      {nodes}"
            )
    assert not failures, "serious or critical violations:\n" + "\n".join(failures)


# The README's pictures (docs/screenshots/): copy readme-*-1280.png there to refresh them.
README_VIEWS = {"result": ".role-result", "dashboard": "#heat-title"}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pages_at_1280_px(open_page, demo_world, shoot, language):
    wide = {}
    for name, page in visit(open_page, demo_world, language=language):
        expect(page.locator("html")).to_have_attribute("lang", language)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1280:
            wide[name] = width
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        if name != "admin-role":
            expect(page.locator(".navbar-toggler")).to_be_hidden()
            expect(page.locator("nav.navbar button[name=language][value=en]")).to_be_visible()
        shoot(page, f"{name}-{language}")
        if name in README_VIEWS and language == "fr":
            page.locator(README_VIEWS[name]).first.evaluate(
                "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 16)"
            )
            shoot(page, f"readme-{name}")
    assert wide == {}, "pages wider than the 1280 px screen (document scrollWidth)"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pages_at_375_px_do_not_scroll_sideways(open_page, demo_world, shoot, language):
    wide = {}
    for name, page in visit(open_page, demo_world, phone=True, language=language):
        expect(page.locator("html")).to_have_attribute("lang", language)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[name] = width
        shoot(page, f"{name}-{language}")
        if name == "dashboard":
            # The wide heatmap gives way to one card per member (tests/browser/test_heatmap.py).
            expect(page.locator(".heatmap-box")).to_be_hidden()
            expect(page.locator(".heat-card").first).to_be_visible()
            assert page.evaluate("window.scrollX") == 0
        if name == "result":
            bars = page.locator(".skill-bars").first
            bars.scroll_into_view_if_needed()
            frame = bars.bounding_box()
            assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 375
            assert frame["width"] > 250, "the chart is too small to read"
    assert wide == {}, "pages wider than the 375 px screen (document scrollWidth)"
    # The measure itself: a page with something too wide does scroll sideways.
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<div style=\"width:600px\">x</div>')"
    )
    assert page.evaluate("document.documentElement.scrollWidth") > 375
