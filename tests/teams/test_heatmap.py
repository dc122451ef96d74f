"""The dashboard's heatmap as shown: its filters (role, category, only gaps), applied on
the server from the page's GET parameters and kept in the cache under their own key,
its column groups, and the group figures it hides said in place."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careers.models import SkillCategory
from teams.dashboard import Category, HeatFilter, heat_view
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory
from tests.teams.test_dashboard import member

pytestmark = pytest.mark.django_db


# --- heat_view, on plain data ---------------------------------------------------------


def board_of(*members):
    from teams.dashboard import build_dashboard

    return build_dashboard(list(members))


CATEGORIES = {"risk": Category(1, "Pilotage", 1), "cloud": Category(2, "Technique", 2)}


def two_roles():
    """m1, m2 (DEV): m1 below on risk and cloud, m2 at target on both; m3 (OPS) below on
    cloud. DEV needs risk (target 3) and cloud (2), OPS cloud (4)."""
    return board_of(
        member(1, {"risk": 1, "cloud": 1}),
        member(2, {"risk": 3, "cloud": 2}),
        member(3, {"risk": 0, "cloud": 2}, roles=("OPS",), target="OPS"),
    )


def names(view):
    return [item.row.name for item in view.rows]


def codes(view):
    return [column.code for column in view.columns]


def test_unfiltered_the_view_is_the_board_grouped_by_category():
    view = heat_view(two_roles(), CATEGORIES)

    assert names(view) == ["m1", "m2", "m3"] and codes(view) == ["risk", "cloud"]
    assert [(g.category.name, g.span) for g in view.groups] == [("Pilotage", 1), ("Technique", 1)]
    assert (view.members, view.skills) == (3, 2)
    assert view.roles == [("DEV", "DEV"), ("OPS", "OPS")]
    assert [c.id for c in view.categories] == [1, 2]
    first = view.rows[0]
    assert (first.met, first.required) == (0, 2)
    assert [name for name, _cell in first.below] == ["Risk", "Cloud"]


def test_the_role_filter_keeps_the_members_scored_against_it():
    view = heat_view(two_roles(), CATEGORIES, HeatFilter(role="OPS"))

    assert names(view) == ["m3"] and codes(view) == ["risk", "cloud"]
    assert view.rows[0].cells[0] is None  # OPS does not need risk
    assert view.filter == HeatFilter(role="OPS")


def test_the_category_filter_keeps_its_skills():
    view = heat_view(two_roles(), CATEGORIES, HeatFilter(category=2))

    assert names(view) == ["m1", "m2", "m3"] and codes(view) == ["cloud"]
    assert [g.span for g in view.groups] == [1]
    assert (view.members, view.skills) == (3, 2)  # out of how many


def test_only_gaps_keeps_the_members_and_skills_below_target():
    view = heat_view(two_roles(), CATEGORIES, HeatFilter(gaps=True))

    assert names(view) == ["m1", "m3"] and codes(view) == ["risk", "cloud"]


def test_filters_combine():
    board = two_roles()

    view = heat_view(board, CATEGORIES, HeatFilter(role="DEV", category=1, gaps=True))
    assert names(view) == ["m1"] and codes(view) == ["risk"]

    none = heat_view(board, CATEGORIES, HeatFilter(role="OPS", category=1, gaps=True))
    assert names(none) == [] and codes(none) == []


def test_filter_values_the_board_has_no_use_for_are_ignored():
    view = heat_view(two_roles(), CATEGORIES, HeatFilter(role="NOPE", category=99))

    assert names(view) == ["m1", "m2", "m3"] and codes(view) == ["risk", "cloud"]
    assert view.filter == HeatFilter()


def test_a_skill_no_longer_in_the_catalogue_gets_a_group_of_its_own():
    view = heat_view(two_roles(), {"risk": CATEGORIES["risk"]})

    assert [(g.category, g.span) for g in view.groups] == [(CATEGORIES["risk"], 1), (None, 1)]


def test_the_team_fit_says_which_roles_are_hidden():
    board = two_roles()
    three = board_of(*(member(k, {"risk": 1, "cloud": 1}) for k in (1, 2, 3)))
    fits = {row.code: row for row in three.fit_rows}
    assert fits["DEV"].fit is not None and fits["DEV"].members == 3

    rows = {row.code: row for row in board.fit_rows}
    assert rows["DEV"].fit is None and rows["DEV"].members == 2
    assert rows["OPS"].fit is None and rows["OPS"].members == 1
    assert [name for name, cov in board.coverage_rows] == ["Risk", "Cloud"]
    # risk: 2 members (DEV) need it, hidden; cloud: all 3
    assert [cov is None for _name, cov in board.coverage_rows] == [True, False]


# --- the page -------------------------------------------------------------------------


@pytest.fixture
def world(catalogue):
    """Team "Plateforme" (manager olivia): alice, bob and carol target AAA, dave BBB; all
    submitted. AAA needs the six skills, BBB every other one."""
    aaa, bbb = catalogue
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    cycle = cycle_open(team=team, name="Revue 2025", due_date=timezone.localdate())
    levels = {"alice": 4, "bob": 1, "carol": 2, "dave": 0}
    for username, level in levels.items():
        role = bbb if username == "dave" else aaa
        membership = TeamMembership.objects.create(
            team=team, user=UserFactory(username=username), target_role=role
        )
        submitted(
            cycle_assessment_start(cycle=cycle, membership=membership),
            level_for=lambda _i, level=level: level,
        )
    categories = list(SkillCategory.objects.order_by("order", "pk"))
    return {"manager": manager, "team": team, "cycle": cycle, "categories": categories}


@pytest.fixture
def manager_client(client, world):
    client.force_login(world["manager"])
    return client


def page(client, world, language="fr", **query):
    client.cookies["django_language"] = language
    response = client.get(world["cycle"].get_absolute_url(), query)
    assert response.status_code == 200
    return response.text


def heat_rows(html: str) -> list[str]:
    """The members of the heatmap's rows, in order."""
    table = html.split('class="table table-sm heatmap', 1)
    if len(table) == 1:
        return []
    body = table[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<th scope=row><bdi>([^<]+)</bdi>", body)


def heat_columns(html: str) -> list[str]:
    return re.findall(r'class="skill-col"><span title="([^"]+)"', html)


def kept_boards() -> int:
    return sum(1 for key in cache._cache if ":team-board:" in key)


def test_the_page_shows_every_member_and_skill_unfiltered(manager_client, world):
    html = page(manager_client, world)

    assert heat_rows(html) == ["alice", "bob", "carol", "dave"]
    assert len(heat_columns(html)) == 6
    assert "Membres affichés : 4 sur 4 · compétences affichées : 6 sur 6" in html
    assert html.count('scope="colgroup" colspan="3"') == 2  # one header per category
    assert 'name="role"' in html and 'name="category"' in html and 'name="gaps"' in html
    assert ">Filtrer</button>" in html
    assert "Effacer les filtres" not in html


def test_the_role_filter(manager_client, world):
    html = page(manager_client, world, role="BBB")

    assert heat_rows(html) == ["dave"]
    assert "Membres affichés : 1 sur 4" in html
    assert '<option value="BBB" selected>' in html
    assert "Effacer les filtres" in html


def test_the_category_filter(manager_client, world):
    first = world["categories"][0]
    html = page(manager_client, world, category=first.pk)

    assert heat_rows(html) == ["alice", "bob", "carol", "dave"]
    assert len(heat_columns(html)) == 3
    assert "compétences affichées : 3 sur 6" in html
    assert f'<option value="{first.pk}" selected>' in html


def test_the_gaps_filter(manager_client, world):
    html = page(manager_client, world, gaps="1")

    assert "alice" not in heat_rows(html)  # level 4 everywhere: no gap
    assert heat_rows(html) == ["bob", "carol", "dave"]
    assert 'id="heat-gaps" name="gaps" value="1" checked' in html


def test_filters_combined(manager_client, world):
    """Targets run 1, 2, 3 | 4, 1, 2 over the two categories for AAA; BBB needs skills 1,
    3 and 5 at 4, 2 and 4."""
    second = world["categories"][1]

    html = page(manager_client, world, role="AAA", category=second.pk, gaps="1")
    assert heat_rows(html) == ["bob", "carol"]  # alice, at level 4, meets every target
    assert len(heat_columns(html)) == 2  # the skill at target 1 is no one's gap

    blank = page(manager_client, world, role="AAA", gaps="1", category="")
    assert heat_rows(blank) == ["bob", "carol"] and len(heat_columns(blank)) == 4

    dave = page(manager_client, world, role="BBB", gaps="1", category=second.pk)
    assert heat_rows(dave) == ["dave"] and len(heat_columns(dave)) == 1


def test_an_empty_result_says_so_with_a_link_to_clear_the_filters(manager_client, world):
    TeamMembership.objects.filter(team=world["team"]).exclude(
        user__username__in=["alice", "olivia"]
    ).delete()

    html = page(manager_client, world, gaps="1")

    cleared = world["cycle"].get_absolute_url() + "#heat-title"
    assert "Aucun membre ne correspond à ces filtres." in html
    assert f'<a href="{cleared}">Effacer les filtres</a></div>' in html
    assert "Membres affichés : 0 sur 1 · compétences affichées : 0 sur 6" in html
    assert 'class="table table-sm heatmap' not in html


@pytest.mark.parametrize(
    "query",
    [
        {"role": "<script>"},
        {"role": "ZZZ"},
        {"role": "x" * 500},
        {"category": "abc"},
        {"category": "-1"},
        {"category": "999999"},
        {"category": "1" * 40},
        {"category": "١"},  # an Arabic-Indic digit: str.isdigit, but no catalogue id
        {"gaps": "yes"},
        {"gaps": "0"},
        {"unknown": "1"},
    ],
)
def test_invalid_parameters_are_ignored(manager_client, world, query):
    unfiltered = page(manager_client, world)

    html = page(manager_client, world, **query)

    assert heat_rows(html) == heat_rows(unfiltered) == ["alice", "bob", "carol", "dave"]
    assert heat_columns(html) == heat_columns(unfiltered)
    assert "Effacer les filtres" not in html
    assert kept_boards() == 1, "an ignored parameter shares the unfiltered board"


def test_each_filter_has_its_kept_board_and_a_change_reaches_it(manager_client, world, catalogue):
    page(manager_client, world)
    page(manager_client, world, role="AAA")
    page(manager_client, world, role="AAA", gaps="1")
    assert kept_boards() == 3
    kept = page(manager_client, world, role="AAA")  # from the cache, as kept
    assert heat_rows(kept) == ["alice", "bob", "carol"]

    # A new member targeting AAA submits: the filtered board shows them at once.
    membership = TeamMembership.objects.create(
        team=world["team"], user=UserFactory(username="erin"), target_role=catalogue[0]
    )
    submitted(
        cycle_assessment_start(cycle=world["cycle"], membership=membership),
        level_for=lambda _i: 1,
    )

    assert heat_rows(page(manager_client, world, role="AAA")) == ["alice", "bob", "carol", "erin"]
    assert "erin" in heat_rows(page(manager_client, world, role="AAA", gaps="1"))


def test_each_language_has_its_filtered_board(manager_client, world):
    french = page(manager_client, world, role="AAA")
    english = page(manager_client, world, language="en", role="AAA")

    assert "Membres affichés : 3 sur 4" in french
    assert "Members shown: 3 of 4 · skills shown: 6 of 6" in english
    assert ">Filter</button>" in english and "Clear the filters" in english


def test_hidden_group_figures_say_why_in_place(manager_client, world):
    french = page(manager_client, world)
    english = page(manager_client, world, language="en")

    # BBB: dave alone is assessed against it
    fit = french.split('id="fit-title"', 1)[1].split("</table>", 1)[0]
    assert re.search(
        r"<bdi>[^<]+</bdi></th>\s*<td colspan=\"2\" class=\"text-muted small hidden-figure\">"
        r"masqué : moins de 3 membres évalués sur ce rôle</td>",
        fit,
    )
    assert fit.count("</tr>") == 3  # header, AAA (3 members), BBB (hidden)
    assert "hidden: fewer than 3 members assessed against this role" in english
    # Coverage: every skill is needed by 3 members or more (AAA), so none is hidden, and
    # every row is shown, without an inner scroll box.
    coverage = french.split('id="cov-title"', 1)[1].split("</table>", 1)[0]
    assert coverage.count("<tr>") == 1 + 6
    assert "coverage-box" not in french


def test_a_hidden_coverage_figure_says_why_in_place(manager_client, world):
    TeamMembership.objects.filter(team=world["team"], user__username="carol").delete()

    html = page(manager_client, world)

    coverage = html.split('id="cov-title"', 1)[1].split("</table>", 1)[0]
    # skills 2, 4, 6 are AAA's alone: alice and bob, two members
    assert coverage.count("masqué : moins de 3 membres dont le rôle demande cette compétence") == 3
    assert coverage.count("<tr>") == 1 + 6


def test_small_screens_get_one_card_per_member(manager_client, world):
    """Each heatmap row becomes a card, built by static/js/app.js (tests/browser): the page
    holds the cards' words, and each row what its card shows."""
    html = page(manager_client, world, role="AAA")

    cards = html.split('<ul class="heat-cards', 1)[1].split("</ul>", 1)[0]
    assert "data-heat-cards" in cards
    assert 'data-none="Aucune compétence sous la cible."' in cards  # alice
    assert (
        'data-summary="%(met)s compétences sur %(of)s à la cible · %(below)s en dessous"' in cards
    )
    assert 'data-cell-title="niveau %(used)s, cible %(target)s"' in html  # a gap's figures
    assert heat_rows(html) == ["alice", "bob", "carol"]  # one card each
    bob = re.split(r"<tr|</tbody>", html.split("<th scope=row><bdi>bob</bdi>", 1)[1], maxsplit=1)[0]
    cells = [
        (int(level), int(target)) for level, target in re.findall(r"<td class=c(\d)(\d)>", bob)
    ]
    assert len(cells) == 6 and {level for level, _target in cells} == {1}
    assert any(level < target for level, target in cells)  # bob's gaps, level and target


def test_the_members_table_stacks_on_small_screens(manager_client, world):
    html = page(manager_client, world)

    assert 'class="table table-sm align-middle stack-sm members-table"' in html
    assert 'data-label="Rôle visé"' in html and 'data-label="Statut"' in html


def test_the_filtered_dashboard_costs_the_same_for_4_and_40_members(
    manager_client, world, catalogue
):
    url = world["cycle"].get_absolute_url()
    query = {"role": "AAA", "category": world["categories"][0].pk, "gaps": "1"}
    manager_client.get(url, query)  # warm up: sessions, content types

    def count(cold=True):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert manager_client.get(url, query).status_code == 200
        return len(context)

    few, few_kept = count(), count(cold=False)
    for i in range(36):
        membership = TeamMembership.objects.create(
            team=world["team"], user=UserFactory(username=f"m{i:02}"), target_role=catalogue[0]
        )
        submitted(
            cycle_assessment_start(cycle=world["cycle"], membership=membership),
            level_for=lambda j, i=i: (i + j) % 5,
        )
    count()  # the new members' rows stored (teams.models.BoardRow), as the first 4's were
    many, many_kept = count(), count(cold=False)

    assert many == few, f"{few} queries for 4 members, {many} for 40: a query per member"
    # Kept: session, user, the cycle (access and revision), the filter's role and
    # category checked against the catalogue; the members' plans are kept too.
    assert many_kept == few_kept == 5


def test_the_cycle_pdf_says_which_roles_are_hidden_too(manager_client, world):
    from tests.pdf_text import pdf_text

    manager_client.cookies["django_language"] = "fr"
    url = reverse("teams:cycle_pdf", args=[world["team"].pk, world["cycle"].pk])

    text = pdf_text(manager_client.get(url))

    assert "masqué : moins de 3 membres évalués sur ce rôle" in text  # BBB: dave alone


# --- the board's markup, written in Python (teams/templatetags/heatmap.py) ------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_fit_is_written_as_floatformat_writes_it(language):
    from django.template.defaultfilters import floatformat
    from django.utils import translation
    from django.utils.formats import get_format

    from teams.templatetags.heatmap import _fit_text

    with translation.override(language):
        separator = get_format("DECIMAL_SEPARATOR")
        values = [i / 10 for i in range(1001)] + [0.05, 54.55, 73.25, 81.25, 1234.5, -1.0]
        for value in values:
            assert _fit_text(value, separator) == floatformat(value, 1), value
        assert _fit_text(54.5, separator) == ("54,5" if language == "fr" else "54.5")


def test_a_row_of_cells_is_the_same_written_by_identity_or_one_by_one():
    from teams.dashboard import Cell, shared_cell
    from teams.templatetags.heatmap import _cell, _cells, _written

    absent = "<td class=na><b>not required</b>"
    cells = [shared_cell(3, 2, True), None, shared_cell(0, 4, False), shared_cell(4, 4, True)]
    one_by_one = "".join(_cell(cell, absent) for cell in cells)
    assert _cells(cells, absent, _written(absent)) == one_by_one
    assert (
        one_by_one
        == "<td class=c32>3*<td class=na><b>not required</b><td class=c04>0<td class=c44>4*"
    )
    # A Cell that is not the shared one (no such data today) is written the slow way.
    odd = [Cell(2, 3, False), Cell(7, 3, False)]
    written = _cells(odd, absent, _written(absent))
    assert written.startswith('<td class=c23>2<td class="heat heat-')
