"""Each member's scored row is stored in the database (teams.models.BoardRow), keyed by
their assessment's revision, their target role and the release: an emptied cache scores
no one again, and only a change to a member's data scores that member again.

The world is test_dashboard_cache's: alice, bob and carol submitted in this cycle and in
the previous one (open), dave has not started.
"""

import pytest
from django.core.cache import cache
from django.db import IntegrityError
from django.urls import reverse

from teams import scored
from teams.dashboard import ScoredRow
from teams.models import BoardRow
from teams.services import membership_set_target, review_share
from tests.teams import test_dashboard_cache
from tests.teams.test_board_rows import from_scratch, same_figures, scored_ids, scoring_spy
from tests.teams.test_dashboard_cache import board, rate, visit

world = test_dashboard_cache.world
manager_client = test_dashboard_cache.manager_client

pytestmark = pytest.mark.django_db


def stored(assessment, language="fr") -> BoardRow:
    return BoardRow.objects.get(assessment=assessment, language=language)


def figures(assessment) -> list:
    """The stored row's figures, each cell (skill code, level used, target, gap,
    priority) as the board reads it."""
    row = stored(assessment)
    fits, role, fit, cells, rated, levels = row.data
    codes = [code for code, _name, _order in row.names[1]]
    cells = [(codes[cells[i]], *cells[i + 1 : i + 5]) for i in range(0, len(cells), 5)]
    return [dict(fits), role, fit, cells, rated, levels]


def test_an_emptied_cache_scores_no_one_whose_stored_row_holds(manager_client, world):
    cycle = world["cycle"]
    first = visit(manager_client, cycle)
    cache.clear()

    with scoring_spy() as spy:
        response = visit(manager_client, cycle)

    assert spy.call_count == 0, "every row read back from the database"
    assert board(response) == board(first)
    same_figures(response.context["board"], from_scratch(cycle))


def test_after_a_change_and_an_emptied_cache_only_that_member_is_scored(manager_client, world):
    cycle, alice = world["cycle"], world["results"]["alice"]
    visit(manager_client, cycle)
    rate(alice, world["manager"], {code: 4 for code in list(alice.snapshot["levels"])[:2]})
    cache.clear()

    with scoring_spy() as spy:
        response = visit(manager_client, cycle)

    assert scored_ids(spy) == [alice.pk]
    same_figures(response.context["board"], from_scratch(cycle))
    with scoring_spy() as spy:
        cache.clear()
        visit(manager_client, cycle)
    assert spy.call_count == 0


def test_the_stored_row_holds_the_figures_worked_out_by_hand(manager_client, world):
    cycle, alice = world["cycle"], world["results"]["alice"]
    role = world["roles"]["AAA"]
    targets = {r["skill"]: r["target"] for r in alice.digest["roles"][0]["requirements"]}
    assert alice.digest["roles"][0]["code"] == role.code

    # Every skill of her role rated at its target: fit 100 %, no gap; then all at 0: 0 %.
    rate(alice, world["manager"], targets)
    visit(manager_client, cycle)
    fits, row_role, fit, cells, rated, _levels = figures(alice)
    assert (row_role, fit, fits[role.code]) == (role.code, 100.0, 100.0)
    assert sorted(cells) == sorted((c, t, t, 0, 0) for c, t in targets.items())
    assert rated == sorted(targets)

    rate(alice, world["manager"], dict.fromkeys(targets, 0))
    visit(manager_client, cycle)
    _fits, _role, fit, cells, _rated, _levels = figures(alice)
    assert fit == 0.0
    assert {c[0]: (c[1], c[2], c[3]) for c in cells} == {c: (0, t, t) for c, t in targets.items()}
    assert "0*" in board(visit(manager_client, cycle))


def test_a_target_role_change_stores_that_members_row_again(manager_client, world):
    cycle, carol = world["cycle"], world["results"]["carol"]
    visit(manager_client, cycle)
    assert stored(carol).target_role_pk == world["roles"]["AAA"].pk

    membership_set_target(membership=world["memberships"]["carol"], role=world["roles"]["BBB"])
    cache.clear()
    with scoring_spy() as spy:
        response = visit(manager_client, cycle)

    assert carol.pk in scored_ids(spy) and alice_not_in(spy, world)
    assert stored(carol).target_role_pk == world["roles"]["BBB"].pk
    same_figures(response.context["board"], from_scratch(cycle))


