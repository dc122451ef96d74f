"""A member whose cycle result is a quick one is provisional: shown on the board, marked,
and counted in no team figure (coverage, team fit, team gaps, change); every matrix
file says which rows are provisional."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import Assessment
from careers.models import RoleRequirement
from teams.dashboard import MemberData, build_dashboard, cycle_figures, matrix_rows
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory
from tests.pdf_text import pdf_text
from tests.teams.test_dashboard import snapshot

pytestmark = pytest.mark.django_db


def member(key, levels, provisional=False):
    return MemberData(
        key=key,
        name=f"m{key}",
        snapshot=snapshot(levels),
        ratings={},
        target_role="DEV",
        provisional=provisional,
    )


FULL = [
    member(1, {"risk": 3, "cloud": 2}),  # fit 100.0
    member(2, {"risk": 1, "cloud": 2}),  # fit 50.0, risk gap 2 -> priority 8
    member(3, {"risk": 2, "cloud": 1}),  # fit (8+2)/16 = 62.5, risk 4, cloud 2
]
QUICK = member(4, {"risk": 0, "cloud": 0}, provisional=True)  # fit 0.0, would weigh a lot


# --- the figures, from plain data ---------------------------------------------------------


def test_a_provisional_member_has_a_marked_row_but_counts_in_no_team_figure():
    board = build_dashboard([*FULL, QUICK])
    alone = build_dashboard(FULL)

    assert [(row.key, row.provisional) for row in board.rows] == [
        (1, False),
        (2, False),
        (3, False),
        (4, True),
    ]
    assert board.rows[-1].fit == 0.0
    assert board.submitted == 3 and board.provisional == 1
    assert board.team_fit == alone.team_fit == {"DEV": 70.8}
    assert [(c.met, c.of) for c in board.coverage] == [(1, 3), (2, 3)]
    assert board.coverage == alone.coverage
    assert [(g.code, g.priority, g.members) for g in board.gaps] == [
        ("risk", 12, 2),
        ("cloud", 2, 1),
    ]


def test_two_full_members_and_a_quick_one_are_not_a_group():
    board = build_dashboard([*FULL[:2], QUICK])

    assert not board.grouped and board.submitted == 2
    assert board.gaps == [] and board.team_fit == {}
    assert board.coverage == [None, None]
    assert len(board.rows) == 3, "every member still has a row"


def test_the_previous_cycles_figures_leave_quick_members_out():
    before = [member(k, {"risk": 1, "cloud": 1}) for k in (1, 2, 3)]  # 37.5 each
    before.append(member(4, {"risk": 3, "cloud": 2}, provisional=True))  # 100.0

    assert cycle_figures(before).team_fit == {"DEV": 37.5}
    board = build_dashboard(FULL, previous=before)
    assert board.change == {"DEV": (37.5, 70.8)}


def test_matrix_rows_say_which_result_is_quick():
    rows = matrix_rows([FULL[0], QUICK])

    assert {(row["member"], row["mode"]) for row in rows} == {("m1", "full"), ("m4", "quick")}


# --- the pages and files ------------------------------------------------------------------


@pytest.fixture
def manager(db):
    return UserFactory(username="olivia")


@pytest.fixture
def cycle(manager, catalogue):
    """Four members of AAA: three full results, and Dora's quick one."""
    for req in RoleRequirement.objects.filter(role=catalogue[0]).order_by("skill__order")[:3]:
        req.is_core = True
        req.save()
    team = team_create(manager=manager, name="Plateforme")
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    for name in ("anna", "ben", "chloe", "dora"):
        membership = TeamMembership.objects.create(
            team=team, user=UserFactory(username=name), target_role=catalogue[0]
        )
        draft = cycle_assessment_start(cycle=cycle, membership=membership)
        if name == "dora":
            Assessment.objects.filter(pk=draft.pk).update(mode=Assessment.Mode.QUICK)
            draft.refresh_from_db()
        submitted(draft, lambda i: 1)
    return cycle


