"""The inventory's rows (LatestLevel) follow every write that changes a person's figure:
a submission, a manager's rating, a review shared or unshared. Hand-built data."""

import pytest

from assessments.services import assessment_start
from organisation.models import LatestLevel
from organisation.services import levels_rebuild
from teams.services import ratings_save, review_share
from tests.assessments.helpers import submitted
from tests.organisation.helpers import person, result, reviewed, team_in, unit

pytestmark = pytest.mark.django_db


def levels(user) -> dict[int, tuple[int, str]]:
    return {row.skill_id: (row.level, row.source) for row in LatestLevel.objects.filter(user=user)}


@pytest.fixture
def team(catalogue):
    return team_in(unit("Direction"), "Plateforme")


def test_a_submission_gives_the_persons_own_levels(team, catalogue):
    alice = person(team, catalogue[0], 2)
    skills = list(catalogue[0].skills.order_by("pk").values_list("pk", flat=True))
    assert levels(alice) == {skill: (2, "self") for skill in skills}
    row = LatestLevel.objects.filter(user=alice).first()
    assert row is not None and row.dated_at == row.submitted_at == row.assessment.submitted_at


def test_a_draft_changes_nothing(team, catalogue):
    alice = person(team, catalogue[0], 2)
    before = levels(alice)
    assessment_start(owner=alice, roles=[catalogue[0]])
    assert levels(alice) == before


def test_the_latest_submitted_result_wins(team, catalogue):
    alice = person(team, catalogue[0], 1)
    newer = result(alice, catalogue[1], 4)  # role B: every other skill only
    assert {level for level, _ in levels(alice).values()} == {4}
    assert set(levels(alice)) == set(newer.answers.values_list("skill_id", flat=True))


def test_a_quick_result_is_never_taken(team, catalogue):
    alice = person(team, catalogue[0], 1)
    before = levels(alice)
    catalogue[0].requirements.update(is_core=True)
    quick = assessment_start(owner=alice, roles=[catalogue[0]], quick=True)
    assert submitted(quick, level_for=lambda i: 4).is_quick
    assert levels(alice) == before


def test_the_managers_rating_counts_once_the_review_is_shared(team, catalogue):
    alice = person(team, catalogue[0], 1)
    skill, other = catalogue[0].skills.order_by("pk")[:2]
    assessment = reviewed(team, alice, catalogue[0], own=2, rated={skill.pk: 4}, share=False)
    # Not shared yet: the member has not been shown it, their own answer stands.
    assert levels(alice)[skill.pk] == (2, "self")
    manager = team.memberships.get(kind="manager").user
    review_share(assessment=assessment, manager=manager)
    assert levels(alice)[skill.pk] == (4, "manager")
    assert levels(alice)[other.pk] == (2, "self")
    row = LatestLevel.objects.get(user=alice, skill=skill)
    assert row.dated_at == assessment.ratings.get(skill=skill).updated_at
    # A rating changed after sharing is followed; unsharing gives the own level back.
    ratings_save(assessment=assessment, manager=manager, values={skill.pk: (3, "")})
    assert levels(alice)[skill.pk] == (3, "manager")
    ratings_save(assessment=assessment, manager=manager, values={skill.pk: (None, "")})
    assert levels(alice)[skill.pk] == (2, "self")
    ratings_save(assessment=assessment, manager=manager, values={skill.pk: (0, "")})
    review_share(assessment=assessment, manager=manager, shared=False)
    assert levels(alice)[skill.pk] == (2, "self")


def test_a_newer_own_result_replaces_a_shared_review(team, catalogue):
    alice = person(team, catalogue[0], 1)
    skill = catalogue[0].skills.order_by("pk")[0]
    reviewed(team, alice, catalogue[0], own=2, rated={skill.pk: 4})
    result(alice, catalogue[0], 1)
    assert levels(alice)[skill.pk] == (1, "self")


def test_deleting_the_account_deletes_the_rows(team, catalogue):
    alice = person(team, catalogue[0], 2)
    alice.delete()
    assert not LatestLevel.objects.exists()


def test_the_rebuild_writes_what_the_write_path_wrote(team, catalogue):
    alice = person(team, catalogue[0], 2)
    skill = catalogue[0].skills.order_by("pk")[0]
    reviewed(team, alice, catalogue[0], own=3, rated={skill.pk: 4})
    bob = person(team, catalogue[1], 1)
    before = {"alice": levels(alice), "bob": levels(bob)}
    LatestLevel.objects.all().delete()
    assert levels_rebuild() == 2
    assert {"alice": levels(alice), "bob": levels(bob)} == before
