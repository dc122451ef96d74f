"""A catalogue editor changes a weight in the admin: new assessments use it, results
already given do not change."""

import re
from itertools import count

import pytest
from playwright.sync_api import expect

from assessments.services import assessment_start
from careers.models import RoleRequirement
from tests.assessments.helpers import submitted
from tests.browser.helpers import answer_step

pytestmark = pytest.mark.browser


def test_weight_changed_in_the_admin_counts_for_new_results_only(
    open_page, small_catalogue, editors_group, make_user, shoot
):
    role, _other = small_catalogue
    first = (
        RoleRequirement.objects.filter(role=role)
        .order_by("skill__category__order", "skill__order")
        .select_related("skill")
        .first()
    )
    assert first.weight == 1
    person = make_user("paul")
    old = submitted(assessment_start(owner=person, roles=[role]))
    reader = open_page(person)
    old_json = reader.request.get(f"/assessments/{old.pk}/result.json").json()
    old_skill = next(s for s in old_json["roles"][0]["skills"] if s["code"] == first.skill.code)
    assert old_skill["weight"] == 1

    # The editor logs in to the admin and changes the weight on the role's page.
    editor = make_user("edith", is_staff=True)
    editor.groups.add(editors_group)
    page = open_page()
    page.goto("/admin/")
    page.fill("#id_username", "edith")
    page.fill("#id_password", "correct-horse-battery")
    page.locator("input[type=submit]").click()
    page.locator("#content-main").get_by_role("link", name="Rôles", exact=True).click()
    page.get_by_role("link", name=role.name_fr, exact=True).click()
    expect(page.locator("#content h2").first).to_have_text(role.name_fr)
    row = page.locator("tr.form-row", has=page.locator("select[name$='-skill']")).first
    expect(row.locator("select[name$='-skill'] option:checked")).to_contain_text(
        first.skill.name_fr
    )
    expect(row.locator("input[name$='-weight']")).to_have_value("1")
    row.locator("input[name$='-weight']").fill("5")
    shoot(page, "admin-role")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_contain_text(role.name_fr)
    first.refresh_from_db()
    assert first.weight == 5

    # A new assessment, taken in the browser, uses the new weight.
    reader.goto("/assessments/new/")
    reader.locator("label.role-choice", has_text=role.code).click()
    reader.get_by_role("button", name="Commencer le questionnaire").click()
    levels = count(2)
    answer_step(reader, levels)
    reader.get_by_role("button", name=re.compile("^Suivant")).click()
    answer_step(reader, levels)
    reader.locator(".step-actions").get_by_role("button", name=re.compile("Vérifier")).click()
    reader.get_by_role("button", name="Soumettre mon évaluation").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Votre analyse des écarts")
    new_json = reader.request.get(reader.url.rstrip("/") + "/result.json").json()
    new_skill = next(s for s in new_json["roles"][0]["skills"] if s["code"] == first.skill.code)
    assert new_skill["weight"] == 5

    # The old result, its page and its export, are as they were.
    assert reader.request.get(f"/assessments/{old.pk}/result.json").json() == old_json
    reader.goto(f"/assessments/{old.pk}/")
    weight_cell = reader.locator(f"#table-{role.code} tbody tr", has_text=first.skill.name_fr)
    expect(weight_cell.locator("td").first).to_have_text("1")