def board_page(client, manager, cycle):
    client.force_login(manager)
    return client.get(reverse("teams:cycle", args=[cycle.team_id, cycle.pk]))


def test_the_board_marks_the_quick_member_and_counts_three(client, manager, cycle):
    page = board_page(client, manager, cycle)

    board = page.context["board"]
    assert board.submitted == 3 and board.provisional == 1
    assert [row.name for row in board.rows if row.provisional] == ["dora"]
    # members table and heatmap row (static/js/app.js copies it to the member's card)
    assert page.text.count('class="badge badge-provisional"') == 2
    assert "1 membre n’a qu’un résultat rapide (provisoire)" in page.text


def test_the_board_in_english(client, manager, cycle):
    client.cookies["django_language"] = "en"

    page = board_page(client, manager, cycle)

    assert ">Provisional<" in page.text
    assert "1 member has only a quick (provisional) result" in page.text


def test_the_board_costs_no_query_more_for_a_quick_member(client, manager, cycle):
    board_page(client, manager, cycle)
    cache.clear()
    with CaptureQueriesContext(connection) as with_quick:
        board_page(client, manager, cycle)
    Assessment.objects.filter(cycle=cycle).update(mode=Assessment.Mode.FULL)
    cache.clear()
    with CaptureQueriesContext(connection) as all_full:
        page = board_page(client, manager, cycle)

    assert page.context["board"].provisional == 0
    assert len(with_quick) == len(all_full)


def matrix(client, manager, cycle, fmt):
    client.force_login(manager)
    response = client.get(reverse("teams:cycle_matrix", args=[cycle.team_id, cycle.pk, fmt]))
    assert response.status_code == 200
    return response


def test_the_matrix_csv_and_json_carry_the_mode(client, manager, cycle):
    text = matrix(client, manager, cycle, "csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    data = json.loads(matrix(client, manager, cycle, "json").content)

    modes = {(row["member"], row["mode"]) for row in rows}
    assert modes == {("anna", "full"), ("ben", "full"), ("chloe", "full"), ("dora", "quick")}
    assert {(row["member"], row["mode"]) for row in data["rows"]} == modes


def test_the_matrix_xlsx_marks_the_quick_member(client, manager, cycle):
    book = load_workbook(io.BytesIO(matrix(client, manager, cycle, "xlsx").content))

    members = [row[0] for row in book["Matrice"].iter_rows(min_row=2, values_only=True)]
    assert members == ["anna", "ben", "chloe", "dora · Provisoire"]
    data = list(book["Données"].iter_rows(values_only=True))
    assert data[0][-1] == "Mode"
    assert {row[-1] for row in data[1:] if row[0] == "dora"} == {"quick"}
    legend = [row[0] for row in book["Légende"].iter_rows(values_only=True)]
    assert "Provisoire" in legend


def test_the_cycle_pdf_says_one_member_is_provisional(client, manager, cycle):
    client.force_login(manager)

    text = pdf_text(client.get(reverse("teams:cycle_pdf", args=[cycle.team_id, cycle.pk])))

    assert "1 membre n’a qu’un résultat rapide (provisoire)" in text


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_only_the_teams_managers_get_the_matrix(client, manager, cycle, outsider, fmt):
    member = TeamMembership.objects.get(team=cycle.team, user__username="dora").user
    url = reverse("teams:cycle_matrix", args=[cycle.team_id, cycle.pk, fmt])

    for user in (outsider, member):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


def test_the_review_page_of_a_quick_result_says_provisional(client, manager, cycle):
    dora = Assessment.objects.get(cycle=cycle, owner__username="dora")
    anna = Assessment.objects.get(cycle=cycle, owner__username="anna")
    client.force_login(manager)

    quick_page = client.get(reverse("teams:review", args=[cycle.team_id, dora.pk]))
    full_page = client.get(reverse("teams:review", args=[cycle.team_id, anna.pk]))

    assert "badge-provisional" in quick_page.text and "comptée dans aucun" in quick_page.text
    assert "badge-provisional" not in full_page.text
