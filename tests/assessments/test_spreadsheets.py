"""Spreadsheet exports (XLSX): a person's result and a team cycle's matrix.

Every file is read back with openpyxl and checked against the result document, the
scored result and the CSV, with the figures of the small catalogue worked out by hand
(tests/conftest.py: build_catalogue; levels 0, 1, 2, 3, 4, 0 in catalogue order):

    AAA  weights 1 2 3 4 5 1, targets 1 2 3 4 1 2 -> fit 100 * 25 / 37 = 67.6
    BBB  skills 1, 3, 5: weights 5 3 1, targets 4 2 4 -> fit 100 * 10 / 30 = 33.3
"""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.results import build_result, result_document
from assessments.services import assessment_start
from assessments.spreadsheets import XLSX_CONTENT_TYPE
from careers.models import Role, Skill
from teams.dashboard import MIN_GROUP
from teams.exports import MATRIX_COLUMNS
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, ratings_save, team_create
from teams.spreadsheets import HEAT
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RED, ORANGE, LIGHT_GREEN, GREEN, GREY = (
    f"FF{HEAT[key][0]}" for key in ("m2", "m1", "0", "p1", "na")
)


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content))


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def login(client, user):
    client.force_login(user)
    return client


def result_url(assessment):
    return reverse("assessments:result_xlsx", args=[assessment.pk])


# --- a person's result -------------------------------------------------------------------


@pytest.fixture
def result(individual, catalogue):
    return submitted(assessment_start(owner=individual, roles=catalogue))


def test_the_result_file_has_four_sheets_in_the_request_language(client, individual, result):
    response = login(client, individual).get(result_url(result))

    book = workbook(response)
    assert book.sheetnames == [
        "Tableau des écarts",
        "Points forts",
        "Prochaines étapes",
        "Historique",
    ]
    assert response["Content-Disposition"] == f'attachment; filename="result-{result.pk}.xlsx"'

    client.cookies["django_language"] = "en"
    english = workbook(client.get(result_url(result)))
    assert english.sheetnames == ["Gap table", "Strengths", "Next steps", "History"]
    assert values(english["Gap table"])[0] == [
        "Role",
        "Role code",
        "Fit (%)",
        "Skill",
        "Category",
        "Weight",
        "Target",
        "Level",
        "Gap",
        "Priority",
        "Result",
    ]


def test_the_gap_table_matches_the_result_document(client, individual, result):
    sheet = workbook(login(client, individual).get(result_url(result)))["Tableau des écarts"]
    rows = values(sheet)[1:]

    document = result_document(result)
    expected = [
        [role["name"], role["code"], role["fit"], skill["name"]]
        + [skill[k] for k in ("weight", "target", "level", "gap", "priority")]
        + ["Évaluation complète"]  # the result's mode: a full one
        for role in document["roles"]
        for skill in role["skills"]
    ]
    assert [row[:4] + row[5:] for row in rows] == expected
    # By hand: AAA first (67.6), its gaps by priority then weight, the strength last.
    assert [(row[1], row[2]) for row in rows] == [("AAA", 67.6)] * 6 + [("BBB", 33.3)] * 3
    assert [tuple(row[5:10]) for row in rows[:6]] == [
        (4, 4, 3, 1, 4),
        (3, 3, 2, 1, 3),
        (2, 2, 1, 1, 2),
        (1, 2, 0, 2, 2),
        (1, 1, 0, 1, 1),
        (5, 1, 4, 0, 0),
    ]
    assert tuple(rows[6][5:10]) == (5, 4, 0, 4, 20), "BBB's first skill: gap 4 at weight 5"
    assert rows[0][4].startswith("Catégorie")


def test_numbers_are_numbers_and_the_header_stands_out(client, individual, result):
    sheet = workbook(login(client, individual).get(result_url(result)))["Tableau des écarts"]

    fit = sheet["C2"]
    assert isinstance(fit.value, float) and fit.number_format == "0.0"
    assert all(isinstance(sheet.cell(2, column).value, int) for column in range(6, 11))
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["F"].width


def test_strengths_and_next_steps_match_the_result(client, individual, result):
    book = workbook(login(client, individual).get(result_url(result)))

    roles = build_result(result)
    strengths = values(book["Points forts"])
    assert strengths[1:] == [
        [role.name, role.code, row.name, row.category, row.weight, row.target, row.level]
        for role in roles
        for row in role.strengths
    ]
    assert [(row[1], row[4:]) for row in strengths[1:]] == [
        ("AAA", [5, 1, 4]),
        ("BBB", [3, 2, 2]),
        ("BBB", [1, 4, 4]),
    ]
    steps = values(book["Prochaines étapes"])
    assert steps[0] == [
        "Rôle",
        "Code du rôle",
        "Compétence",
        "Priorité",
        "Action",
        "Titre",
        "Détail",
        "Lien",
        "Ressource de formation",
    ]
    assert steps[1:] == [
        [role.name, role.code, row.name, row.priority, step["kind_label"], step["title"]]
        + [None, None, None]
        for role in roles
        for row in role.gaps
        for step in row.next_steps
    ]
    # By hand: AAA's top gap is at level 3 of 4, so the level 4 training comes first.
    top = roles[0].gaps[0]
    assert steps[1][4:6] == ["Formation", f"Formation {top.code} niveau 4"]
    assert len(steps) == 1 + 6, "one action per gap: 5 in AAA, 1 in BBB"


