"""The what-if simulator and the path to a role, by hand, over a small handmade snapshot.

Four skills a, b, c, d (catalogue order) and three roles:

    X: a (weight 5, target 3), b (3, 2), c (1, 4)
    Y: b (4, 3), c (2, 2), d (5, 1)
    Z: a (2, 4), d (4, 1), b (1, 2)

Saved levels: a 2, b 1, c 4, d 0. Fits today:

    X: (5*2 + 3*1 + 1*4) / (15 + 6 + 4) = 17/25 = 68.0
    Y: (4*1 + 2*2 + 5*0) / (12 + 4 + 5) = 8/21 = 38.1
    Z: (2*2 + 4*0 + 1*1) / (8 + 4 + 2)  = 5/14 = 35.7
"""

import copy

import pytest

from assessments.planning import (
    LEVEL_PARAM,
    parse_levels,
    path_to,
    role_choices,
    simulate,
    simulation_query,
)


def skill(code, order, name_fr, name_en):
    return {
        "id": order,
        "order": order,
        "name": {"fr": name_fr, "en": name_en},
        "category": {"code": "cat", "name": {"fr": "Catégorie", "en": "Category"}},
        "levels": {
            str(n): {"fr": f"{code} niveau {n}", "en": f"{code} level {n}"} for n in (1, 2, 3, 4)
        },
        "actions": [
            {
                "level": n,
                "kind": "training",
                "title": {"fr": f"Formation {code} {n}", "en": f"Training {code} {n}"},
                "detail": {"fr": "", "en": ""},
            }
            for n in (1, 2, 3, 4)
        ],
    }


def role(code, requirements):
    return {
        "code": code,
        "order": 0,
        "ladder": "",
        "rank": 0,
        "name": {"fr": f"Rôle {code}", "en": f"Role {code}"},
        "summary": {"fr": "", "en": ""},
        "requirements": [{"skill": s, "weight": w, "target": t} for s, w, t in requirements],
        "career": {"from": [], "to": []},
    }


SNAPSHOT = {
    "version": 1,
    "mode": "full",
    "roles": [
        role("X", [("a", 5, 3), ("b", 3, 2), ("c", 1, 4)]),
        role("Y", [("b", 4, 3), ("c", 2, 2), ("d", 5, 1)]),
        role("Z", [("a", 2, 4), ("d", 4, 1), ("b", 1, 2)]),
    ],
    "skills": {
        "a": skill("a", 1, "Analyse", "Analysis"),
        "b": skill("b", 2, "Budget", "Budgeting"),
        "c": skill("c", 3, "Cloud", "Cloud"),
        "d": skill("d", 4, "Droit", "Law"),
    },
    "levels": {"a": 2, "b": 1, "c": 4, "d": 0},
}


@pytest.fixture
def snapshot():
    return copy.deepcopy(SNAPSHOT)


def q(**levels):
    return {LEVEL_PARAM.format(code=code): str(level) for code, level in levels.items()}


# --- reading the levels ---------------------------------------------------------------


def test_levels_default_to_the_saved_ones(snapshot):
    levels, rejected = parse_levels(snapshot, {})

    assert levels == {"a": 2, "b": 1, "c": 4, "d": 0}
    assert rejected == []


def test_given_levels_override_unknown_skills_are_ignored_bad_values_keep_the_saved_level(
    snapshot,
):
    query = {"s-b": "3", "s-d": " 1 ", "s-zzz": "2", "s-a": "7", "s-c": "x", "other": "4"}

    levels, rejected = parse_levels(snapshot, query)

    assert levels == {"a": 2, "b": 3, "c": 4, "d": 1}
    assert rejected == ["a", "c"]  # catalogue order


@pytest.mark.parametrize("value", ["-1", "5", "1.5", "²", "١", "", "9" * 5000, "\x00", "NaN"])
def test_a_value_that_is_no_level_is_rejected(snapshot, value):
    levels, rejected = parse_levels(snapshot, {"s-b": value})

    assert levels["b"] == 1
    assert rejected == ["b"]


# --- simulating -----------------------------------------------------------------------


def fits(simulation):
    return [(r.code, r.rank, r.fit, r.saved_rank, r.saved_fit, r.delta) for r in simulation.roles]


