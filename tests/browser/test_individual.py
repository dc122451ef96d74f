"""An individual's journey with the mouse, on the real catalogue, in French."""

import json
import re
from itertools import count

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import answer_step, sign_up

pytestmark = pytest.mark.browser

PASSWORD = "Trombone-vert-2026"
CHOSEN = ("PMO", "PMO-ANALYST")


def role_card(page, code):
    badge = page.locator(".badge", has_text=re.compile(rf"^{re.escape(code)}$"))
    return page.locator("label.role-choice").filter(has=badge)


def test_sign_up_answer_leave_resume_submit_read_print_export(open_page, real_catalogue, shoot):
    page = open_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name="Créer un compte gratuit").click()

    # Sign up.
    expect(page.get_by_role("heading", level=1)).to_have_text("Créez votre compte")
    expect(page.locator("[name=signup]")).to_have_value("Créer mon compte")
    sign_up(page, "camille", PASSWORD)

    # Choose two roles by clicking their cards.
    expect(page).to_have_url(re.compile(r"/assessments/new/$"))
    for code in CHOSEN:
        role_card(page, code).click()
        expect(role_card(page, code).locator("input")).to_be_checked()
    page.get_by_role("button", name="Commencer le questionnaire").click()

    # Answer the first two steps and half of the third, then log out mid-way.
    levels = count(1)
    answered: dict[str, int] = {}
    expect(page.get_by_role("heading", level=1)).to_contain_text("Étape 1 sur 5")
    for number in (1, 2):
        answer_step(page, levels, answered)
        page.get_by_role("button", name=re.compile("^Suivant")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Étape {number + 1} sur 5")
    answer_step(page, levels, answered, limit=2)
    shoot(page, "journey-step")
    # the name sits in a cut-short <bdi>: the accessible name may space it out
    page.get_by_role("button", name=re.compile(r"^Se déconnecter \(\s*camille\s*\)$")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()

    # Log in again and resume where the answers stop.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Se connecter"
    ).click()
    page.fill("#id_username", "camille")
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes évaluations")
    draft = page.locator("#drafts-title + .card")
    expect(draft).to_contain_text("PMO (Project Management Officer) · Analyste PMO")
    expect(draft).to_contain_text(f"{len(answered)} sur 28")
    draft.get_by_role("link", name="Reprendre").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Étape 3 sur 5")
    questions = page.locator("fieldset.question")
    for index in range(2):
        code = questions.nth(index).get_attribute("id").removeprefix("skill-")
        expect(questions.nth(index).locator("input:checked")).to_have_value(str(answered[code]))
    expect(questions.nth(2).locator("input:checked")).to_have_count(0)

    # Answer the rest, step by step, and submit.
    answer_step(page, levels, answered, start=2)
    expect(questions.last.locator(".save-status")).to_have_text("✓ Enregistré")
    for number in (4, 5):
        page.get_by_role("button", name=re.compile("^Suivant")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Étape {number} sur 5")
        answer_step(page, levels, answered)
    expect(page.locator("#progress")).to_contain_text("28 sur 28")
    page.locator(".step-actions").get_by_role("button", name=re.compile("Vérifier")).click()
    expect(page.locator("#missing")).to_have_count(0)
    page.get_by_role("button", name="Soumettre mon évaluation").click()

    # The result: both roles ranked; one open at a time through the picker, its bars of
    # level against target drawn by the server, the figures in the table.
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre analyse des écarts")
    assert len(answered) == 28
    result_url = page.url
    for code in CHOSEN:
        page.goto(f"{result_url}?role={code}")
        section = page.locator(f"#role-{code}")
        expect(page.locator("section.role-result")).to_have_count(1)
        expect(section.locator(".skill-bars .skill-bar").first).to_be_visible()
        table_id = f"table-{code}"
        expect(page.locator(f"table#{table_id}")).to_have_count(1)
        expect(section.locator(f"a[href='#{table_id}']")).to_be_visible()
        assert section.locator(".skill-bar").count() == section.locator("tbody tr").count()
    page.goto(f"{result_url}?role=PMO")
    shoot(page, "journey-result")

    # The print view: no navigation, no buttons, the results remain.
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    expect(page.locator("#role-PMO")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.locator("nav.navbar")).to_be_visible()

    # The JSON export, opened from its link: the contract's keys and the levels given.
    with page.expect_response(re.compile(r"/result\.json$")) as response_info:
        page.get_by_role("link", name="JSON", exact=True).click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    document = json.loads(response.text())
    assert set(document) == {
        "assessment", "submitted_at", "scale", "mode", "provisional", "roles", "plan"
    }  # fmt: skip
    assert document["scale"] == {"min": 0, "max": 4}
    assert {role["code"] for role in document["roles"]} == set(CHOSEN)
    for role in document["roles"]:
        assert set(role) == {"code", "name", "fit", "skills"}
        assert 0 <= role["fit"] <= 100
        for skill in role["skills"]:
            assert set(skill) == {"code", "name", "weight", "target", "level", "gap", "priority"}
            assert skill["level"] == answered[skill["code"]]
            assert skill["gap"] == max(0, skill["target"] - skill["level"])
            assert skill["priority"] == skill["weight"] * skill["gap"]


# --- a quick result in the history: marked as provisional ----------------------------------

PROVISIONAL = {
    "fr": ("Provisoire", "Points creux et traits pointillés", "Votre dernier résultat complet"),
    "en": ("Provisional", "Hollow points and dashed lines", "Your latest full result"),
}


@pytest.fixture
def full_and_quick(small_catalogue, make_user):
    """Claude's full result of ten days ago, then a newer quick one."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Assessment
    from assessments.services import assessment_start
    from careers.models import RoleRequirement
    from tests.assessments.helpers import submitted

    for role in small_catalogue:
        for req in RoleRequirement.objects.filter(role=role).order_by("skill__order")[:3]:
            req.is_core = True
            req.save()
    user = make_user("claude")
    full = submitted(assessment_start(owner=user, roles=small_catalogue))
    quick = submitted(assessment_start(owner=user, roles=small_catalogue, quick=True), lambda i: 4)
    for assessment, days in ((full, 10), (quick, 1)):
        Assessment.objects.filter(pk=assessment.pk).update(
            submitted_at=timezone.now() - timedelta(days=days)
        )
    return user


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("phone", [False, True], ids=["1280", "375"])
def test_the_history_marks_a_quick_result_as_provisional(
    open_page, full_and_quick, shoot, language, phone
):
    page = open_page(full_and_quick, phone=phone, language=language)
    page.goto("/assessments/")
    badge, key, latest = PROVISIONAL[language]

    expect(page.locator(".latest-result")).to_contain_text(latest)
    badges = page.locator("#history-table .badge-provisional")
    expect(badges).to_have_count(1)
    expect(badges.first).to_contain_text(badge)
    expect(page.locator("table.align-middle .badge-provisional")).to_have_count(1)
    expect(page.locator(".provisional-key")).to_contain_text(key)
    expect(page.locator("#provisional-help")).to_be_visible()
    canvas = page.locator("canvas[data-history]")
    expect(canvas).to_be_visible()
    page.wait_for_function("Object.keys(window.Chart.instances).length === 1")
    # The chart knows which point is the quick one: hollow (white inside).
    fills = page.evaluate(
        "() => { const c = Object.values(window.Chart.instances)[0];"
        " return c.getDatasetMeta(0).data.map(p => p.options.backgroundColor); }"
    )
    assert fills[-1] == "#fff" and fills[0] != "#fff", fills
    width = 375 if phone else 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"history-provisional-{language}")
    if not phone:  # the chart and its key, below the fold at 1280 px
        page.locator("#history-title").evaluate(
            "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 16)"
        )
        shoot(page, f"history-provisional-chart-{language}")
