"""The board scores again only the members whose data changed (teams/scored.py): each
member's scored row is kept under their assessment's revision, which every write to
their digest or ratings bumps. The team figures are sums over the rows, and a closed
cycle's figures are stored on it when it closes.

The world is test_dashboard_cache's: alice, bob and carol submitted in this cycle and in
the previous one (open), dave has not started.
"""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment
from teams import scored
from teams.dashboard import build_dashboard, cycle_figures
from teams.models import BoardRow, ReviewCycle, TeamMembership
from teams.scored import board_members
from teams.selectors import cycle_members, dashboard_data
from teams.services import (
    cycle_assessment_start,
    cycle_close,
    membership_remove,
    membership_set_target,
    ratings_save,
    review_share,
)
from tests.assessments.helpers import submitted
from tests.factories import UserFactory
from tests.teams import test_dashboard_cache
from tests.teams.test_dashboard_cache import board, computed, first_skill, rate, visit

world = test_dashboard_cache.world
manager_client = test_dashboard_cache.manager_client

pytestmark = pytest.mark.django_db


def scoring_spy():
    """Counts the rows worked out, by assessment id (teams.scored.score_member)."""
    return mock.patch.object(scored, "score_member", wraps=scored.score_member)


def scored_ids(spy) -> list[int]:
    return sorted(call.args[0].assessment_id for call in spy.call_args_list)


def from_scratch(cycle):
    """The board's figures worked out the way they were before rows were kept: every
    member scored from their digest and ratings, the previous cycle too."""
    before = ReviewCycle.objects.filter(team=cycle.team_id, opened_at__lt=cycle.opened_at).first()
    previous = dashboard_data(cycle_members(before)) if before else ()
    return build_dashboard(dashboard_data(cycle_members(cycle)), previous, language="fr")


def same_figures(kept, fresh) -> None:
    assert kept.team_fit == fresh.team_fit
    assert kept.change == fresh.change
    assert kept.coverage == fresh.coverage
    assert [(g.code, g.priority, g.members) for g in kept.gaps] == [
        (g.code, g.priority, g.members) for g in fresh.gaps
    ]
    assert [(r.name, r.role, r.fit, r.cells) for r in kept.rows] == [
        (r.name, r.role, r.fit, r.cells) for r in fresh.rows
    ]
    assert (kept.submitted, kept.provisional, kept.assessed) == (
        fresh.submitted,
        fresh.provisional,
        fresh.assessed,
    )


def test_a_warm_board_scores_no_one_and_a_cold_one_everyone(manager_client, world):
    cycle = world["cycle"]
    with scoring_spy() as spy:
        visit(manager_client, cycle)
    # this cycle's three results, and the previous (open) cycle's three
    assert spy.call_count == 6
    with scoring_spy() as spy:
        response = visit(manager_client, cycle)
    assert not computed(response) and spy.call_count == 0


def test_a_rating_change_scores_that_member_again_and_no_one_else(manager_client, world):
    cycle, alice = world["cycle"], world["results"]["alice"]
    visit(manager_client, cycle)
    rate(alice, world["manager"], {first_skill(alice): 4})

    with scoring_spy() as spy:
        response = visit(manager_client, cycle)

    assert computed(response)
    assert scored_ids(spy) == [alice.pk]
    same_figures(response.context["board"], from_scratch(cycle))
    assert "4*" in board(response)


def test_a_removed_rating_scores_that_member_again(manager_client, world):
    cycle, alice = world["cycle"], world["results"]["alice"]
    code = first_skill(alice)
    rate(alice, world["manager"], {code: 4})
    visit(manager_client, cycle)

    with scoring_spy() as spy:
        rate(alice, world["manager"], {code: None})
        response = visit(manager_client, cycle)

    assert scored_ids(spy) == [alice.pk]
    same_figures(response.context["board"], from_scratch(cycle))


