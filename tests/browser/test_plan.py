"""The development plan in Chromium, with the real catalogue: three gaps turned into plan
items from the path, one marked done with its evidence; learning resources as links;
behavioural indicators in the questionnaire. Both languages, desktop and phone, axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import run_axe

pytestmark = pytest.mark.browser


@pytest.fixture
def result(real_catalogue, make_user):
    from assessments.services import assessment_start
    from careers.models import Role
    from tests.assessments.helpers import submitted

    pattern = [2, 1, 1, 2, 0, 3, 2, 1, 3]
    return submitted(
        assessment_start(
            owner=make_user("claire"), roles=Role.objects.filter(code__in=["TPM", "PMO", "CPT"])
        ),
        level_for=lambda i: pattern[i % len(pattern)],
    )


def test_three_gaps_become_a_plan_and_one_is_done(open_page, result, shoot):
    page = open_page(result.owner)
    page.goto(f"/assessments/{result.pk}/path/TPM/")
    for _ in range(3):
        page.locator("form.plan-add button").first.click()
        expect(page.locator(".alert-success")).to_contain_text("Ajouté à votre plan")
    expect(page.locator(".plan-added")).to_have_count(3)
    shoot(page, "path-with-plan")

    page.get_by_role("link", name="Mon plan").click()
    expect(page.locator(".plan-item")).to_have_count(3)
    item = page.locator(".plan-item").first
    item.locator(".plan-follow-up summary").click()
    item.get_by_label("Statut").select_option("done")
    item.get_by_label("Preuve de réalisation").fill("Certificat obtenu le 2 décembre")
    item.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".alert-success")).to_contain_text("Élément du plan enregistré")
    expect(page.locator(".plan-summary")).to_contain_text("1 sur 3 éléments")
    expect(page.locator("#done-title")).to_be_visible()
    shoot(page, "plan")

    from plans.models import PlanItem

    assert PlanItem.objects.filter(status="done", evidence__startswith="Certificat").count() == 1


def test_the_plan_reads_well_on_a_phone_in_english_and_passes_axe(
    open_page, result, shoot, make_user
):
    import scoring
    from assessments.planning import path_to
    from plans import services

    snapshot = result.read_snapshot()
    for gap in path_to(snapshot, "TPM").steps[:3]:
        steps = scoring.next_steps(snapshot["skills"][gap.code], gap.level, gap.target)
        services.plan_item_add(
            owner=result.owner, result=result, skill_code=gap.code,
            target_level=gap.target, step=steps[0],
        )  # fmt: skip
    failures = []
    for phone, language in ((True, "en"), (False, "fr")):
        page = open_page(result.owner, phone=phone, axe=True, language=language)
        page.goto("/plan/")
        expect(page.locator(".plan-item")).to_have_count(3)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"the plan scrolls sideways ({width} px)"
        shoot(page, f"plan-{language}")
        failures += [f"plan {language}: {v['id']}" for v in run_axe(page, f"plan-{language}")]
    assert failures == []


def test_resources_are_links_and_indicators_are_in_the_questionnaire(
    open_page, real_catalogue, make_user, shoot
):
    from assessments.services import assessment_start
    from careers.models import Role
    from tests.assessments.helpers import submitted

    tpm = Role.objects.get(code="TPM")
    beginner = submitted(assessment_start(owner=make_user("leo"), roles=[tpm]), lambda i: 0)
    page = open_page(beginner.owner)
    page.goto(f"/assessments/{beginner.pk}/path/TPM/")
    # At level 0 the next steps are those of level 1: the Scrum Guide is among them.
    link = page.locator(".next-step a[href='https://scrumguides.org/']")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link.locator("xpath=..")).to_contain_text("Scrum Guides · environ 1 heure · Gratuit")

    draft = assessment_start(owner=beginner.owner, roles=[tpm])
    page.goto(f"/assessments/{draft.pk}/step/1/")
    expect(page.locator(".level-indicator").first).to_be_visible()
    expect(page.locator(".level-indicator").first).to_contain_text("Retrouve dans le planning")
    shoot(page, "step-indicators")


def test_the_retake_closes_the_loop_and_a_manager_reads_the_shared_plan(
    open_page, result, make_user, shoot
):
    """Done means: three gaps planned, one done, the retake shows the loop; the plan
    shared in a team, its manager reads it, comments and agrees."""
    import scoring
    from assessments.models import Answer
    from assessments.planning import path_to
    from assessments.services import assessment_retake, assessment_submit
    from careers.models import Skill
    from plans import services
    from plans.models import PlanItem
    from teams.models import TeamMembership
    from teams.services import team_create

    owner = result.owner
    snapshot = result.read_snapshot()
    gaps = path_to(snapshot, "TPM").steps[:3]
    for gap in gaps:
        steps = scoring.next_steps(snapshot["skills"][gap.code], gap.level, gap.target)
        services.plan_item_add(
            owner=owner, result=result, skill_code=gap.code, target_level=gap.target,
            step=steps[0],
        )  # fmt: skip
    done = PlanItem.objects.get(skill_code=gaps[0].code)
    services.plan_item_update(
        owner=owner, item_id=done.pk, revision=1, status="done", due_date=None,
        notes="", evidence="Certificate",
    )  # fmt: skip
    # The retake: the first gap's skill reaches its target, the others stay where they were.
    levels = dict(scoring.saved_levels(snapshot)) | {gaps[0].code: gaps[0].target}
    draft = assessment_retake(assessment=result)
    pks = dict(Skill.objects.filter(code__in=levels).values_list("code", "pk"))
    Answer.objects.bulk_create(
        Answer(assessment=draft, skill_id=pks[code], level=level) for code, level in levels.items()
    )
    retake = assessment_submit(assessment=draft)

    page = open_page(owner)
    page.goto(f"/assessments/{retake.pk}/")
    loop = page.locator(".plan-loop")
    expect(loop).to_contain_text("Votre plan depuis votre résultat précédent")
    expect(loop.locator("tbody tr")).to_have_count(3)
    expect(loop.locator(".plan-loop-reached")).to_have_count(1)
    shoot(page, "result-plan-loop")

    manager = make_user("manon")
    team = team_create(name="Équipe Delivery", manager=manager)
    TeamMembership.objects.create(team=team, user=owner, kind="member")
    page.goto("/plan/")
    page.get_by_role("button", name="Partager avec les managers de cette équipe").click()
    expect(page.locator(".plan-sharing")).to_contain_text("partagé")

    boss = open_page(manager, language="en")
    boss.goto(f"/teams/{team.pk}/")
    boss.locator(".team-plans a").first.click()
    expect(boss.locator(".plan-item")).to_have_count(3)
    first = boss.locator(".plan-item").first
    first.locator(".plan-comment-form summary").click()
    first.get_by_label("Comment").fill("Good plan: let us review it in March.")
    first.get_by_role("button", name="Add the comment").click()
    expect(boss.locator(".plan-comments").first).to_contain_text("review it in March")
    boss.locator(".plan-item").first.get_by_role("button", name="Mark agreed").click()
    expect(boss.locator(".plan-agreed").first).to_be_visible()
    shoot(boss, "shared-plan-en")
    assert PlanItem.objects.filter(agreed_by=manager).count() == 1


def test_an_editor_imports_a_framework_and_people_see_its_links_and_indicators(
    open_page, real_catalogue, editors_group, make_user, shoot, tmp_path
):
    """A 160-skill framework with resources and indicators, imported through the admin
    beside the shipped catalogue (under a prefix), then answered and read."""
    import json

    from django.urls import reverse

    from assessments.services import assessment_start
    from careers.models import Role, Skill
    from tests.assessments.helpers import submitted
    from tests.careers.framework import framework_document

    path = tmp_path / "framework.json"
    path.write_text(json.dumps(framework_document(skills=160)), encoding="utf-8")
    editor = make_user("edith", is_staff=True)
    editor.groups.add(editors_group)
    admin = open_page(editor)
    admin.goto(reverse("admin:careers_catalogue_import"))
    admin.locator("input[type=file]").set_input_files(str(path))
    admin.get_by_label("Préfixe des codes du fichier").fill("acme")
    admin.get_by_role("button", name="Prévisualiser l’import").click()
    expect(admin.locator("body")).to_contain_text("acme-fw-skill-0")
    shoot(admin, "import-preview")
    admin.locator("input[name=confirm]").click()
    expect(admin.locator(".messagelist")).to_be_visible()
    assert Skill.objects.filter(code__startswith="acme-fw-").count() == 160

    role = Role.objects.get(code="acme-FW-ROLE-0")
    person = make_user("paula")
    draft = assessment_start(owner=person, roles=[role])
    page = open_page(person, language="en")
    page.goto(f"/assessments/{draft.pk}/step/1/")
    expect(page.locator(".level-indicator").first).to_contain_text("Observed")
    shoot(page, "framework-step-en")
    result = submitted(assessment_start(owner=person, roles=[role]), lambda i: 0)
    page.goto(f"/assessments/{result.pk}/")
    link = page.locator(".next-step a[target=_blank]").first
    expect(link).to_have_attribute("href", re.compile(r"^https://learning\.example\.org/"))
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    shoot(page, "framework-result-en")
