import pytest
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import (
    AnswerInput,
    answers_save,
    assessment_start,
    assessment_submit,
)
from careers.models import Role, RoleRequirement
from tests.assessments.helpers import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def core_catalogue(catalogue):
    """Role AAA: the first three of its six skills are core."""
    for req in RoleRequirement.objects.filter(role=catalogue[0]).order_by("skill__order")[:3]:
        req.is_core = True
        req.save()
    return catalogue


def test_quick_assessment_asks_only_the_core_skills(client, individual, core_catalogue):
    client.force_login(individual)

    client.post(reverse("assessments:new"), {"roles": [core_catalogue[0].pk], "quick": "on"})

    quick = Assessment.objects.get()
    assert quick.is_quick
    page = client.get(reverse("assessments:review", args=[quick.pk]))
    core = set(
        RoleRequirement.objects.filter(role=core_catalogue[0], is_core=True).values_list(
            "skill_id", flat=True
        )
    )
    assert {skill.pk for skill in page.context["questionnaire"].skills} == core


def test_quick_result_is_provisional_and_scored_over_core_requirements(
    client, individual, core_catalogue
):
    quick = submitted(
        assessment_start(owner=individual, roles=core_catalogue[:1], quick=True),
        level_for=lambda i: 1,
    )
    client.force_login(individual)

    page = client.get(reverse("assessments:detail", args=[quick.pk]))
    data = client.get(reverse("assessments:result_json", args=[quick.pk])).json()

    assert quick.snapshot["mode"] == "quick"
    assert "Résultat provisoire" in page.text
    (role,) = data["roles"]
    assert len(role["skills"]) == 3
    # core skills 0, 1, 2 of role AAA: weights 1, 2, 3; targets 1, 2, 3; levels all 1
    # achieved 1 + 2 + 3 = 6; possible 1 + 4 + 9 = 14 -> 42.9
    assert role["fit"] == 42.9


def test_continuing_a_quick_assessment_keeps_every_answer(client, individual, core_catalogue):
    quick = assessment_start(owner=individual, roles=core_catalogue[:1], quick=True)
    core = RoleRequirement.objects.filter(role=core_catalogue[0], is_core=True)
    answers_save(assessment=quick, values={r.skill_id: AnswerInput(2, "note") for r in core})
    quick = assessment_submit(assessment=quick)
    client.force_login(individual)

    response = client.post(reverse("assessments:continue", args=[quick.pk]))

    full = Assessment.objects.exclude(pk=quick.pk).get()
    assert response["Location"] == reverse("assessments:detail", args=[full.pk])
    assert not full.is_quick and full.is_draft
    assert {(a.skill_id, a.level, a.note) for a in full.answers.all()} == {
        (r.skill_id, 2, "note") for r in core
    }
    review = client.get(reverse("assessments:review", args=[full.pk]))
    assert review.context["questionnaire"].answered == 3
    assert len(review.context["questionnaire"].missing) == 3


def test_only_a_quick_assessment_can_be_continued_and_only_by_its_owner(
    client, individual, outsider, catalogue
):
    full = assessment_start(owner=individual, roles=catalogue)
    quick = assessment_start(owner=individual, roles=catalogue, quick=True)
    client.force_login(individual)
    assert client.post(reverse("assessments:continue", args=[full.pk])).status_code == 404
    client.force_login(outsider)
    assert client.post(reverse("assessments:continue", args=[quick.pk])).status_code == 404


def test_result_shows_the_highest_rung_met_on_a_ladder(client, individual, catalogue):
    Role.objects.filter(code="AAA").update(ladder="demo", ladder_rank=1)
    Role.objects.filter(code="BBB").update(ladder="demo", ladder_rank=2)
    result = submitted(assessment_start(owner=individual, roles=catalogue), lambda i: 4)
    client.force_login(individual)

    page = client.get(reverse("assessments:detail", args=[result.pk]))

    (ladder,) = page.context["ladders"]
    assert [r["code"] for r in ladder["rungs"]] == ["AAA", "BBB"]
    # every level at 4 meets every target: both rungs are met, the top one is the highest
    assert [r["met"] for r in ladder["rungs"]] == [True, True]
    assert ladder["highest"] == Role.objects.get(code="BBB").name_fr
    assert ladder["next"] is None
