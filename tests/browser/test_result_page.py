"""The result page at real size: the shipped catalogue, every role chosen, in French and
English, at 1280 and 375 px. Summary first, one role at a time, bars instead of a radar."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessments.services import assessment_start
from careers.models import Role
from tests.assessments.helpers import submitted
from tests.browser.conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots/result")


@pytest.fixture
def all_roles_result(real_catalogue, make_user):
    person = make_user("ana")
    assessment = submitted(assessment_start(owner=person, roles=list(Role.objects.all())))
    return person, assessment


def fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_all_roles_at_real_size(new_context, live_server, all_roles_result, language, viewport):
    person, assessment = all_roles_result
    context = new_context(viewport=viewport, is_mobile=viewport == PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    log_in(context, person, live_server.url)
    page = context.new_page()
    width = viewport["width"]
    url = f"/assessments/{assessment.pk}/"

    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.locator("section.role-result").count() == 1  # the best fit only
    assert page.locator("canvas").count() == 0
    fits(page, width)
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nheight {language} {width} one role: {height}")
    page.screenshot(path=SHOTS / f"result-{language}-{width}.png", full_page=True)

    page.goto(f"{url}?role=all")
    assert page.locator("section.role-result").count() == Role.objects.count()
    fits(page, width)
    # Every bar label whole: no name cut by an ellipsis or clipped by its box.
    for name in page.locator(".skill-bar-name").all()[:60]:
        assert name.evaluate("n => n.scrollWidth <= n.clientWidth + 1"), name.text_content()
    # The gap table: no column out of view.
    for cell in page.locator(".gap-table td").all()[:60]:
        assert cell.evaluate("c => c.getBoundingClientRect().right") <= width
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"height {language} {width} all roles: {height}")
    page.screenshot(path=SHOTS / f"result-all-{language}-{width}.png", full_page=True)
    context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_the_role_picker_opens_one_role(new_context, live_server, all_roles_result, javascript):
    person, assessment = all_roles_result
    context = new_context(viewport=DESKTOP, java_script_enabled=javascript)
    log_in(context, person, live_server.url)
    page = context.new_page()
    page.goto(f"/assessments/{assessment.pk}/")
    picker = page.locator("nav.role-picker")
    manager = Role.objects.get(code="PMO-MANAGER")

    picker.get_by_role("link", name=re.compile(re.escape(manager.name_fr))).click()

    expect(page).to_have_url(re.compile(r"\?role=PMO-MANAGER"))
    expect(page.locator("section.role-result")).to_have_count(1)
    expect(page.locator("#role-PMO-MANAGER h2")).to_contain_text(manager.name_fr)
    expect(picker.locator("[aria-current=page]")).to_contain_text(manager.name_fr)
    # The career block names roles, never codes.
    expect(page.locator("#role-PMO-MANAGER .career")).not_to_contain_text("PMO-DIRECTOR")
    picker.get_by_role("link", name="Tous les rôles (pour imprimer)").click()
    expect(page.locator("section.role-result")).to_have_count(Role.objects.count())
    context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_on_a_phone_the_role_picker_is_a_menu(
    new_context, live_server, all_roles_result, javascript
):
    person, assessment = all_roles_result
    context = new_context(viewport=PHONE, is_mobile=True, java_script_enabled=javascript)
    log_in(context, person, live_server.url)
    page = context.new_page()
    page.goto(f"/assessments/{assessment.pk}/")
    picker = page.locator("nav.role-picker")
    expect(picker.locator("ul.nav")).to_be_hidden()  # no pill per role: a menu
    menu = picker.get_by_label("Rôle", exact=True)
    expect(menu).to_be_visible()
    manager = Role.objects.get(code="PMO-MANAGER")

    menu.select_option("PMO-MANAGER")
    picker.get_by_role("button", name="Afficher").click()

    expect(page).to_have_url(
        re.compile(r"\?role=PMO-MANAGER" + ("#role-PMO-MANAGER" if javascript else ""))
    )
    expect(page.locator("section.role-result")).to_have_count(1)
    expect(page.locator("#role-PMO-MANAGER h2")).to_contain_text(manager.name_fr)
    expect(picker.get_by_label("Rôle", exact=True)).to_have_value("PMO-MANAGER")
    if javascript:  # opened at the role's heading, as the pills do
        page.wait_for_function(
            "() => document.getElementById('role-PMO-MANAGER').getBoundingClientRect().top < 200"
        )
    context.close()
