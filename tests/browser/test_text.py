"""Text is shown as written, in its place: names of 150 letters without a space and a
right-to-left override (U+202E) in person-written and catalogue text, on every page a
person, a manager and an editor see, at 375 and 1280 px.

Each page must keep its width (`scrollWidth <= innerWidth`), every element that holds
such text must be isolated for direction (a `<bdi>`, or `unicode-bidi: isolate`), so that
the override cannot reorder the text around it, and must wrap within the screen. On the
result page the app's own "· niveau 1, cible 3, priorité 4" after a skill whose name holds
an override is measured where the browser draws it: still left to right.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

RLO = "\u202e"


def letters(word: str, length: int) -> str:
    """`length` letters without a space (or any other break opportunity)."""
    return (word * (length // len(word) + 1))[:length]


# Names as long as their columns allow, and names with an override in the middle.
LONG_USER = letters("Anticonstitutionnellement", 150)
LONG_MANAGER = letters("Responsabilite", 150)
LONG_TEAM = letters("Plateforme", 120)
RTL_CYCLE = f"Revue {RLO}annuelle"
LONG_SKILL = letters("Ordonnancement", 150)
RTL_SKILL = f"Pilotage {RLO}inversé"
LONG_ROLE = letters("Architecte", 150)
RTL_ROLE = f"Chef {RLO}de projet"
RTL_NOTE = f"Fait en {RLO}2024 " + letters("preuve", 300)

# Finds every text node that holds an override and says whether it is isolated: an
# inline ancestor isolated for direction (or a bdi) comes before the nearest block, or
# the block holds no text after it. Also every bdi wider than the block it is in (a name
# that did not wrap), and the page's width.
CHECK = """() => {
  const isolates = new Set(["isolate", "isolate-override", "plaintext"]);
  const inline = (element) => getComputedStyle(element).display.startsWith("inline");
  const leaks = [], wide = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.includes("\\u202e")) continue;
    let element = node.parentElement, isolated = false;
    // A block is a paragraph of its own (Chromium marks blocks "isolate" too): only
    // an inline element's isolation keeps the override from the text beside it.
    while (element !== document.body && inline(element)) {
      const bidi = getComputedStyle(element).unicodeBidi;
      if (element.tagName === "BDI" || isolates.has(bidi)) { isolated = true; break; }
      element = element.parentElement;
    }
    if (isolated || element.offsetParent === null) continue;  // isolated, or not shown
    const after = document.createRange();
    after.setStartAfter(node);
    after.setEnd(element, element.childNodes.length);
    if (after.toString().trim()) {
      const tag = `<${element.tagName.toLowerCase()} class="${element.className}">`;
      leaks.push(`${tag}: ${element.textContent.trim().slice(0, 80)}`);
    }
  }
  for (const bdi of document.querySelectorAll("main bdi, nav bdi")) {
    if (bdi.closest(".visually-hidden") || !bdi.getClientRects().length) continue;
    // The block it wraps in, or the box that cuts it short on purpose (an ellipsis).
    let box = bdi.parentElement;
    while (inline(box) && getComputedStyle(box).overflowX === "visible") box = box.parentElement;
    if (inline(box)) continue;
    const width = bdi.getBoundingClientRect().width, room = box.getBoundingClientRect().width;
    if (width > room + 1) {
      const name = bdi.textContent.slice(0, 30);
      wide.push(`${name}… ${Math.round(width)} px in ${Math.round(room)} px`);
    }
  }
  const scrollWidth = document.documentElement.scrollWidth, innerWidth = window.innerWidth;
  return {leaks, wide, scrollWidth, innerWidth};
}"""

# Where the browser draws the "·" and the last character of an element's text.
DRAWN = """(element) => {
  const text = element.firstChild;
  const box = (i) => {
    const range = document.createRange();
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    return range.getBoundingClientRect();
  };
  const first = box(text.data.indexOf("·")), last = box(text.data.trimEnd().length - 1);
  return {first: first.left, last: last.left, sameLine: Math.abs(first.top - last.top) < 2};
}"""


@pytest.fixture
def odd_world(live_server, editors_group, make_user):
    """A catalogue, a person, a team, a cycle and a review written with odd names."""
    from django.db.models import F
    from django.urls import reverse
    from django.utils import timezone

    from assessments.services import assessment_start
    from careers.models import (
        CareerStep,
        NextStepAction,
        Role,
        RoleRequirement,
        Skill,
        SkillCategory,
    )
    from teams.models import TeamMembership
    from teams.services import (
        cycle_assessment_start,
        cycle_open,
        ratings_save,
        review_share,
        team_create,
    )
    from tests.assessments.helpers import submitted
    from tests.factories import (
        CareerStepFactory,
        RoleFactory,
        RoleRequirementFactory,
        SkillCategoryFactory,
        SkillFactory,
    )

    category = SkillCategoryFactory(
        name_fr=letters("Gouvernance", 120), description_fr=f"Ce qui {RLO}compte"
    )
    rtl_category = SkillCategoryFactory(name_fr=f"Livraison {RLO}agile")
    skills = [
        SkillFactory(category=category, name_fr=RTL_SKILL, description_fr=f"{RLO}Décrite"),
        SkillFactory(category=category, name_fr=LONG_SKILL),
        SkillFactory(category=rtl_category),
        SkillFactory(category=rtl_category),
    ]
    NextStepAction.objects.filter(skill=skills[0]).update(
        title_fr=f"Formation {RLO}inversée", detail_fr=letters("Accompagnement", 200)
    )
    NextStepAction.objects.filter(skill=skills[1]).update(
        title_fr=letters("Certification", 200), detail_fr=f"Détail {RLO}inversé"
    )
    long_role = RoleFactory(code="LONG", name_fr=LONG_ROLE, summary_fr=f"Résumé {RLO}inversé")
    rtl_role = RoleFactory(code="RTL", name_fr=RTL_ROLE, summary_fr=letters("Synthese", 300))
    draft_role = RoleFactory(code="DRAFT", name_fr=letters("Brouillon", 150), is_published=False)
    for i, skill in enumerate(skills):
        RoleRequirementFactory(role=long_role, skill=skill, weight=5 - i, target=4)
        RoleRequirementFactory(role=rtl_role, skill=skill, weight=i + 1, target=3)
        RoleRequirementFactory(role=draft_role, skill=skill, weight=2, target=2)
    CareerStepFactory(role=long_role, direction="from", name_fr=letters("Ingenieur", 150))
    CareerStepFactory(role=long_role, direction="to", linked_role=rtl_role)
    CareerStepFactory(role=rtl_role, direction="to", name_fr=f"Directeur {RLO}de programme")
    roles = [long_role, rtl_role]
    # The same odd text in English, so that both languages are tried at full length.
    for model, fields in (
        (SkillCategory, ["name", "description"]),
        (Skill, ["name", "description"]),
        (NextStepAction, ["title", "detail"]),
        (Role, ["name", "summary"]),
        (CareerStep, ["name"]),
    ):
        model.objects.update(**{f"{field}_en": F(f"{field}_fr") for field in fields})

    person = make_user(LONG_USER)
    levels = [1, 0, 2, 4]
    result = submitted(assessment_start(owner=person, roles=roles), lambda i: levels[i % 4])
    result.answers.filter(skill=skills[0]).update(note=RTL_NOTE)
    draft = assessment_start(owner=person, roles=roles)

    manager = make_user(LONG_MANAGER)
    team = team_create(manager=manager, name=LONG_TEAM)
    cycle = cycle_open(team=team, name=RTL_CYCLE, due_date=timezone.localdate())
    reviewed = None
    for user in (person, make_user("bea"), make_user("chloe")):
        membership = TeamMembership.objects.create(team=team, user=user, target_role=long_role)
        assessment = cycle_assessment_start(cycle=cycle, membership=membership)
        assessment = submitted(assessment, lambda i: levels[i % 4])
        assessment.answers.filter(skill=skills[0]).update(note=RTL_NOTE)
        reviewed = reviewed or assessment
    ids = {code: s["id"] for code, s in reviewed.snapshot["skills"].items()}
    ratings_save(
        assessment=reviewed,
        manager=manager,
        values={ids[skills[0].code]: (2, f"Vu {RLO}ensemble " + letters("commentaire", 300))},
    )
    review_share(assessment=reviewed, manager=manager)
    # The catalogue changes after the result: the compare page has something to show.
    RoleRequirement.objects.filter(role__in=roles, skill__in=skills[:2]).update(weight=1)
    Skill.objects.filter(pk=skills[1].pk).update(name_fr=f"{LONG_SKILL[:140]} {RLO}neuf")
    SkillCategory.objects.filter(pk=rtl_category.pk).update(name_fr=letters("Qualite", 120))
    editor = make_user(letters("Redactrice", 150), is_staff=True)
    editor.groups.add(editors_group)

    result_url = reverse("assessments:detail", args=[result.pk])
    person_pages = {
        "home": "/",
        "account": reverse("account"),
        "history": reverse("assessments:list"),
        "new-assessment": reverse("assessments:new"),
        "step": reverse("assessments:step", args=[draft.pk, 1]),
        "review-and-submit": reverse("assessments:review", args=[draft.pk]),
        "result": result_url,
        "compare": reverse("assessments:compare", args=[result.pk]),
        "simulator": reverse("assessments:simulate", args=[result.pk]),
        "path": reverse("assessments:path", args=[result.pk, "LONG"]),
        "path-rtl": reverse("assessments:path", args=[result.pk, "RTL"]),
        "teams": reverse("teams:list"),
        "team-member": reverse("teams:detail", args=[team.pk]),
        "shared-review": reverse("teams:shared_review", args=[reviewed.pk]),
        "roles": reverse("careers:role_list"),
        "role": reverse("careers:role_detail", args=["LONG"]),
        "role-rtl": reverse("careers:role_detail", args=["RTL"]),
        "matrix": reverse("careers:role_matrix"),
    }
    manager_pages = {
        "team": reverse("teams:detail", args=[team.pk]),
        "dashboard": reverse("teams:cycle", args=[team.pk, cycle.pk]),
        "rating": reverse("teams:review", args=[team.pk, reviewed.pk]),
        "manager-teams": reverse("teams:list"),
        "manager-account": reverse("account"),
    }
    editor_pages = {
        "editor-roles": reverse("careers:role_list"),
        "draft-role": reverse("careers:role_detail", args=["DRAFT"]),
        "editor-matrix": reverse("careers:role_matrix"),
    }
    return [(person, person_pages), (manager, manager_pages), (editor, editor_pages)]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("phone", [True, False], ids=["375px", "1280px"])
def test_long_names_and_rtl_overrides_keep_every_page_in_place(
    open_page, odd_world, shoot, phone, language
):
    problems = []
    for user, pages in odd_world:
        page = open_page(user, phone=phone, language=language)
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, (name, response.status)
            found = page.evaluate(CHECK)
            shoot(page, f"text-{name}-{language}")
            if found["scrollWidth"] > found["innerWidth"]:
                problems.append(f"{name}: {found['scrollWidth']} px wide")
            problems += [f"{name}: not isolated: {leak}" for leak in found["leaks"]]
            problems += [f"{name}: does not wrap: {wide}" for wide in found["wide"]]
    assert not problems, "\n".join(problems)


def test_the_figures_after_a_name_with_an_override_read_left_to_right(open_page, odd_world):
    (person, pages), *_ = odd_world
    page = open_page(person)
    page.goto(pages["result"])
    item = page.locator(".top-gaps li", has_text="Pilotage").first
    expect(item).to_be_visible()

    drawn = item.locator("span.text-muted").first.evaluate(DRAWN)

    assert drawn["sameLine"] and drawn["first"] < drawn["last"], drawn
    assert item.locator("bdi", has_text="Pilotage").count() == 1


def test_skill_bar_labels_are_isolated_and_whole(open_page, odd_world):
    (person, pages), *_ = odd_world
    page = open_page(person, phone=True)
    page.goto(pages["result"])

    names = page.locator(".skill-bar-name")
    assert names.count() > 0
    for name in names.all():
        assert name.locator("bdi").count() == 1  # isolated for direction
        assert name.evaluate("n => n.scrollWidth <= n.clientWidth + 1"), "a label is cut"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_person_can_log_in_with_the_long_username(open_page, odd_world):
    """The navigation names the person; a 150-letter username keeps the bar on screen."""
    (person, pages), *_ = odd_world
    page = open_page()
    page.goto("/accounts/login/")
    page.get_by_label("Nom d’utilisateur").fill(LONG_USER)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.locator("nav.navbar bdi", has_text=LONG_USER[:20])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