def test_the_history_sheet_has_the_fit_per_role_oldest_first(client, individual, catalogue):
    Role.objects.filter(code="BBB").update(name_fr="Responsable BBB")
    first = submitted(assessment_start(owner=individual, roles=catalogue))
    second = submitted(assessment_start(owner=individual, roles=[catalogue[1]]), lambda i: 4)

    sheet = workbook(login(client, individual).get(result_url(first)))["Historique"]

    rows = values(sheet)
    a = catalogue[0].name_fr
    assert rows[0] == [
        "Soumise",
        f"\u2068{a}\u2069 (AAA)",
        "Responsable BBB",
        "Résultat",
    ], "no code twice"
    today = timezone.localdate()
    assert [[row[0].date(), *row[1:]] for row in rows[1:]] == [
        [today, 67.6, 33.3, "Évaluation complète"],
        [today, None, 100.0, "Évaluation complète"],
    ]
    assert sheet["A2"].is_date and sheet["B2"].number_format == "0.0"
    assert sheet["A2"].font.bold and not sheet["A3"].font.bold, "the exported result stands out"
    assert second.pk > first.pk


def test_text_that_looks_like_a_formula_stays_text(client, individual, catalogue):
    Skill.objects.filter(pk=catalogue[0].skills.first().pk).update(name_fr='=HYPERLINK("x")')
    result = submitted(assessment_start(owner=individual, roles=catalogue))

    sheet = workbook(login(client, individual).get(result_url(result)))["Tableau des écarts"]

    cells = [row[3] for row in sheet.iter_rows(min_row=2) if row[3].value.startswith("=")]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_result_file_costs_the_same_for_1_and_6_results(
    client, individual, catalogue, django_assert_max_num_queries
):
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    client = login(client, individual)
    client.get(result_url(result))  # warm up: the session

    with CaptureQueriesContext(connection) as one:
        assert client.get(result_url(result)).status_code == 200
    for _ in range(5):
        submitted(assessment_start(owner=individual, roles=catalogue))
    # Session, user, the result, the person's results (the history costs one query), the
    # plan made from the result.
    with django_assert_max_num_queries(5):
        response = client.get(result_url(result))

    assert len(values(workbook(response)["Historique"])) == 1 + 6
    assert len(one) == 5


def test_only_the_owner_may_download_a_private_result(client, result, outsider):
    assert login(client, outsider).get(result_url(result)).status_code == 404
    client.logout()
    response = client.get(result_url(result))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_draft_has_no_spreadsheet(client, individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)

    assert login(client, individual).get(result_url(draft)).status_code == 404


# --- a team cycle --------------------------------------------------------------------------


@pytest.fixture
def manager(db):
    return UserFactory(username="olivia")


@pytest.fixture
def team(manager, individual, catalogue):
    """Alice (AAA) and Bob (BBB) are members; Carol has not submitted."""
    team = team_create(manager=manager, name="Plateforme")
    TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[0])
    TeamMembership.objects.create(
        team=team, user=UserFactory(username="bob"), target_role=catalogue[1]
    )
    TeamMembership.objects.create(
        team=team, user=UserFactory(username="carol"), target_role=catalogue[0]
    )
    return team


def start(cycle, username):
    membership = TeamMembership.objects.get(team=cycle.team, user__username=username)
    return cycle_assessment_start(cycle=cycle, membership=membership)


def skill_codes(assessment):
    skills = assessment.snapshot["skills"]
    return sorted(skills, key=lambda code: skills[code]["order"])


@pytest.fixture
def cycle(team, manager):
    """Alice rated 4 on her first skill (target 1) and 0 on her second (target 2)."""
    cycle = cycle_open(team=team, name="Revue 2025", due_date=timezone.localdate())
    alice = submitted(start(cycle, "alice"))
    first, second = skill_codes(alice)[:2]
    ids = {code: skill["id"] for code, skill in alice.snapshot["skills"].items()}
    ratings_save(
        assessment=alice, manager=manager, values={ids[first]: (4, ""), ids[second]: (0, "")}
    )
    submitted(start(cycle, "bob"), lambda i: 2)
    start(cycle, "carol")  # a draft: not in any export
    return cycle