def alice_not_in(spy, world) -> bool:
    return world["results"]["alice"].pk not in scored_ids(spy)


def test_a_shared_review_stores_that_members_row_again(manager_client, world):
    cycle, bob = world["cycle"], world["results"]["bob"]
    visit(manager_client, cycle)
    before = stored(bob).revision

    review_share(assessment=bob, manager=world["manager"])
    with scoring_spy() as spy:
        visit(manager_client, cycle)

    assert scored_ids(spy) == [bob.pk]
    assert stored(bob).revision == before + 1


def test_each_language_has_its_stored_rows(manager_client, world):
    cycle, alice = world["cycle"], world["results"]["alice"]
    visit(manager_client, cycle)
    manager_client.post(reverse("set_language"), {"language": "en"})
    english = visit(manager_client, cycle)

    assert set(BoardRow.objects.filter(assessment=alice).values_list("language", flat=True)) == {
        "fr",
        "en",
    }
    cache.clear()
    with scoring_spy() as spy:
        again = visit(manager_client, cycle)
    assert spy.call_count == 0
    assert board(again) == board(english)


def test_a_new_release_works_the_rows_out_afresh(manager_client, world, settings):
    cycle = world["cycle"]
    visit(manager_client, cycle)
    settings.RELEASE = "another-release"
    cache.clear()

    with scoring_spy() as spy:
        visit(manager_client, cycle)

    assert spy.call_count == 6, "this cycle's three rows and the previous cycle's three"
    assert set(BoardRow.objects.values_list("release", flat=True)) == {"another-release"}


def test_rows_share_their_names_and_the_board_reads_them_once(manager_client, world):
    cycle = world["cycle"]
    visit(manager_client, cycle)
    rows = BoardRow.objects.filter(assessment__cycle=cycle, language="fr")
    alice = world["results"]["alice"]
    rate(alice, world["manager"], dict.fromkeys(list(alice.snapshot["levels"])[-2:], 0))
    visit(manager_client, cycle)
    keys = set(rows.values_list("names_key", flat=True))
    assert len(keys) == 1, "the same role, frozen from the same catalogue: the same names"
    role_names, skills, _actions = rows.first().names
    assert role_names == [["AAA", world["roles"]["AAA"].name_fr]]
    assert len(skills) * 5 == len(rows.first().data[3]), "a cell: 5 integers"


def test_a_board_whose_rows_cannot_be_stored_is_served_all_the_same(
    manager_client, world, monkeypatch
):
    def refused(*args, **kwargs):
        raise IntegrityError("the assessment went meanwhile")

    monkeypatch.setattr(BoardRow.objects, "bulk_create", refused)
    response = visit(manager_client, world["cycle"])

    assert [row.name for row in response.context["board"].rows] == ["alice", "bob", "carol"]
    assert not BoardRow.objects.exists()


def test_a_row_reads_back_as_it_was_stored_orders_included(world):
    """PostgreSQL's jsonb orders an object's keys its own way (shorter first): what has
    an order (the roles of `fits`, the skills that cells name by place) is stored as
    lists."""
    row = ScoredRow(
        fits={"ZZZZ": 10.0, "AA": 20.0, "MMM": 30.0},
        role_names={"ZZZZ": "Z", "AA": "A", "MMM": "M"},
        role="ZZZZ",
        fit=10.0,
        cells=(("long-skill", 1, 3, 2, 8), ("s", 0, 2, 2, 4), ("mid", 4, 3, 0, 0)),
        skills={"long-skill": ("Long", 2), "s": ("S", 1), "mid": ("Mid", 3)},
        rated=frozenset({"s"}),
        levels=3,
    )
    key = (world["results"]["alice"].pk, 1, None)
    scored._store([scored._board_row(key[0], key, "fr", row)])
    stored_row = BoardRow.objects.get(assessment=key[0], language="fr")
    names = scored._read_names({stored_row.names_key})[stored_row.names_key]

    again = scored.read_row(stored_row.data, names)

    assert again == row
    assert list(again.fits) == ["ZZZZ", "AA", "MMM"]
