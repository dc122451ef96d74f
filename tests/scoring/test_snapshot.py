"""Reading stored snapshots and digests back: the version is checked, the shape is kept."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import (
    SNAPSHOT_VERSION,
    SnapshotVersionError,
    digest_of,
    next_steps,
    profiles_from_snapshot,
    rank_roles,
    read_digest,
    read_snapshot,
    saved_levels,
    skill_codes,
)


def text(value):
    return {"fr": value, "en": value}


def skill(order, actions=()):
    return {
        "id": 10 + order,
        "order": order,
        "name": text(f"Skill {order}"),
        "category": {"code": "cat", "name": text("Category")},
        "levels": {str(n): text(f"level {n}") for n in (1, 2, 3, 4)},
        "actions": [
            {"level": lvl, "kind": "training", "title": text(f"T{lvl}"), "detail": text("")}
            for lvl in actions
        ],
    }


# Role R: risk (w5 t3), plan (w4 t3); role S: plan (w2 t2). Levels: risk 2, plan 1.
SNAPSHOT = {
    "version": 1,
    "mode": "full",
    "roles": [
        {
            "code": code,
            "order": 0,
            "ladder": "",
            "rank": 0,
            "name": text(f"Role {code}"),
            "summary": text(""),
            "requirements": [{"skill": s, "weight": w, "target": t} for s, w, t in reqs],
            "career": {"from": [], "to": [{"name": text("Next"), "role": None}]},
        }
        for code, reqs in (("R", [("risk", 5, 3), ("plan", 4, 3)]), ("S", [("plan", 2, 2)]))
    ],
    "skills": {"risk": skill(1, actions=(2, 3, 4)), "plan": skill(2, actions=(1, 4))},
    "levels": {"risk": 2, "plan": 1},
}


@pytest.fixture
def snapshot():
    return copy.deepcopy(SNAPSHOT)


def test_the_current_version_is_read_back_as_it_is(snapshot):
    assert SNAPSHOT_VERSION == 1
    read = read_snapshot(snapshot)

    assert read is snapshot  # a cast, not a copy: reading costs nothing
    assert read["version"] == SNAPSHOT_VERSION


@pytest.mark.parametrize("version", [2, 0, "1", 1.0, True, None])
def test_a_snapshot_of_another_version_is_refused(snapshot, version):
    snapshot["version"] = version

    with pytest.raises(SnapshotVersionError, match="snapshot version"):
        read_snapshot(snapshot)


def test_a_snapshot_without_a_version_or_no_snapshot_at_all_is_refused(snapshot):
    del snapshot["version"]

    with pytest.raises(SnapshotVersionError):
        read_snapshot(snapshot)
    for not_a_snapshot in (None, [], "snapshot", 1):
        with pytest.raises(SnapshotVersionError):
            read_snapshot(not_a_snapshot)
    assert issubclass(SnapshotVersionError, ValueError)


def test_digest_of_a_hand_built_snapshot(snapshot):
    digest = digest_of(snapshot)

    assert digest == {
        "levels": {"risk": 2, "plan": 1},
        "roles": [
            {
                "code": "R",
                "name": text("Role R"),
                "requirements": [
                    {"skill": "risk", "weight": 5, "target": 3},
                    {"skill": "plan", "weight": 4, "target": 3},
                ],
            },
            {
                "code": "S",
                "name": text("Role S"),
                "requirements": [{"skill": "plan", "weight": 2, "target": 2}],
            },
        ],
        "skills": {
            "risk": {"id": 11, "name": text("Skill 1"), "order": 1},
            "plan": {"id": 12, "name": text("Skill 2"), "order": 2},
        },
    }
    assert "version" not in digest  # a digest of a version-1 snapshot, as stored so far


def test_a_digest_scores_as_its_snapshot(snapshot):
    digest = digest_of(snapshot)

    from_snapshot = rank_roles(profiles_from_snapshot(snapshot), snapshot["levels"])
    from_digest = rank_roles(profiles_from_snapshot(digest), digest["levels"])

    assert from_digest == from_snapshot
    # R: (5*2 + 4*1) / (15 + 12) = 14/27 = 51.85 -> 51.9; S: 2*1 / 4 = 50.0
    assert [(s.code, s.fit) for s in from_snapshot] == [("R", 51.9), ("S", 50.0)]


def test_digests_are_read_back_with_the_snapshots_version(snapshot):
    digest = digest_of(snapshot)

    assert read_digest(digest) is digest  # no version key: a version-1 snapshot's
    assert read_digest({**digest, "version": SNAPSHOT_VERSION}) == {**digest, "version": 1}
    with pytest.raises(SnapshotVersionError, match="digest version 2"):
        read_digest({**digest, "version": 2})
    with pytest.raises(SnapshotVersionError):
        read_digest(None)


def test_levels_skills_and_next_steps_read_from_the_snapshot(snapshot):
    del snapshot["levels"]["plan"]  # never asked: counts as 0

    assert skill_codes(snapshot) == ["risk", "plan"]
    assert saved_levels(snapshot) == {"risk": 2, "plan": 0}
    # risk at 2, target 3: the actions for level 3
    assert [a["level"] for a in next_steps(snapshot["skills"]["risk"], 2, 3)] == [3]
    # plan at 1, target 3: nothing at 2 or 3, so those above 1
    assert [a["level"] for a in next_steps(snapshot["skills"]["plan"], 1, 3)] == [4]
    # plan at 4 (above every action): all of them
    assert [a["level"] for a in next_steps(snapshot["skills"]["plan"], 4, 4)] == [1, 4]


def test_the_scoring_package_imports_nothing_from_django_or_the_apps():
    code = (
        "import sys, scoring; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'careers', 'assessments', 'teams', 'accounts', 'config'}); "
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert out.stdout.strip() == ""
