import pytest

from assessments.models import Answer, Assessment
from assessments.results import build_result, result_document
from assessments.services import (
    AnswerInput,
    AssessmentLocked,
    IncompleteAssessment,
    answers_save,
    assessment_retake,
    assessment_start,
    assessment_submit,
)
from careers.models import RoleRequirement, SkillLevel
from tests.assessments.helpers import answer_all, submitted

pytestmark = pytest.mark.django_db


def test_answers_save_touches_only_the_given_skills(individual, catalogue):
    assessment = assessment_start(owner=individual, roles=catalogue)
    first, second = catalogue[0].skills.all()[:2]
    answers_save(assessment=assessment, values={first.pk: AnswerInput(2, "Led the Q3 plan")})
    answers_save(assessment=assessment, values={second.pk: AnswerInput(4, "")})
    outcome = answers_save(assessment=assessment, values={first.pk: AnswerInput(3, "Led it")})

    assert outcome.changed == 1
    assert dict(Answer.objects.values_list("skill_id", "level")) == {first.pk: 3, second.pk: 4}
    assert Answer.objects.get(skill=first).note == "Led it"
    again = answers_save(assessment=assessment, values={first.pk: AnswerInput(3, "Led it")})
    assert again.changed == 0


def test_submit_refuses_missing_answers_and_names_them(individual, catalogue):
    assessment = assessment_start(owner=individual, roles=catalogue)
    skills = list(catalogue[0].skills.order_by("category__order", "order"))
    answers_save(assessment=assessment, values={skills[0].pk: AnswerInput(1, "")})

    with pytest.raises(IncompleteAssessment) as error:
        assessment_submit(assessment=assessment)

    assert [s.pk for s in error.value.missing] == [s.pk for s in skills[1:]]
    assessment.refresh_from_db()
    assert assessment.is_draft and assessment.snapshot is None


def test_submit_freezes_levels_and_catalogue(individual, catalogue):
    assessment = submitted(assessment_start(owner=individual, roles=catalogue))

    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.submitted_at is not None
    snapshot = assessment.snapshot
    assert [r["code"] for r in snapshot["roles"]] == ["AAA", "BBB"]
    assert len(snapshot["roles"][0]["requirements"]) == 6
    assert len(snapshot["roles"][1]["requirements"]) == 3
    assert set(snapshot["levels"]) == set(snapshot["skills"])
    assert all(len(skill["levels"]) == 4 for skill in snapshot["skills"].values())


def test_submitting_twice_keeps_one_result(individual, catalogue):
    assessment = submitted(assessment_start(owner=individual, roles=catalogue))
    first_time = assessment.submitted_at

    again = assessment_submit(assessment=assessment)

    assert again.submitted_at == first_time
    assert Assessment.objects.filter(owner=individual).count() == 1


def test_submitted_answers_are_locked(individual, catalogue):
    assessment = submitted(assessment_start(owner=individual, roles=catalogue))
    skill = catalogue[0].skills.first()

    with pytest.raises(AssessmentLocked):
        answers_save(assessment=assessment, values={skill.pk: AnswerInput(0, "")})


def test_catalogue_edits_never_change_a_submitted_result(individual, catalogue):
    assessment = submitted(assessment_start(owner=individual, roles=catalogue))
    before_doc = result_document(assessment, "en")
    before_page = build_result(assessment, "fr")

    RoleRequirement.objects.update(weight=1, target=4)
    RoleRequirement.objects.filter(role=catalogue[1]).delete()
    SkillLevel.objects.update(descriptor_fr="changé", descriptor_en="changed")
    catalogue[0].skills.update(name_en="Renamed")
    assessment.refresh_from_db()

    assert result_document(assessment, "en") == before_doc
    assert build_result(assessment, "fr") == before_page


def test_retake_starts_a_blank_draft_with_the_same_roles(individual, catalogue):
    old = submitted(assessment_start(owner=individual, roles=catalogue))

    new = assessment_retake(assessment=old)

    assert new.is_draft and new.pk != old.pk
    assert set(new.roles.all()) == set(catalogue)
    assert not new.answers.exists()


def test_retake_skips_roles_no_longer_published(individual, catalogue):
    old = submitted(assessment_start(owner=individual, roles=catalogue))
    catalogue[1].is_published = False
    catalogue[1].save()

    assert list(assessment_retake(assessment=old).roles.all()) == [catalogue[0]]


def test_result_scores_match_the_contract_on_a_real_assessment(individual, catalogue):
    """Role AAA: six skills, weights 1..5,1 and targets 1..4,1,2; levels 0,1,2,3,4,0."""
    assessment = assessment_start(owner=individual, roles=catalogue[:1])
    answer_all(assessment)
    assessment = assessment_submit(assessment=assessment)

    (role,) = result_document(assessment)["roles"]
    # weights 1,2,3,4,5,1; targets 1,2,3,4,1,2; levels 0,1,2,3,4,0
    # achieved = 1*0 + 2*1 + 3*2 + 4*3 + 5*1 + 1*0 = 25
    # possible = 1*1 + 2*2 + 3*3 + 4*4 + 5*1 + 1*2 = 37 -> 67.567... -> 67.6
    assert role["fit"] == 67.6
    # priorities: s0 1*1=1, s1 2*1=2, s2 3*1=3, s3 4*1=4, s5 1*2=2; s4 is a strength
    assert [s["priority"] for s in role["skills"]] == [4, 3, 2, 2, 1, 0]
    # s1 (weight 2) before s5 (weight 1) at priority 2
    assert [s["weight"] for s in role["skills"]] == [4, 3, 2, 1, 1, 5]


def test_submission_writes_the_digest_that_team_figures_read(individual, catalogue):
    from scoring import digest_of

    result = submitted(assessment_start(owner=individual, roles=catalogue))
    result.refresh_from_db()

    assert result.digest == digest_of(result.snapshot)
    assert result.digest["levels"] == result.snapshot["levels"]
    assert [r["requirements"] for r in result.digest["roles"]] == [
        r["requirements"] for r in result.snapshot["roles"]
    ]
    skill = next(iter(result.snapshot["skills"]))
    assert set(result.digest["skills"][skill]) == {"id", "name", "order"}


def test_migration_fills_the_digest_of_older_results(individual, catalogue):
    from importlib import import_module

    from django.apps import apps

    from scoring import digest_of

    migration = import_module("assessments.migrations.0005_scoring_digest")
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    draft = assessment_start(owner=individual, roles=catalogue)
    Assessment.objects.update(digest=None)

    migration.fill_digests(apps, None)

    result.refresh_from_db()
    draft.refresh_from_db()
    assert result.digest == digest_of(result.snapshot)
    assert draft.digest is None