def test_a_submission_scores_only_the_member_who_submitted(manager_client, world):
    cycle = world["cycle"]
    draft = cycle_assessment_start(cycle=cycle, membership=world["dave"])
    visit(manager_client, cycle)

    with scoring_spy() as spy:
        submitted(draft)
        response = visit(manager_client, cycle)

    assert scored_ids(spy) == [draft.pk]
    assert [row.name for row in response.context["board"].rows] == [
        "alice",
        "bob",
        "carol",
        "dave",
    ]
    same_figures(response.context["board"], from_scratch(cycle))


def test_the_writes_a_row_is_worked_out_from_bump_the_assessments_revision(world):
    bob = world["results"]["bob"]
    revision = Assessment.objects.get(pk=bob.pk).revision
    assert revision >= 1, "its submission bumped it"

    rate(bob, world["manager"], {first_skill(bob): 3})
    assert Assessment.objects.get(pk=bob.pk).revision == revision + 1
    review_share(assessment=bob, manager=world["manager"])
    assert Assessment.objects.get(pk=bob.pk).revision == revision + 2


def test_a_target_role_change_scores_that_member_again(manager_client, world):
    cycle = world["cycle"]
    visit(manager_client, cycle)

    with scoring_spy() as spy:
        membership_set_target(membership=world["memberships"]["carol"], role=None)
        response = visit(manager_client, cycle)

    # in this cycle and in the previous one (open): the target role picks the row's role
    assert scored_ids(spy) == sorted([world["results"]["carol"].pk, world["earlier"]["carol"].pk])
    same_figures(response.context["board"], from_scratch(cycle))


def test_a_removed_member_leaves_the_board_and_the_kept_rows(manager_client, world):
    cycle, bob = world["cycle"], world["results"]["bob"]
    visit(manager_client, cycle)
    assert BoardRow.objects.filter(assessment=bob).exists()

    with scoring_spy() as spy:
        membership_remove(membership=world["memberships"]["bob"])
        response = visit(manager_client, cycle)

    assert spy.call_count == 0, "the others' rows are kept"
    shown = board(response)
    assert "bob" not in shown
    assert [row.name for row in response.context["board"].rows] == ["alice", "carol"]
    # Privacy: bob's figures are no longer kept for the team, in either cycle.
    assert not BoardRow.objects.filter(assessment__owner=bob.owner_id).exists()
    same_figures(response.context["board"], from_scratch(cycle))


def test_the_figures_match_a_board_worked_out_from_scratch_after_many_changes(
    manager_client, world
):
    cycle, results = world["cycle"], world["results"]
    visit(manager_client, cycle)
    rate(results["alice"], world["manager"], {first_skill(results["alice"]): 0})
    visit(manager_client, cycle)
    rate(results["carol"], world["manager"], {first_skill(results["carol"]): 4})
    membership_set_target(membership=world["memberships"]["bob"], role=world["roles"]["BBB"])
    visit(manager_client, cycle)
    submitted(cycle_assessment_start(cycle=cycle, membership=world["dave"]))

    response = visit(manager_client, cycle)

    same_figures(response.context["board"], from_scratch(cycle))
    cache.clear()
    assert board(visit(manager_client, cycle)) == board(response)


# A closed cycle's figures ------------------------------------------------------------


def previous_of(world) -> ReviewCycle:
    return ReviewCycle.objects.get(team=world["team"], name="Revue 2024")


def test_closing_a_cycle_stores_its_figures_and_a_cold_board_reads_them(manager_client, world):
    previous = previous_of(world)
    expected = cycle_figures(dashboard_data(cycle_members(previous)), "fr")

    cycle_close(cycle=previous)

    previous.refresh_from_db()
    assert set(previous.figures["fits"]) == {
        str(world["memberships"][name].user_id) for name in ("alice", "bob", "carol")
    }
    cache.clear()
    with scoring_spy() as spy:
        response = visit(manager_client, world["cycle"])
    assert len(spy.call_args_list) == 3, "only this cycle's rows: the previous one is stored"
    assert response.context["board"].change == {
        code: (before, response.context["board"].team_fit[code])
        for code, before in expected.team_fit.items()
    }
    same_figures(response.context["board"], from_scratch(world["cycle"]))