def matrix_url(cycle, fmt="xlsx"):
    return reverse("teams:cycle_matrix", args=[cycle.team_id, cycle.pk, fmt])


def csv_rows(client, cycle):
    response = client.get(matrix_url(cycle, "csv"))
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_matrix_file_has_the_rows_of_the_csv(client, manager, cycle):
    client = login(client, manager)

    response = client.get(matrix_url(cycle))

    book = workbook(response)
    assert book.sheetnames == ["Matrice", "Données", "Légende"]
    filename = f"team-{cycle.team_id}-cycle-{cycle.pk}.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    data = values(book["Données"])
    assert len(data[0]) == len(MATRIX_COLUMNS)
    from_csv = [
        [int(row[k]) if row[k].isdigit() else (row[k] or None) for k in MATRIX_COLUMNS]
        for row in csv_rows(client, cycle)
    ]
    assert data[1:] == from_csv
    assert len(from_csv) == 6 + 3, "alice: the 6 skills of AAA, bob: the 3 of BBB"


def test_the_matrix_has_one_row_per_member_and_the_heatmap_colours(client, manager, cycle):
    sheet = workbook(login(client, manager).get(matrix_url(cycle)))["Matrice"]

    rows = values(sheet)
    names = list(
        Skill.objects.order_by("category__order", "order").values_list("name_fr", flat=True)
    )
    assert rows[0] == ["Membre", "Rôle", *names]
    # Levels used: alice 4 (rated), 0 (rated), 2, 3, 4, 0; bob 2 on BBB's three skills.
    assert rows[1] == ["alice", "AAA", 4, 0, 2, 3, 4, 0]
    assert rows[2] == ["bob", "BBB", 2, None, 2, None, 2, None]
    assert len(rows) == 3, "carol has not submitted"
    fills = [[cell.fill.fgColor.rgb for cell in row[2:]] for row in sheet.iter_rows(min_row=2)]
    # Targets: AAA 1 2 3 4 1 2; BBB 4 - 2 - 4 -.
    assert fills[0] == [GREEN, RED, ORANGE, ORANGE, GREEN, RED]
    assert fills[1] == [RED, GREY, LIGHT_GREEN, GREY, RED, GREY]
    assert sheet["C2"].font.color.rgb == "FFFFFFFF", "white on the dark fills, as on the page"
    assert sheet["C2"].number_format == '0"*/1"', "rated by the manager, target 1"
    assert sheet["E2"].number_format == '0"/3"'
    assert sheet.freeze_panes == "C2"


def test_the_legend_explains_each_colour(client, manager, cycle):
    sheet = workbook(login(client, manager).get(matrix_url(cycle)))["Légende"]

    swatches = {
        row[1].value: row[0].fill.fgColor.rgb for row in sheet.iter_rows() if row[0].fill.fill_type
    }
    assert swatches == {
        "2 niveaux ou plus sous la cible": RED,
        "1 niveau sous la cible": ORANGE,
        "à la cible": LIGHT_GREEN,
        "au-dessus de la cible": GREEN,
        "non requise": GREY,
    }


def test_the_matrix_file_holds_no_group_figure(client, manager, cycle):
    """As in the CSV: one row per member, nothing summed over the team, at any size."""
    book = workbook(login(client, manager).get(matrix_url(cycle)))

    assert cycle.assessments.filter(status="submitted").count() < MIN_GROUP
    members = [row[0] for row in values(book["Matrice"])[1:]]
    assert members == ["alice", "bob"]
    texts = {str(v) for sheet in book for row in values(sheet) for v in row if v is not None}
    assert not texts & {"Couverture", "Adéquation", "Moyenne", "Total"}


def test_the_matrix_file_costs_what_the_csv_costs(client, manager, cycle):
    client = login(client, manager)
    client.get(matrix_url(cycle, "csv"))  # warm up: the session

    cache.clear()  # each file is worked out, not read from the cache
    with CaptureQueriesContext(connection) as as_csv:
        client.get(matrix_url(cycle, "csv"))
    cache.clear()
    with CaptureQueriesContext(connection) as as_xlsx:
        client.get(matrix_url(cycle))

    assert len(as_xlsx) == len(as_csv)


