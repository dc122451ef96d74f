"""A quick (core skills only) result is provisional: every page and file that shows it
says so, and it is never taken as the person's latest full result."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import Assessment
from assessments.results import latest_results
from assessments.services import assessment_start
from careers.models import RoleRequirement
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, membership_remove, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

QUICK_FR, FULL_FR = "Provisoire (évaluation rapide)", "Évaluation complète"


@pytest.fixture
def core_catalogue(catalogue):
    """The first three skills of each role are core: what a quick assessment asks."""
    for role in catalogue:
        for req in RoleRequirement.objects.filter(role=role).order_by("skill__order")[:3]:
            req.is_core = True
            req.save()
    return catalogue


def at(assessment: Assessment, days_ago: int) -> Assessment:
    """The result as if submitted `days_ago` days ago (the history is in date order)."""
    when = timezone.now() - timedelta(days=days_ago)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=when)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def full(individual, core_catalogue):
    return at(submitted(assessment_start(owner=individual, roles=core_catalogue)), 10)


@pytest.fixture
def quick(individual, core_catalogue, full):
    """Newer than the full result."""
    result = assessment_start(owner=individual, roles=core_catalogue, quick=True)
    return at(submitted(result, lambda i: 4), 1)


def get(client, user, name, assessment, **query):
    client.force_login(user)
    return client.get(reverse(name, args=[assessment.pk]), query)


# --- every export carries the mark --------------------------------------------------------


def test_the_json_says_quick_and_provisional_or_full(client, individual, full, quick):
    quick_doc = get(client, individual, "assessments:result_json", quick).json()
    full_doc = get(client, individual, "assessments:result_json", full).json()

    assert (quick_doc["mode"], quick_doc["provisional"]) == ("quick", True)
    assert (full_doc["mode"], full_doc["provisional"]) == ("full", False)
    contract = ["assessment", "submitted_at", "scale", "mode", "provisional", "roles", "plan"]
    assert list(full_doc) == contract


def test_the_gap_csv_has_a_mode_column(client, individual, full, quick):
    def rows(result):
        response = get(client, individual, "assessments:result_csv", result)
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    quick_rows, full_rows = rows(quick), rows(full)

    assert quick_rows[0][-1] == "mode" and quick_rows[0][:2] == ["rôle", "adéquation"]
    assert {row[-1] for row in quick_rows[1:]} == {"quick"}
    assert {row[-1] for row in full_rows[1:]} == {"full"}


def book_of(client, user, result):
    response = get(client, user, "assessments:result_xlsx", result)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_the_xlsx_gap_table_and_title_carry_the_mark(client, individual, full, quick):
    quick_book, full_book = book_of(client, individual, quick), book_of(client, individual, full)

    for book, mark in ((quick_book, QUICK_FR), (full_book, FULL_FR)):
        rows = list(book["Tableau des écarts"].iter_rows(values_only=True))
        assert rows[0][-1] == "Résultat"
        assert {row[-1] for row in rows[1:]} == {mark}
    assert QUICK_FR in quick_book.properties.title
    assert FULL_FR not in full_book.properties.title


def test_the_xlsx_history_marks_each_quick_result(client, individual, full, quick):
    rows = list(book_of(client, individual, full)["Historique"].iter_rows(values_only=True))

    assert rows[0][-1] == "Résultat"
    assert [row[-1] for row in rows[1:]] == [FULL_FR, QUICK_FR], "oldest first"


def test_the_pdf_says_provisional_or_full(client, individual, full, quick):
    quick_text = pdf_text(get(client, individual, "assessments:result_pdf", quick))
    full_text = pdf_text(get(client, individual, "assessments:result_pdf", full))

    assert QUICK_FR in quick_text and "Passez l’évaluation complète" in quick_text
    assert FULL_FR in full_text and "Provisoire" not in full_text


def test_the_pdf_in_english(client, individual, quick):
    client.cookies["django_language"] = "en"

    text = pdf_text(get(client, individual, "assessments:result_pdf", quick))

    assert "Provisional (quick assessment)" in text


def test_the_result_page_says_provisional_with_the_next_step(client, individual, quick):
    page = get(client, individual, "assessments:detail", quick)

    assert "Résultat provisoire" in page.text
    assert reverse("assessments:continue", args=[quick.pk]) in page.text


# --- the history page ---------------------------------------------------------------------


def test_the_history_marks_the_quick_result_in_the_table_and_the_chart(
    client, individual, full, quick
):
    client.force_login(individual)
    page = client.get(reverse("assessments:list"))

    assert page.text.count('class="badge badge-provisional"') == 3, "note, results, history"
    assert "Provisoire" in page.text
    assert "ne couvre que les compétences clés" in page.text, "the badge is explained"
    chart = page.context["history_chart"]
    assert chart["provisional"] == [False, True]
    assert chart["labels"][1].endswith("(provisoire)") and "provisoire" not in chart["labels"][0]
    assert "Points creux et traits pointillés" in page.text, "the chart's key"


def test_the_history_in_english(client, individual, full, quick):
    client.cookies["django_language"] = "en"
    client.force_login(individual)

    page = client.get(reverse("assessments:list"))

    assert ">Provisional<" in page.text
    assert "Hollow points and dashed lines" in page.text
    assert "Your latest full result" in page.text


def test_the_history_names_the_latest_full_result_not_the_newer_quick_one(
    client, individual, full, quick
):
    client.force_login(individual)

    page = client.get(reverse("assessments:list"))

    latest = page.context["latest"]
    assert latest.full == full and latest.newer_quick == [quick]
    assert "Votre dernier résultat complet" in page.text
    assert "Un résultat rapide plus récent" in page.text
    assert reverse("assessments:continue", args=[quick.pk]) in page.text


def test_only_full_results_show_no_provisional_text(client, individual, full):
    client.force_login(individual)

    page = client.get(reverse("assessments:list"))

    assert "badge-provisional" not in page.text
    assert "provisoire" not in page.text.lower()
    assert page.context["latest"].full == full


def test_the_history_costs_no_query_more_with_quick_results(client, individual, full, quick):
    client.force_login(individual)
    client.get(reverse("assessments:list"))
    with CaptureQueriesContext(connection) as with_quick:
        client.get(reverse("assessments:list"))
    Assessment.objects.filter(pk=quick.pk).update(mode=Assessment.Mode.FULL)
    with CaptureQueriesContext(connection) as all_full:
        client.get(reverse("assessments:list"))

    assert len(with_quick) == len(all_full)


# --- which result is the latest full one ----------------------------------------------


def test_latest_full_skips_newer_quick_results(individual, full, quick, core_catalogue):
    older_quick = at(
        submitted(assessment_start(owner=individual, roles=core_catalogue, quick=True)), 20
    )

    latest = latest_results([older_quick, quick, full])

    assert latest.full == full
    assert latest.newer_quick == [quick] and latest.newest_quick == quick


def test_with_only_quick_results_there_is_no_latest_full(individual, core_catalogue):
    first = at(submitted(assessment_start(owner=individual, roles=core_catalogue, quick=True)), 3)
    second = at(submitted(assessment_start(owner=individual, roles=core_catalogue, quick=True)), 1)

    latest = latest_results([first, second])

    assert latest.full is None and latest.newer_quick == [second, first]


def test_a_full_result_newer_than_the_quick_one_is_the_latest(individual, quick, core_catalogue):
    newest = at(submitted(assessment_start(owner=individual, roles=core_catalogue)), 0)

    latest = latest_results([quick, newest])

    assert latest.full == newest and latest.newer_quick == []


def test_no_result_no_latest():
    assert latest_results([]) == latest_results([])
    assert latest_results([]).full is None and latest_results([]).newest_quick is None


# --- who may read the files of a quick result -----------------------------------------

EXPORTS = [
    "assessments:result_json",
    "assessments:result_csv",
    "assessments:result_xlsx",
    "assessments:result_pdf",
]


@pytest.fixture
def team_quick(core_catalogue, individual):
    """Alice's quick result for a cycle of a team that Olivia manages."""
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    membership = TeamMembership.objects.create(
        team=team, user=individual, target_role=core_catalogue[0]
    )
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    draft = cycle_assessment_start(cycle=cycle, membership=membership)
    Assessment.objects.filter(pk=draft.pk).update(mode=Assessment.Mode.QUICK)
    draft.refresh_from_db()
    return {"result": submitted(draft), "manager": manager, "team": team}