def test_a_closed_cycles_stored_figures_count_only_todays_members(manager_client, world):
    previous = previous_of(world)
    cycle_close(cycle=previous)
    membership_remove(membership=world["memberships"]["carol"])

    with mock.patch("teams.dashboard.MIN_GROUP", 2):  # two members left: figures shown
        response = visit(manager_client, world["cycle"])
        fresh = from_scratch(world["cycle"])

    assert response.context["board"].change, "alice's and bob's previous fit"
    same_figures(response.context["board"], fresh)


def test_a_cycle_closed_before_figures_were_stored_gets_them_on_first_need(manager_client, world):
    previous = previous_of(world)
    cycle_close(cycle=previous)
    ReviewCycle.objects.filter(pk=previous.pk).update(figures=None)

    response = visit(manager_client, world["cycle"])

    assert ReviewCycle.objects.get(pk=previous.pk).figures is not None
    same_figures(response.context["board"], from_scratch(world["cycle"]))


def test_a_closed_cycle_takes_no_more_ratings(world):
    previous = previous_of(world)
    cycle_close(cycle=previous)
    from teams.services import CycleClosed

    alice = world["earlier"]["alice"]
    skill = alice.snapshot["skills"][first_skill(alice)]["id"]
    with pytest.raises(CycleClosed):
        ratings_save(assessment=alice, manager=world["manager"], values={skill: (4, "")})


# Cost: constant in the team's size ---------------------------------------------------


def add_members(world, count: int) -> None:
    for i in range(count):
        membership = TeamMembership.objects.create(
            team=world["team"],
            user=UserFactory(username=f"m{i:02}"),
            target_role=world["roles"]["AAA"],
        )
        submitted(
            cycle_assessment_start(cycle=world["cycle"], membership=membership),
            level_for=lambda j, i=i: (i + j) % 5,
        )


def test_the_board_costs_the_same_queries_for_4_and_40_members(manager_client, world):
    cycle = world["cycle"]
    cycle_close(cycle=previous_of(world))  # its figures stored: read with the cycle
    visit(manager_client, cycle)  # warm up: sessions, content types

    def costs() -> tuple[int, int, int]:
        alice = world["results"]["alice"]
        code = first_skill(alice)
        cache.clear()
        reset_queries()  # the log keeps 9,000 queries: adding members fills it
        with CaptureQueriesContext(connection) as cold:
            visit(manager_client, cycle)
        # A rating given, then removed: the board is back to its cold state, with the
        # same team gaps (a new gap would have its next steps read, whatever the size).
        rate(alice, world["manager"], {code: 4})
        visit(manager_client, cycle)
        rate(alice, world["manager"], {code: None})
        with CaptureQueriesContext(connection) as changed, scoring_spy() as spy:
            visit(manager_client, cycle)
        assert scored_ids(spy) == [alice.pk]
        with CaptureQueriesContext(connection) as warm:
            visit(manager_client, cycle)
        return len(cold), len(changed), len(warm)

    few = costs()
    add_members(world, 36)
    visit(manager_client, cycle)  # the new members' rows stored, as the first 4's were
    many = costs()

    assert many == few, f"(cold, after a change, warm): {few} for 4 members, {many} for 40"


def test_board_members_reads_digests_only_for_the_rows_it_works_out(world):
    cycle = world["cycle"]
    board_members(cycle, "fr")
    with CaptureQueriesContext(connection) as kept:
        board_members(cycle, "fr")
    assert not any('"digest"' in q["sql"] for q in kept.captured_queries)
    assert not any("managerrating" in q["sql"] for q in kept.captured_queries)
