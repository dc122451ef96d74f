"""The what-if simulator, the path to a role and the role matrix in Chromium: with and
without JavaScript, on a phone, and through axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.browser.helpers import run_axe

pytestmark = pytest.mark.browser


@pytest.fixture
def result(real_catalogue, make_user):
    from assessments.services import assessment_start
    from careers.models import Role
    from tests.assessments.helpers import submitted

    pattern = [2, 3, 1, 2, 4, 3, 2, 1, 3]
    return submitted(
        assessment_start(
            owner=make_user("claire"), roles=Role.objects.filter(code__in=["TPM", "PMO", "CPT"])
        ),
        level_for=lambda i: pattern[i % len(pattern)],
    )


def first_raisable(page):
    """A skill select whose level is below 4, and that level."""
    for select in page.locator("#sim-form select[name^='s-']").all():
        level = int(select.input_value())
        if level < 4:
            return select, level
    raise AssertionError("every level is 4")


def test_simulator_updates_at_once_and_keeps_the_state_in_the_url(open_page, result, shoot):
    page = open_page(result.owner)
    url = f"/assessments/{result.pk}/simulate/"
    page.goto(url)
    saved = page.locator("#simulation tbody tr").first.inner_text()
    select, level = first_raisable(page)
    name = select.get_attribute("name")

    select.select_option(str(level + 1))

    expect(page).to_have_url(re.compile(rf"{url}\?{name}={level + 1}$"))
    expect(page.locator(f"#mark-{name[2:]}")).to_have_class(re.compile(r"\bis-changed\b"))
    expect(page.locator("#simulation .sim-changes li")).to_have_count(1)
    expect(page.locator("#sim-status")).to_contain_text("1 niveau modifié")
    shoot(page, "simulator-changed")

    # a reload shows the same simulation, from the URL
    page.reload()
    expect(page.locator(f"select[name='{name}']")).to_have_value(str(level + 1))
    expect(page.locator("#simulation .sim-changes li")).to_have_count(1)

    # an improvement applied, then everything reset
    page.locator("#simulation .sim-suggestions a").first.click()
    expect(page.locator("#simulation .sim-changes li")).to_have_count(2)
    page.locator("#simulation").get_by_role("link", name="Revenir à mes réponses").click()
    expect(page).to_have_url(re.compile(rf"{url}$"))
    expect(page.locator("#simulation tbody tr").first).to_have_text(saved)


def test_simulator_works_as_a_plain_form_without_javascript(new_context, live_server, result):
    context = new_context(java_script_enabled=False, viewport=DESKTOP)
    log_in(context, result.owner, live_server.url)
    page = context.new_page()
    page.goto(f"/assessments/{result.pk}/simulate/")
    select, level = first_raisable(page)
    name = select.get_attribute("name")

    select.select_option(str(level + 1))
    page.locator("#sim-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"[?&]{name}={level + 1}(&|$)"))
    expect(page.locator(f"#mark-{name[2:]}")).to_have_class(re.compile(r"\bis-changed\b"))
    expect(page.locator("#simulation .sim-changes li")).to_have_count(1)


def test_path_page_and_its_role_picker(open_page, result, shoot):
    page = open_page(result.owner)
    page.goto(f"/assessments/{result.pk}/")
    page.get_by_role("link", name="Toutes les étapes de votre chemin vers ce rôle").first.click()

    page.get_by_label("Un autre rôle").select_option("PMO")
    page.get_by_role("button", name="Voir le chemin").click()

    expect(page).to_have_url(re.compile(rf"/assessments/{result.pk}/path/PMO/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("PMO")
    expect(page.locator(".path-steps > li").first).to_contain_text("points")
    shoot(page, "path")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_planning_pages_pass_axe_and_fit_a_phone(open_page, result, viewport):
    page = open_page(result.owner, phone=viewport == PHONE, axe=True)
    failures = []
    for name, url in [
        ("simulator", f"/assessments/{result.pk}/simulate/?s-risk-management=4"),
        ("path", f"/assessments/{result.pk}/path/CPT/"),
        ("role-matrix", "/roles/matrix/"),
    ]:
        page.goto(url)
        failures += [f"{name}: {v['id']} {v['nodes'][:3]}" for v in run_axe(page, name)]
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{url} is {width} px wide"
    assert failures == []
