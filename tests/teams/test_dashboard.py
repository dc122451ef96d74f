"""Team figures, checked against numbers worked out by hand."""

from scoring import is_blind_spot, used_levels
from teams.dashboard import MemberData, build_dashboard


def text(value):
    return {"fr": value, "en": value}


def snapshot(levels, roles=("DEV",)):
    """Two skills: risk (weight 4, target 3) and cloud (weight 2, target 2) for DEV;
    OPS needs only cloud (weight 5, target 4)."""
    profiles = {
        "DEV": [
            {"skill": "risk", "weight": 4, "target": 3},
            {"skill": "cloud", "weight": 2, "target": 2},
        ],
        "OPS": [{"skill": "cloud", "weight": 5, "target": 4}],
    }
    action = {"kind": "training", "title": text("Course"), "detail": text("")}
    return {
        "roles": [{"code": c, "name": text(c), "requirements": profiles[c]} for c in roles],
        "skills": {
            "risk": {
                "order": 1,
                "name": text("Risk"),
                "actions": [
                    {**action, "level": lvl, "title": text(f"Risk {lvl}")} for lvl in (1, 2, 3, 4)
                ],
            },
            "cloud": {
                "order": 2,
                "name": text("Cloud"),
                "actions": [
                    {**action, "level": lvl, "title": text(f"Cloud {lvl}")} for lvl in (1, 2, 3, 4)
                ],
            },
        },
        "levels": levels,
    }


def member(key, levels, ratings=None, roles=("DEV",), target="DEV"):
    return MemberData(
        key=key,
        name=f"m{key}",
        snapshot=snapshot(levels, roles),
        ratings=ratings or {},
        target_role=target,
    )


def test_used_level_is_the_managers_where_there_is_one():
    assert used_levels({"risk": 1, "cloud": 3}, {"risk": 3}) == {"risk": 3, "cloud": 3}


def test_blind_spot_is_a_difference_of_two_or_more():
    assert is_blind_spot(1, 3) and is_blind_spot(4, 2) and is_blind_spot(0, 4)
    assert not is_blind_spot(2, 3) and not is_blind_spot(2, 2)
    assert not is_blind_spot(2, None)


def test_heatmap_uses_manager_ratings_and_targets():
    board = build_dashboard([member(1, {"risk": 1, "cloud": 3}, ratings={"risk": 2})])

    assert board.skills == [("risk", "Risk"), ("cloud", "Cloud")]
    (row,) = board.rows
    assert [(c.used, c.target, c.delta, c.rated) for c in row.cells] == [
        (2, 3, -1, True),
        (3, 2, 1, False),
    ]
    # fit: (4*2 + 2*2) / (4*3 + 2*2) = 12/16 = 75.0
    assert row.fit == 75.0


def test_group_figures_are_hidden_under_three_people():
    board = build_dashboard(
        [member(1, {"risk": 0, "cloud": 0}), member(2, {"risk": 3, "cloud": 2})]
    )

    assert not board.grouped
    assert board.coverage == [None, None]
    assert board.team_fit == {} and board.gaps == []


def test_coverage_team_fit_and_team_gaps_for_three_members():
    members = [
        member(1, {"risk": 3, "cloud": 2}),  # fit 100.0, no gap
        member(2, {"risk": 1, "cloud": 2}),  # risk gap 2 -> priority 8; fit (4+4)/16 = 50.0
        member(3, {"risk": 2, "cloud": 0}, ratings={"cloud": 1}),
        # risk gap 1 -> 4; cloud used 1, gap 1 -> 2; fit (8+2)/16 = 62.5
    ]

    board = build_dashboard(members)

    assert board.grouped
    assert [(c.met, c.of) for c in board.coverage] == [(1, 3), (2, 3)]
    # mean(100.0, 50.0, 62.5) = 70.8333 -> 70.8
    assert board.team_fit == {"DEV": 70.8}
    assert [(g.code, g.priority, g.members) for g in board.gaps] == [
        ("risk", 12, 2),
        ("cloud", 2, 1),
    ]
    # members with a risk gap are at 1 and 2: next levels 2 and 3, tie -> first seen (2)
    assert [a["title"] for a in board.gaps[0].actions] == ["Risk 2"]


def test_member_is_shown_against_the_target_role_the_manager_set():
    ops = member(1, {"risk": 0, "cloud": 2}, roles=("DEV", "OPS"), target="OPS")

    board = build_dashboard([ops])

    (row,) = board.rows
    assert row.role == "OPS"
    assert board.skills == [("cloud", "Cloud")]
    # OPS: cloud 2 of target 4, weight 5 -> 10/20 = 50.0
    assert row.fit == 50.0


def test_members_who_have_not_submitted_are_left_out_of_the_figures():
    pending = MemberData(key=9, name="m9", snapshot=None, ratings={}, target_role="DEV")

    board = build_dashboard([pending, member(1, {"risk": 3, "cloud": 2})])

    assert board.submitted == 1
    assert [row.key for row in board.rows] == [1]


def test_change_since_the_previous_cycle():
    before = [member(k, {"risk": 1, "cloud": 1}) for k in (1, 2, 3)]  # (4+2)/16 = 37.5 each
    now = [member(k, {"risk": 3, "cloud": 1}) for k in (1, 2, 3)]  # (12+2)/16 = 87.5 each

    board = build_dashboard(now, previous=before)

    assert board.change == {"DEV": (37.5, 87.5)}


def test_digests_give_the_same_board_and_next_steps_come_from_the_loader():
    """Digests leave next steps out: the team gaps' steps are fetched for the top gaps only,
    each from an assessment of a member who has that gap."""
    from scoring import digest_of

    full = [
        member(1, {"risk": 3, "cloud": 2}),
        member(2, {"risk": 1, "cloud": 1}),
        member(3, {"risk": 2, "cloud": 2}),
    ]
    digested = [
        MemberData(
            key=m.key,
            name=m.name,
            snapshot=digest_of(m.snapshot),
            ratings=m.ratings,
            target_role=m.target_role,
            assessment_id=100 + m.key,
        )
        for m in full
    ]
    asked = []

    def load_actions(wanted):
        asked.append(wanted)
        return {code: full[0].snapshot["skills"][code]["actions"] for code in wanted}

    expected = build_dashboard(full)
    board = build_dashboard(digested, load_actions=load_actions)

    assert "actions" not in digested[0].snapshot["skills"]["risk"]
    assert board == expected
    # member 2 is the first with a risk gap, and with a cloud gap: one call for both skills
    assert asked == [{"risk": 102, "cloud": 102}]


def test_heatmap_columns_follow_the_catalogue_order_given_across_snapshots():
    """Each snapshot numbers its own skills (DEV's: risk 1, cloud 2), so members with other
    roles may number them otherwise: the catalogue's order, when given, settles it."""
    members = [member(1, {"risk": 1, "cloud": 1}), member(2, {"risk": 2, "cloud": 2})]

    by_snapshot = build_dashboard(members)
    by_catalogue = build_dashboard(members, skill_order={"cloud": (1, 1, 7), "risk": (2, 1, 3)})

    assert [code for code, _name in by_snapshot.skills] == ["risk", "cloud"]
    assert [code for code, _name in by_catalogue.skills] == ["cloud", "risk"]
    # the cells move with their columns
    assert [(c.used, c.target) for c in by_catalogue.rows[0].cells] == [(1, 2), (1, 3)]
