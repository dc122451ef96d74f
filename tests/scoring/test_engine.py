"""The scoring contract, checked against numbers worked out by hand."""

from scoring import (
    Requirement,
    RoleProfile,
    band_for,
    rank_roles,
    round_fit,
    score_role,
)


def req(skill, weight, target, order):
    return Requirement(skill=skill, weight=weight, target=target, order=order)


# A three-skill role: weights 5, 3, 1; targets 3, 2, 4.
# sum(w * t) = 15 + 6 + 4 = 25
ROLE = RoleProfile(
    code="R",
    requirements=(req("risk", 5, 3, 1), req("budget", 3, 2, 2), req("cloud", 1, 4, 3)),
)


def test_all_zeros_give_zero_fit_and_full_gaps():
    result = score_role(ROLE, {"risk": 0, "budget": 0, "cloud": 0})

    assert result.fit == 0.0
    # gaps 3, 2, 4 -> priorities 15, 6, 4
    assert [(s.skill, s.gap, s.priority) for s in result.skills] == [
        ("risk", 3, 15),
        ("budget", 2, 6),
        ("cloud", 4, 4),
    ]
    assert result.strengths == ()


def test_everything_at_or_above_target_is_100_and_all_strengths():
    result = score_role(ROLE, {"risk": 4, "budget": 2, "cloud": 4})

    # min(l, t) caps the level: 5*3 + 3*2 + 1*4 = 25 of 25
    assert result.fit == 100.0
    assert result.gaps == ()
    assert [s.skill for s in result.strengths] == ["risk", "budget", "cloud"]
    assert all(s.priority == 0 for s in result.skills)


def test_single_requirement():
    role = RoleProfile(code="ONE", requirements=(req("risk", 4, 3, 1),))

    result = score_role(role, {"risk": 1})

    # 100 * 4*1 / (4*3) = 33.333... -> 33.3; gap 2, priority 8
    assert result.fit == 33.3
    (skill,) = result.skills
    assert (skill.gap, skill.priority, skill.is_strength) == (2, 8, False)


def test_unequal_weights_fit_and_priority_order():
    result = score_role(ROLE, {"risk": 2, "budget": 1, "cloud": 1})

    # achieved: 5*2 + 3*1 + 1*1 = 14; fit = 100 * 14 / 25 = 56.0
    assert result.fit == 56.0
    # gaps 1, 1, 3 -> priorities 5, 3, 3; budget and cloud tie on priority 3,
    # budget (weight 3) comes before cloud (weight 1)
    assert [(s.skill, s.priority) for s in result.skills] == [
        ("risk", 5),
        ("budget", 3),
        ("cloud", 3),
    ]


def test_unanswered_skill_counts_as_zero():
    answered = score_role(ROLE, {"risk": 3, "budget": 2})
    explicit = score_role(ROLE, {"risk": 3, "budget": 2, "cloud": 0})

    # achieved 15 + 6 + 0 = 21 of 25 -> 84.0
    assert answered.fit == explicit.fit == 84.0
    cloud = answered.skills[0]
    assert (cloud.skill, cloud.level, cloud.gap, cloud.priority) == ("cloud", 0, 4, 4)


def test_ties_in_priority_and_weight_fall_back_to_catalogue_order():
    role = RoleProfile(
        code="T",
        requirements=(
            req("c", 2, 3, 3),
            req("a", 2, 3, 1),
            req("d", 3, 2, 4),
            req("b", 2, 3, 2),
            req("e", 1, 1, 5),
        ),
    )

    result = score_role(role, {"a": 2, "b": 2, "c": 2, "d": 1, "e": 1})

    # a, b, c: weight 2, gap 1 -> priority 2; d: weight 3, gap 1 -> priority 3;
    # e meets its target (strength, listed last)
    assert [(s.skill, s.priority) for s in result.skills] == [
        ("d", 3),
        ("a", 2),
        ("b", 2),
        ("c", 2),
        ("e", 0),
    ]
    # achieved 2*2*3 + 3*1 + 1*1 = 16; possible 2*3*3 + 3*2 + 1*1 = 25 -> 64.0
    assert result.fit == 64.0


def test_strengths_are_in_catalogue_order_after_gaps():
    result = score_role(ROLE, {"risk": 3, "budget": 0, "cloud": 4})

    assert [s.skill for s in result.gaps] == ["budget"]
    assert [s.skill for s in result.strengths] == ["risk", "cloud"]
    assert [s.skill for s in result.skills] == ["budget", "risk", "cloud"]
    # 5*3 + 0 + 1*4 = 19 of 25 -> 76.0
    assert result.fit == 76.0


def test_fit_rounds_half_up_to_one_decimal():
    # 100 * 1 / 16 = 6.25 -> 6.3 (binary floats would give 6.2)
    assert round_fit(1, 16) == 6.3
    # 100 * 2 / 3 = 66.666... -> 66.7
    assert round_fit(2, 3) == 66.7
    assert round_fit(0, 0) == 0.0


def test_roles_ranked_by_fit_then_catalogue_order():
    tech = RoleProfile(code="TECH", requirements=(req("cloud", 2, 2, 3),), order=1)
    money = RoleProfile(code="MONEY", requirements=(req("budget", 4, 2, 2),), order=2)
    same = RoleProfile(code="SAME", requirements=(req("budget", 1, 2, 2),), order=3)

    ranked = rank_roles([tech, money, same], {"cloud": 1, "budget": 2})

    # TECH: 2*1 / (2*2) = 50.0; MONEY and SAME: 100.0, tie kept in catalogue order
    assert [(r.code, r.fit) for r in ranked] == [("MONEY", 100.0), ("SAME", 100.0), ("TECH", 50.0)]


def test_bands_thresholds():
    assert band_for(100.0) == "ready"
    assert band_for(85.0) == "ready"
    assert band_for(84.9) == "close"
    assert band_for(70.0) == "close"
    assert band_for(69.9) == "developing"
    assert band_for(50.0) == "developing"
    assert band_for(49.9) == "distant"
    assert band_for(0.0) == "distant"