def test_without_changes_the_simulation_is_the_saved_result(snapshot):
    simulation = simulate(snapshot, {}, language="fr")

    assert fits(simulation) == [
        ("X", 1, 68.0, 1, 68.0, 0.0),
        ("Y", 2, 38.1, 2, 38.1, 0.0),
        ("Z", 3, 35.7, 3, 35.7, 0.0),
    ]
    assert simulation.changed == []
    assert simulation.role == "X"  # no chosen role: the best fit today


def test_raising_a_skill_recomputes_every_fit_and_the_ranking(snapshot):
    # d 0 -> 1: X has no d: 68.0; Y: (4 + 4 + 5) / 21 = 13/21 = 61.9 (+23.8);
    # Z: (4 + 4 + 1) / 14 = 9/14 = 64.3 (+28.6), so Z overtakes Y
    simulation = simulate(snapshot, q(d=1), language="fr")

    assert fits(simulation) == [
        ("X", 1, 68.0, 1, 68.0, 0.0),
        ("Z", 2, 64.3, 3, 35.7, 28.6),
        ("Y", 3, 61.9, 2, 38.1, 23.8),
    ]
    assert [(s.code, s.saved, s.level) for s in simulation.changed] == [("d", 0, 1)]
    assert [r.direction for r in simulation.roles] == ["same", "up", "up"]


def test_lowering_a_skill_lowers_the_fit(snapshot):
    # a 2 -> 0: X: (0 + 3 + 4) / 25 = 28.0 (-40.0); Z: (0 + 0 + 1) / 14 = 7.1 (-28.6)
    simulation = simulate(snapshot, q(a=0), language="fr")

    assert fits(simulation) == [
        ("Y", 1, 38.1, 2, 38.1, 0.0),
        ("X", 2, 28.0, 1, 68.0, -40.0),
        ("Z", 3, 7.1, 3, 35.7, -28.6),
    ]
    assert simulation.roles[1].direction == "down"


def test_a_level_above_the_target_adds_nothing(snapshot):
    # b 1 -> 4 is capped at X's target 2: (10 + 6 + 4) / 25 = 80.0
    simulation = simulate(snapshot, q(b=4), language="fr")

    assert {r.code: r.fit for r in simulation.roles}["X"] == 80.0


def test_best_improvements_for_the_chosen_role_on_the_simulated_levels(snapshot):
    # Y today: 38.1. b 1 -> 2: (8 + 4 + 0) / 21 = 57.1 (+19.0); d 0 -> 1: 13/21 = 61.9
    # (+23.8); c is at its target
    simulation = simulate(snapshot, {}, role="Y", language="en")

    assert simulation.role == "Y"
    assert [
        (s.code, s.name, s.level_from, s.level_to, s.fit, s.gain) for s in simulation.suggestions
    ] == [
        ("d", "Law", 0, 1, 61.9, 23.8),
        ("b", "Budgeting", 1, 2, 57.1, 19.0),
    ]

    # with d already raised to 1 in the simulation: only b is left for Y,
    # (8 + 4 + 5) / 21 = 81.0 from 61.9
    simulated = simulate(snapshot, q(d=1), role="Y", language="en")
    assert [(s.code, s.level_to, s.fit, s.gain) for s in simulated.suggestions] == [
        ("b", 2, 81.0, 19.1)
    ]


def test_improvements_for_the_best_fit_role_by_default_and_at_most_three(snapshot):
    # X: a 2 -> 3: (15 + 3 + 4) / 25 = 88.0 (+20.0); b 1 -> 2: 20/25 = 80.0 (+12.0)
    simulation = simulate(snapshot, {}, language="fr")

    assert [(s.code, s.fit, s.gain) for s in simulation.suggestions] == [
        ("a", 88.0, 20.0),
        ("b", 80.0, 12.0),
    ]
    assert len(simulate(snapshot, q(a=0, b=0, c=0), language="fr").suggestions) == 3


def test_the_default_role_is_used_when_no_role_is_asked_and_an_unknown_one_is_ignored(
    snapshot,
):
    assert simulate(snapshot, {}, default_role="Z", language="fr").role == "Z"
    assert simulate(snapshot, {}, role="NOPE", default_role="Z", language="fr").role == "Z"
    assert simulate(snapshot, {}, role="NOPE", default_role="GONE", language="fr").role == "X"


def test_rejected_values_are_named_in_the_request_language(snapshot):
    simulation = simulate(snapshot, {"s-a": "9", "s-b": "oui"}, language="fr")

    assert simulation.rejected == ["Analyse", "Budget"]
    assert fits(simulation) == fits(simulate(snapshot, {}, language="fr"))