@pytest.mark.parametrize("name", EXPORTS)
def test_the_owner_and_the_manager_read_a_quick_results_files_and_nobody_else(
    client, individual, outsider, team_quick, name
):
    result, manager = team_quick["result"], team_quick["manager"]
    member = UserFactory(username="bob")
    TeamMembership.objects.create(team=team_quick["team"], user=member)

    assert result.is_quick
    assert get(client, individual, name, result).status_code == 200
    assert get(client, manager, name, result).status_code == 200
    assert get(client, outsider, name, result).status_code == 404
    assert get(client, member, name, result).status_code == 404, "a fellow member"


@pytest.mark.parametrize("name", EXPORTS)
def test_a_manager_removed_from_the_team_reads_none_of_them(client, individual, team_quick, name):
    result, manager, team = team_quick["result"], team_quick["manager"], team_quick["team"]
    second = UserFactory(username="paul")
    TeamMembership.objects.create(team=team, user=second, kind=TeamMembership.Kind.MANAGER)
    membership_remove(membership=team.memberships.get(user=manager))

    assert get(client, manager, name, result).status_code == 404


def test_the_managers_json_of_a_quick_cycle_result_says_so(client, team_quick):
    document = json.loads(
        get(client, team_quick["manager"], "assessments:result_json", team_quick["result"]).content
    )

    assert document["provisional"] is True