def test_only_the_teams_manager_may_download_the_matrix(client, cycle, individual, outsider):
    other_manager = UserFactory(username="oscar")
    other_team = team_create(manager=other_manager, name="Autre")

    for user in (individual, outsider, other_manager):
        assert login(client, user).get(matrix_url(cycle)).status_code == 404, user
    own_team_url = reverse("teams:cycle_matrix", args=[other_team.pk, cycle.pk, "xlsx"])
    assert client.get(own_team_url).status_code == 404
    client.logout()
    response = client.get(matrix_url(cycle))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_manager_downloads_a_members_cycle_result_with_its_history(
    client, manager, team, cycle, catalogue, individual
):
    """A manager sees the member's results made for this team's cycles, nothing private."""
    alice = cycle.assessments.get(owner=individual)
    submitted(assessment_start(owner=individual, roles=catalogue))  # private
    later = cycle_open(team=team, name="Revue 2026", due_date=timezone.localdate())
    submitted(start(later, "alice"), lambda i: 4)
    other_team = team_create(manager=UserFactory(username="oscar"), name="Autre")
    TeamMembership.objects.create(team=other_team, user=individual, target_role=catalogue[0])
    elsewhere = cycle_open(team=other_team, name="Ailleurs", due_date=timezone.localdate())
    submitted(start(elsewhere, "alice"))

    book = workbook(login(client, manager).get(result_url(alice)))

    history = values(book["Historique"])
    assert [row[1:-1] for row in history[1:]] == [[67.6], [100.0]], "this team's two cycles"
    assert values(book["Tableau des écarts"])[1][2] == 67.6, "the member's own levels"
    own = workbook(login(client, individual).get(result_url(alice)))
    assert len(values(own["Historique"])) == 1 + 4, "alice sees all four of her results"


def test_a_member_who_is_not_manager_cannot_download_anothers_cycle_result(
    client, cycle, individual
):
    bob = cycle.assessments.get(owner__username="bob")

    assert login(client, individual).get(result_url(bob)).status_code == 404


# --- links ----------------------------------------------------------------------------------


def test_the_result_page_and_the_dashboard_link_to_the_files(client, manager, cycle, individual):
    alice = cycle.assessments.get(owner=individual)

    page = login(client, individual).get(reverse("assessments:detail", args=[alice.pk]))
    dashboard = login(client, manager).get(reverse("teams:cycle", args=[cycle.team_id, cycle.pk]))

    assert result_url(alice) in page.text
    assert matrix_url(cycle) in dashboard.text
    assert "Tableur (XLSX)" in page.text and "Matrice (XLSX)" in dashboard.text


# --- the history chart on My assessments --------------------------------------------------


def history_page(client, user):
    return login(client, user).get(reverse("assessments:list"))


def test_one_result_gives_the_table_but_no_chart(client, individual, result):
    page = history_page(client, individual)

    assert page.context["history_chart"] is None
    assert "data-history" not in page.text
    assert "67,6 %" in page.text


def test_two_results_draw_each_roles_fit_as_a_line(client, individual, catalogue):
    submitted(assessment_start(owner=individual, roles=catalogue))
    submitted(assessment_start(owner=individual, roles=[catalogue[1]]), lambda i: 4)

    page = history_page(client, individual)

    chart = page.context["history_chart"]
    a, b = (role.name_fr for role in catalogue)
    assert chart["series"] == [
        {"code": "AAA", "name": a, "data": [67.6, None]},
        {"code": "BBB", "name": b, "data": [33.3, 100.0]},
    ]
    assert len(chart["labels"]) == 2
    assert 'data-history="history-chart"' in page.text
    assert '<script id="history-chart" type="application/json">' in page.text
    assert "67,6 %" in page.text and "100,0 %" in page.text, "the table stays beside the chart"


# --- text as written ----------------------------------------------------------------------


def test_a_role_name_beside_its_code_is_isolated_for_direction(client, individual, catalogue):
    """A right-to-left override in the name must not reverse the "(AAA)" after it."""
    Role.objects.filter(code="AAA").update(name_fr="Chef \u202ede projet")
    result = submitted(assessment_start(owner=individual, roles=catalogue))

    sheet = workbook(login(client, individual).get(result_url(result)))["Historique"]

    assert values(sheet)[0][1] == "\u2068Chef \u202ede projet\u2069 (AAA)"


def test_text_wider_than_its_column_wraps(client, individual, catalogue):
    long_name = "Ordonnancement" * 10
    Skill.objects.filter(pk=catalogue[0].skills.first().pk).update(name_fr=long_name)
    result = submitted(assessment_start(owner=individual, roles=catalogue))

    sheet = workbook(login(client, individual).get(result_url(result)))["Tableau des écarts"]

    cells = [row[3] for row in sheet.iter_rows(min_row=2) if row[3].value == long_name]
    assert cells and all(cell.alignment.wrap_text for cell in cells)
    short = next(row[3] for row in sheet.iter_rows(min_row=2) if row[3].value != long_name)
    assert not short.alignment.wrap_text
    assert sheet.column_dimensions["D"].width <= 60


def test_the_matrix_title_isolates_the_team_and_cycle_names(client, manager, cycle):
    cycle.team.__class__.objects.filter(pk=cycle.team_id).update(name="Équipe \u202enord")

    book = workbook(login(client, manager).get(matrix_url(cycle)))

    assert book.properties.title == "\u2068Équipe \u202enord\u2069 · \u2068Revue 2025\u2069"
