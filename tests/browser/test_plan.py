"""The development plan in Chromium, with the real catalogue: three gaps turned into plan
items from the path, one marked done with its evidence; learning resources as links;
behavioural indicators in the questionnaire. Both languages, desktop and phone, axe-core."""

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
    item.locator("summary").click()
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
