"""A result's plan in its files: the JSON `plan` key (the contract's keys unchanged), the
workbook's Plan sheet, the PDF report; only for those who may read the plan."""

import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from assessments.services import assessment_start
from plans import services
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory
from tests.pdf_text import pdf_text
from tests.plans.test_plan import first_gap

pytestmark = pytest.mark.django_db
CONTRACT_KEYS = {"assessment", "submitted_at", "scale", "roles"}


@pytest.fixture
def result(individual, catalogue):
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    gap = first_gap(result)
    item, _ = services.plan_item_add(
        owner=individual, result=result, skill_code=gap.code, target_level=gap.target,
        title="Lead a risk review", url="https://example.org/risk", due_date=dt.date(2027, 3, 1),
    )  # fmt: skip
    services.plan_item_update(
        owner=individual, item_id=item.pk, revision=1, status="done",
        due_date=dt.date(2027, 3, 1), notes="With the PMO", evidence="Minutes of 12 May",
    )  # fmt: skip
    return result


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_json_gains_a_plan_key_and_keeps_the_contract(individual, result):
    document = json.loads(
        as_user(individual).get(reverse("assessments:result_json", args=[result.pk])).content
    )
    assert set(document) >= CONTRACT_KEYS and set(document) - CONTRACT_KEYS >= {"plan"}
    (item,) = document["plan"]
    assert item == {
        "skill": first_gap(result).code,
        "action": "Lead a risk review",
        "url": "https://example.org/risk",
        "from_catalogue": False,
        "level_then": first_gap(result).level,
        "target": first_gap(result).target,
        "status": "done",
        "due_date": "2027-03-01",
        "done_at": item["done_at"],
        "agreed": False,
        "notes": "With the PMO",
        "evidence": "Minutes of 12 May",
    }
    assert item["done_at"].startswith(str(dt.date.today().year))


def test_the_workbook_has_a_plan_sheet(individual, result):
    response = as_user(individual).get(reverse("assessments:result_xlsx", args=[result.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Plan"]
    rows = list(sheet.values)
    assert rows[0][:3] == ("Compétence", "Action", "Lien")
    assert rows[1][1:3] == ("Lead a risk review", "https://example.org/risk")
    assert rows[1][5] == "Fait" and rows[1][6].date() == dt.date(2027, 3, 1)


def test_the_report_prints_the_plan(individual, result):
    text = " ".join(
        pdf_text(
            as_user(individual).get(reverse("assessments:result_pdf", args=[result.pk]))
        ).split()
    )
    assert "Plan de développement" in text and "Lead a risk review" in text
    assert "Minutes of 12 May" in text


def test_a_manager_gets_the_plan_in_the_files_only_once_it_is_shared(individual, catalogue):
    manager = UserFactory(username="manon")
    team = team_create(name="Delivery", manager=manager)
    membership = TeamMembership.objects.create(team=team, user=individual, kind="member")
    cycle = cycle_open(team=team, name="2026", due_date=dt.date(2027, 1, 31))
    result = submitted(cycle_assessment_start(cycle=cycle, membership=membership, roles=catalogue))
    gap = first_gap(result)
    services.plan_item_add(
        owner=individual, result=result, skill_code=gap.code, target_level=gap.target,
        title="Private until shared",
    )  # fmt: skip
    url = reverse("assessments:result_json", args=[result.pk])
    assert json.loads(as_user(manager).get(url).content)["plan"] == []
    services.plan_share(owner=individual, team_id=team.pk)
    assert [i["action"] for i in json.loads(as_user(manager).get(url).content)["plan"]] == [
        "Private until shared"
    ]
    xlsx = as_user(manager).get(reverse("assessments:result_xlsx", args=[result.pk]))
    assert "Plan" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    # Once the member leaves, the manager reads neither the result nor the plan.
    membership.delete()
    assert as_user(manager).get(url).status_code == 404