def test_simulating_leaves_the_snapshot_alone(snapshot):
    simulate(snapshot, q(a=4, b=4, c=0, d=4), role="Y", language="fr")

    assert snapshot == SNAPSHOT


def test_the_query_holds_only_the_changed_levels_and_a_chosen_role(snapshot):
    assert simulation_query({"a": 2, "b": 1, "c": 4, "d": 0}, snapshot) == ""
    assert simulation_query({"a": 2, "b": 3, "c": 4, "d": 0}, snapshot) == "s-b=3"
    assert (
        simulation_query({"a": 2, "b": 3, "c": 4, "d": 1}, snapshot, role="Y")
        == "s-b=3&s-d=1&role=Y"
    )


def test_an_apply_link_raises_one_skill_on_top_of_the_simulated_changes(snapshot):
    simulation = simulate(snapshot, q(d=1), role="Y", language="fr")

    assert [s.query for s in simulation.suggestions] == ["s-b=2&s-d=1&role=Y"]
    assert simulation.reset_query == "role=Y"
    assert simulate(snapshot, q(d=1), language="fr").reset_query == ""


# --- the path to a role ---------------------------------------------------------------


def steps(path):
    return [(s.code, s.level, s.target, s.priority, s.points_left, s.fit_after) for s in path.steps]


def test_path_lists_the_gaps_by_priority_with_the_total_from_today(snapshot):
    # Y: b gap 2 * weight 4 = 8; d gap 1 * 5 = 5; c is a strength. Total 13.
    # After b: (12 + 4 + 0) / 21 = 76.2 with 5 points left; after d: 100.0, none left.
    path = path_to(snapshot, "Y", language="fr")

    assert (path.code, path.name, path.fit, path.points) == ("Y", "Rôle Y", 38.1, 13)
    assert steps(path) == [("b", 1, 3, 8, 5, 76.2), ("d", 0, 1, 5, 0, 100.0)]
    assert path.strengths == ["Cloud"]


def test_path_ties_on_priority_go_to_the_heavier_skill(snapshot):
    # Z: a gap 2 * weight 2 = 4 and d gap 1 * weight 4 = 4: d first (heavier), then b (1).
    # Total 9. After d: (4 + 4 + 1) / 14 = 64.3, 5 left; after a: 13/14 = 92.9, 1 left.
    path = path_to(snapshot, "Z", language="en")

    assert (path.fit, path.points) == (35.7, 9)
    assert steps(path) == [
        ("d", 0, 1, 4, 5, 64.3),
        ("a", 2, 4, 4, 1, 92.9),
        ("b", 1, 2, 1, 0, 100.0),
    ]
    assert [s.name for s in path.steps] == ["Law", "Analysis", "Budgeting"]


def test_each_step_carries_its_next_steps_in_the_language(snapshot):
    path = path_to(snapshot, "Y", language="en")

    budget = path.steps[0]
    # b is at 1: the actions for level 2, the next level up
    assert [a["title"] for a in budget.next_steps] == ["Training b 2"]
    assert budget.next_steps[0]["kind"] == "training"
    assert (budget.level_label, budget.target_label) == ("Awareness", "Advanced (autonomous)")
    assert budget.category == "Category"
    french = path_to(snapshot, "Y", language="fr")
    assert french.steps[0].next_steps[0]["title"] == "Formation b 2"


def test_path_to_a_role_already_met_is_empty(snapshot):
    snapshot["levels"] = {"a": 4, "b": 4, "c": 4, "d": 4}

    path = path_to(snapshot, "X", language="fr")

    assert (path.fit, path.points, path.steps) == (100.0, 0, [])


def test_path_to_a_role_outside_the_snapshot_is_none(snapshot):
    assert path_to(snapshot, "NOPE", language="fr") is None


def test_path_counts_a_skill_never_answered_as_zero(snapshot):
    del snapshot["levels"]["d"]

    path = path_to(snapshot, "Y", language="fr")

    assert steps(path)[1] == ("d", 0, 1, 5, 0, 100.0)


def test_path_links_to_the_simulator_with_every_step_done(snapshot):
    assert path_to(snapshot, "Y", language="fr").simulate_query == "s-b=3&s-d=1&role=Y"


def test_role_choices_keep_the_catalogue_order(snapshot):
    assert role_choices(snapshot, "en") == [("X", "Role X"), ("Y", "Role Y"), ("Z", "Role Z")]
