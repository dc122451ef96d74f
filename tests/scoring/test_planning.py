"""Ladder rungs, what-if improvements and distances between roles, by hand."""

from scoring import (
    LADDER_MIN_FIT,
    Requirement,
    RoleProfile,
    best_improvements,
    gap_points,
    ladder_position,
    meets_rung,
    role_distance,
    score_role,
)


def req(skill, weight, target, order):
    return Requirement(skill=skill, weight=weight, target=target, order=order)


ROLE = RoleProfile(
    code="R",
    requirements=(req("risk", 5, 3, 1), req("budget", 3, 2, 2), req("cloud", 1, 4, 3)),
)


def test_best_single_step_improvements():
    # today: 5*2 + 3*1 + 1*1 = 14 of 25 = 56.0
    improvements = best_improvements(ROLE, {"risk": 2, "budget": 1, "cloud": 1})

    # risk 3: 19/25 = 76.0 (+20.0); budget 2: 17/25 = 68.0 (+12.0); cloud 2: 15/25 = 60.0
    assert [(i.skill, i.level, i.fit, i.gain) for i in improvements] == [
        ("risk", 3, 76.0, 20.0),
        ("budget", 2, 68.0, 12.0),
        ("cloud", 2, 60.0, 4.0),
    ]


def test_improvements_skip_skills_at_target_and_break_ties_by_priority():
    role = RoleProfile(
        code="T",
        requirements=(req("x", 2, 3, 1), req("y", 2, 4, 2), req("z", 5, 1, 3)),
    )

    # x: 2 -> 3 and y: 1 -> 2 both add 2 points of 2*3 + 2*4 + 5*1 = 19; y has the
    # higher priority today (2*3 = 6 against 2*1 = 2); z is already at its target
    improvements = best_improvements(role, {"x": 2, "y": 1, "z": 1})

    assert [i.skill for i in improvements] == ["y", "x"]
    # today (4 + 2 + 5) / 19 = 57.9; after: 13 / 19 = 68.4
    assert [i.gain for i in improvements] == [10.5, 10.5]


def test_a_rung_needs_the_fit_and_no_blocking_gap():
    key = RoleProfile(code="K", requirements=(req("a", 4, 3, 1), req("b", 1, 1, 2)))
    # a: weight 4, target 3, level 1 -> gap 2 blocks even at a high fit elsewhere
    blocked = score_role(
        RoleProfile(
            code="B",
            requirements=(req("a", 4, 3, 1),) + tuple(req(f"s{i}", 5, 1, i + 2) for i in range(10)),
        ),
        {"a": 1, **{f"s{i}": 1 for i in range(10)}},
    )
    # fit: (4*1 + 50) / (12 + 50) = 87.1, above 80, but a is a blocking gap
    assert blocked.fit == 87.1 and not meets_rung(blocked)
    assert meets_rung(score_role(key, {"a": 3, "b": 1}))
    assert LADDER_MIN_FIT == 80.0


def test_ladder_position_names_the_highest_rung_met_and_the_next():
    low = score_role(RoleProfile(code="LOW", requirements=(req("a", 3, 2, 1),)), {"a": 2})
    mid = score_role(
        RoleProfile(code="MID", requirements=(req("a", 3, 2, 1), req("b", 4, 3, 2))), {"a": 2}
    )
    top = score_role(
        RoleProfile(code="TOP", requirements=(req("a", 5, 4, 1), req("b", 5, 4, 2))), {"a": 2}
    )

    position = ladder_position([low, mid, top])

    assert position.highest_met.code == "LOW"
    assert position.next_rung.code == "MID"
    # MID: (3*2 + 0) / (6 + 12) = 33.3 -> 46.7 points short of 80
    assert mid.fit == 33.3 and position.fit_shortfall == 46.7


def test_ladder_with_no_rung_met_points_at_the_first():
    first = score_role(RoleProfile(code="A", requirements=(req("a", 5, 3, 1),)), {"a": 0})

    position = ladder_position([first])

    assert position.highest_met is None and position.next_rung.code == "A"


def test_gap_points_and_distance_between_roles():
    a = RoleProfile(code="A", requirements=(req("risk", 3, 3, 1), req("budget", 2, 2, 2)))
    b = RoleProfile(code="B", requirements=(req("risk", 5, 4, 1), req("cloud", 2, 2, 3)))

    distance = role_distance(a, b)

    # shared {risk} of {risk, budget, cloud}; at A's targets: risk gap 1 * 5 + cloud 2 * 2
    assert (distance.overlap, distance.points) == (33.3, 9)
    assert role_distance(a, a).points == 0
    assert gap_points(score_role(ROLE, {"risk": 2, "budget": 1, "cloud": 1})) == 5 + 3 + 3
