"""The team dashboard's heatmap at the shipped catalogue's size: 50 members assessed on
every role, one of them with a 150-character name, their target roles spread over the 8
roles (some 30 skill columns). At 1280 px the table scrolls in its box under a fixed
header and member column, with a scroll cue; at 375 px each member is a card. Filters
apply on the server (GET), in French and in English."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LONG_NAME = "member-50-" + "x" * 140  # 150 characters, the longest a username may be
WORDS = {
    "fr": {"filter": "Filtrer", "clear": "Effacer les filtres", "shown": "Membres affichés"},
    "en": {"filter": "Filter", "clear": "Clear the filters", "shown": "Members shown"},
}


@pytest.fixture
def big_team(real_catalogue, make_user):
    from careers.models import Role
    from teams.models import TeamMembership
    from teams.services import cycle_assessment_start, cycle_open, team_create
    from tests.assessments.helpers import submitted

    roles = list(Role.objects.filter(is_published=True).order_by("order", "pk"))
    manager = make_user("manon")
    team = team_create(manager=manager, name="Plateforme")
    cycle = cycle_open(
        team=team, name="Revue annuelle", due_date=timezone.localdate() + timedelta(days=21)
    )
    pattern = [2, 3, 1, 2, 4, 3, 2, 1, 3, 0]
    for n in range(1, 51):
        user = make_user(LONG_NAME if n == 50 else f"member-{n}")
        membership = TeamMembership.objects.create(
            team=team, user=user, target_role=roles[n % len(roles)]
        )
        submitted(
            cycle_assessment_start(cycle=cycle, membership=membership, roles=roles),
            level_for=lambda i, n=n: pattern[(i + n) % len(pattern)],
        )
    return SimpleNamespace(
        manager=manager,
        roles=roles,
        url=reverse("teams:cycle", args=[team.pk, cycle.pk]),
    )


def no_page_overflow(page) -> None:
    sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], f"the page is {sizes[0]} px wide in a {sizes[1]} px window"


def count_text(page, language):
    return page.locator("#heat-count").inner_text()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_heatmap_at_1280_px(open_page, big_team, shoot, language):
    words = WORDS[language]
    page = open_page(big_team.manager, language=language)
    page.goto(big_team.url)
    no_page_overflow(page)
    box = page.locator(".heatmap-box")
    rows = page.locator(".heatmap tbody tr")
    expect(rows).to_have_count(50)
    columns = page.locator(".heatmap thead .skill-col").count()
    assert 25 <= columns <= 50, columns
    expect(page.locator("#heat-count")).to_contain_text("50 ")
    # Category names over their skills, every skill name whole (written vertically).
    groups = page.locator(".heatmap thead .cat-col")
    assert groups.count() >= 3
    for name in page.locator(".heatmap .skill-name bdi").all()[:40]:
        assert name.evaluate("e => e.scrollHeight <= e.clientHeight + 1"), "a skill name is cut"
    # Wider than its box: the cue says so, the right edge is shaded.
    expect(page.locator(".heat-cue")).to_be_visible()
    expect(page.locator(".heat-wide")).to_have_class(re.compile("is-overflowing"))
    box.scroll_into_view_if_needed()
    page.locator("#heat-title").evaluate("e => window.scrollTo(0, e.offsetTop - 8)")
    shoot(page, f"heatmap-{language}")

    # Scrolled in both directions, the header row and the member column stay in view.
    frame = box.bounding_box()
    box.evaluate("b => { b.scrollLeft = 900; b.scrollTop = 700; }")
    page.wait_for_timeout(100)
    assert box.evaluate("b => b.scrollLeft") > 0 and box.evaluate("b => b.scrollTop") > 0
    corner = page.locator(".heatmap thead .member-head").bounding_box()
    assert abs(corner["y"] - frame["y"]) <= 2 and abs(corner["x"] - frame["x"]) <= 2
    header = page.locator(".heatmap thead .skill-col").nth(columns - 1).bounding_box()
    assert frame["y"] <= header["y"] <= frame["y"] + 40, "the skill header scrolled away"
    member = rows.nth(30).locator("th").bounding_box()
    assert abs(member["x"] - frame["x"]) <= 2, "the member column scrolled away"
    # The last skills' headers and cells are in view at the end, and the shadow is gone.
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    expect(page.locator(".heat-wide")).to_have_class(re.compile("at-end"))
    shoot(page, f"heatmap-scrolled-{language}")

    # A skill's full name on keyboard focus.
    first = page.locator(".heatmap .skill-name").first
    full = first.get_attribute("data-full")
    first.focus()
    expect(page.locator("#heatmap-tip")).to_be_visible()
    expect(page.locator("#heatmap-tip")).to_contain_text(full)
    expect(first).to_have_attribute("aria-describedby", "heatmap-tip")
    page.keyboard.press("Tab")
    # And in the legend, by category.
    legend = page.locator(".heat-legend")
    legend.locator("summary").click()
    expect(legend.get_by_text(full, exact=True)).to_be_visible()

    # The role filter applies on change (the GET form, submitted).
    role = big_team.roles[1]
    role_name = role.name_fr if language == "fr" else role.name_en
    page.locator("#heat-role").select_option(label=role_name)
    expect(page).to_have_url(re.compile(rf"role={role.code}"))
    expected = sum(1 for n in range(1, 51) if n % len(big_team.roles) == 1)
    expect(rows).to_have_count(expected)
    expect(page.locator("#heat-count")).to_contain_text(words["shown"])
    expect(page.locator("#heat-count")).to_contain_text(f"{expected} ")
    # Then only the gaps, then a category, with the button.
    page.locator("#heat-gaps").check()
    expect(page).to_have_url(re.compile(r"gaps=1"))
    category = page.locator("#heat-category option").nth(1)
    page.locator("#heat-category").select_option(category.get_attribute("value"))
    expect(page).to_have_url(re.compile(r"category=\d+"))
    expect(page.locator("#heat-role")).to_have_value(role.code)
    expect(page.locator("#heat-gaps")).to_be_checked()
    page.get_by_role("button", name=words["filter"], exact=True).click()
    no_page_overflow(page)
    page.locator("#heat-title").evaluate("e => window.scrollTo(0, e.offsetTop - 8)")
    shoot(page, f"heatmap-filtered-{language}")
    page.get_by_role("link", name=words["clear"]).first.click()
    expect(rows).to_have_count(50)

    # Nonsense in the query is ignored.
    page.goto(big_team.url + "?role=%3Cscript%3E&category=abc&gaps=maybe")
    expect(rows).to_have_count(50)
    expect(page.get_by_role("link", name=words["clear"])).to_have_count(0)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_heatmap_at_375_px(open_page, big_team, shoot, screenshot_dir, language):
    words = WORDS[language]
    page = open_page(big_team.manager, phone=True, language=language)
    page.goto(big_team.url)
    no_page_overflow(page)
    # One card per member instead of the wide table.
    expect(page.locator(".heatmap-box")).to_be_hidden()
    cards = page.locator(".heat-card")
    expect(cards).to_have_count(50)
    long_card = cards.filter(has_text=LONG_NAME[:30])
    long_card.locator("summary").click()
    expect(long_card.locator(".heat-gap").first).to_be_visible()
    assert long_card.evaluate("e => e.getBoundingClientRect().right") <= 375
    cards.first.locator("summary").click()
    expect(cards.first.locator("li, p").first).to_be_visible()
    # The members table is stacked: nothing out of view.
    members = page.locator(".members-table")
    assert members.evaluate("t => t.getBoundingClientRect().right") <= 375
    holder = page.locator("#status-title + .table-responsive")
    assert holder.evaluate("e => e.scrollWidth <= e.clientWidth")
    rightmost = members.evaluate(
        "t => Math.max(...[...t.querySelectorAll('th, td')].map("
        "c => c.getBoundingClientRect().right))"
    )
    assert rightmost <= 375, f"a cell of the members table ends at {rightmost} px"
    # The team figures fit.
    for table in ("#fit-title ~ table", "#cov-title ~ table"):
        assert page.locator(table).evaluate("t => t.getBoundingClientRect().right") <= 375
    no_page_overflow(page)
    shoot(page, f"heatmap-{language}")  # the whole page
    for part in ("#status-title", "#heat-title", "#fit-title"):  # and screenfuls of it
        page.locator(part).evaluate("e => window.scrollTo(0, e.offsetTop - 8)")
        name = f"heatmap-{part[1:]}-{language}-375.png"
        page.screenshot(path=screenshot_dir / name, animations="disabled")

    # The filters work here too.
    page.locator("#heat-role").select_option(big_team.roles[3].code)
    expect(page).to_have_url(re.compile(rf"role={big_team.roles[3].code}"))
    page.locator("#heat-gaps").check()
    expect(page).to_have_url(re.compile(r"gaps=1"))
    page.get_by_role("button", name=words["filter"], exact=True).click()
    expect(page.locator("#heat-count")).to_contain_text(words["shown"])
    no_page_overflow(page)
    shown = int(re.search(r"(\d+)", count_text(page, language)).group(1))
    expect(page.locator(".heat-card")).to_have_count(shown)
    assert 0 < shown <= sum(1 for n in range(1, 51) if n % len(big_team.roles) == 3)


def test_the_filters_work_without_javascript(new_context, live_server, big_team, shoot):
    from tests.browser.conftest import DESKTOP, log_in

    context = new_context(viewport=DESKTOP, java_script_enabled=False)
    log_in(context, big_team.manager, live_server.url)
    page = context.new_page()
    page.goto(big_team.url)
    # No script to measure the box: the scroll cue shows all the same.
    expect(page.locator(".heat-cue")).to_be_visible()
    role = big_team.roles[2]
    page.locator("#heat-role").select_option(role.code)
    page.locator("#heat-gaps").check()
    expect(page).to_have_url(big_team.url)  # nothing happens until the button
    page.get_by_role("button", name="Filtrer", exact=True).click()
    expect(page).to_have_url(re.compile(rf"role={role.code}&category=&gaps=1"))
    rows = page.locator(".heatmap tbody tr")
    expected = sum(1 for n in range(1, 51) if n % len(big_team.roles) == 2)
    assert 0 < rows.count() <= expected
    expect(page.locator("#heat-role")).to_have_value(role.code)
    no_page_overflow(page)
    page.locator("#heat-title").evaluate("e => window.scrollTo(0, e.offsetTop - 8)")
    shoot(page, "heatmap-no-js")
