import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment
from assessments.selectors import questionnaire_for
from assessments.services import assessment_start
from careers.models import Skill
from tests.assessments.helpers import submitted
from tests.conftest import build_catalogue
from tests.factories import RoleFactory, RoleRequirementFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(individual, catalogue):
    return assessment_start(owner=individual, roles=catalogue)


def step_url(assessment, number=1):
    return reverse("assessments:step", args=[assessment.pk, number])


def test_new_assessment_needs_login(client, catalogue):
    response = client.get(reverse("assessments:new"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_new_assessment_lists_published_roles_only(client, individual, catalogue):
    RoleFactory(code="HIDDEN", name_fr="Rôle caché", is_published=False)
    client.force_login(individual)

    response = client.get(reverse("assessments:new"))

    assert response.status_code == 200
    assert "AAA" in response.text and "BBB" in response.text
    assert "Rôle caché" not in response.text


def test_choosing_roles_starts_a_draft(client, individual, catalogue):
    client.force_login(individual)

    response = client.post(reverse("assessments:new"), {"roles": [r.pk for r in catalogue]})

    assessment = Assessment.objects.get(owner=individual)
    assert response.status_code == 302
    assert response["Location"] == step_url(assessment, 1)
    assert set(assessment.roles.all()) == set(catalogue)


def test_choosing_no_role_says_so(client, individual, catalogue):
    client.force_login(individual)

    response = client.post(reverse("assessments:new"), {})

    assert response.status_code == 200
    assert "Choisissez au moins un rôle." in response.text
    assert not Assessment.objects.exists()


def test_unpublished_role_cannot_be_chosen(client, individual, catalogue):
    hidden = RoleFactory(is_published=False)
    client.force_login(individual)

    response = client.post(reverse("assessments:new"), {"roles": [hidden.pk]})

    assert response.status_code == 200
    assert not Assessment.objects.exists()


def test_step_shows_one_category_with_descriptors_as_options(client, individual, draft):
    client.force_login(individual)

    response = client.get(step_url(draft, 1))

    steps = questionnaire_for(draft).steps
    assert len(steps) == 2
    first_skills = steps[0].skills
    shown = re.findall(r'<fieldset class="card question mb-4" id="skill-([^"]+)"', response.text)
    assert shown == [skill.code for skill in first_skills]
    for skill in first_skills:
        assert f"Niveau 3 de {skill.code}" in response.text
        for value in range(5):
            assert f'name="s{skill.pk}-level"' in response.text
            assert f'value="{value}"' in response.text
    assert "Aucune expérience" in response.text
    assert "0 sur 6 questions répondues" in response.text
    assert "Étape 1 sur 2" in response.text


def test_step_out_of_range_is_404(client, individual, draft):
    client.force_login(individual)
    assert client.get(step_url(draft, 3)).status_code == 404
    assert client.get(step_url(draft, 0)).status_code == 404


def test_posting_a_step_saves_answers_and_moves_on(client, individual, draft):
    client.force_login(individual)
    skills = draft.roles.first().skills.order_by("category__order", "order")[:3]
    data = {f"s{s.pk}-level": str(i + 1) for i, s in enumerate(skills)}
    data[f"s{skills[0].pk}-note"] = "Plan de migration 2025"
    data["go"] = "next"

    response = client.post(step_url(draft, 1), data)

    assert response.status_code == 302
    assert response["Location"] == step_url(draft, 2)
    assert dict(Answer.objects.values_list("skill_id", "level")) == {
        s.pk: i + 1 for i, s in enumerate(skills)
    }
    assert Answer.objects.get(skill=skills[0]).note == "Plan de migration 2025"


def test_an_unset_radio_keeps_the_level_saved_elsewhere(client, individual, draft):
    """Another tab saved level 4; this tab's step form has no level for it."""
    skill = draft.roles.first().skills.order_by("category__order", "order").first()
    Answer.objects.create(assessment=draft, skill=skill, level=4)
    client.force_login(individual)

    client.post(step_url(draft, 1), {f"s{skill.pk}-note": "", "go": "next"})

    assert Answer.objects.get(skill=skill).level == 4


def test_out_of_range_level_is_refused_with_a_message(client, individual, draft):
    skill = draft.roles.first().skills.order_by("category__order", "order").first()
    client.force_login(individual)

    response = client.post(step_url(draft, 1), {f"s{skill.pk}-level": "7", "go": "next"})

    assert response.status_code == 200
    assert "Choisissez un niveau entre 0 et 4." in response.text
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("go", "expected"), [("previous", 1), ("step-1", 1), ("review", None), ("quit", "list")]
)
def test_step_buttons_lead_where_they_say(client, individual, draft, go, expected):
    client.force_login(individual)

    response = client.post(step_url(draft, 2), {"go": go})

    if expected == "list":
        assert response["Location"] == reverse("assessments:list")
    elif expected is None:
        assert response["Location"] == reverse("assessments:review", args=[draft.pk])
    else:
        assert response["Location"] == step_url(draft, expected)


def test_autosave_endpoint_saves_one_answer(client, individual, draft):
    skill = draft.roles.first().skills.first()
    client.force_login(individual)

    response = client.post(
        reverse("assessments:answer", args=[draft.pk, skill.pk]),
        {f"s{skill.pk}-level": "3", f"s{skill.pk}-note": "Audit ISO"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "Enregistré" in response.text
    assert "1 sur 6 questions répondues" in response.text  # progress swapped out of band
    answer = Answer.objects.get()
    assert (answer.skill_id, answer.level, answer.note) == (skill.pk, 3, "Audit ISO")


def test_autosave_refuses_a_skill_outside_the_questionnaire(client, individual, draft):
    stranger = SkillFactory()
    client.force_login(individual)

    response = client.post(
        reverse("assessments:answer", args=[draft.pk, stranger.pk]),
        {f"s{stranger.pk}-level": "3"},
    )

    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_autosave_refuses_a_bad_level(client, individual, draft):
    skill = draft.roles.first().skills.first()
    client.force_login(individual)

    response = client.post(
        reverse("assessments:answer", args=[draft.pk, skill.pk]), {f"s{skill.pk}-level": "-1"}
    )

    assert response.status_code == 400
    assert "entre 0 et 4" in response.text
    assert not Answer.objects.exists()


def test_autosave_after_submission_is_refused(client, individual, draft):
    from tests.assessments.helpers import submitted

    submitted(draft, level_for=lambda i: 3)
    skill = draft.roles.first().skills.first()
    client.force_login(individual)

    response = client.post(
        reverse("assessments:answer", args=[draft.pk, skill.pk]), {f"s{skill.pk}-level": "0"}
    )

    assert response.status_code == 409
    assert Answer.objects.get(assessment=draft, skill=skill).level == 3
    draft.refresh_from_db()
    assert draft.snapshot["levels"][skill.code] == 3


def test_draft_survives_logout_and_resumes_at_the_first_open_step(client, individual, draft):
    steps_first = draft.roles.first().skills.order_by("category__order", "order")[:3]
    for skill in steps_first:
        Answer.objects.create(assessment=draft, skill=skill, level=2)
    client.force_login(individual)
    client.post(reverse("logout"))
    client.force_login(individual)

    listing = client.get(reverse("assessments:list"))
    resume = client.get(reverse("assessments:detail", args=[draft.pk]))

    assert "3 sur 6 répondues" in listing.text
    assert resume["Location"] == step_url(draft, 2)


def test_review_lists_missing_questions(client, individual, draft):
    client.force_login(individual)

    response = client.post(reverse("assessments:review", args=[draft.pk]))

    assert response.status_code == 200
    assert "Répondez à toutes les questions avant de soumettre." in response.text
    assert "6 questions sont encore sans réponse" in response.text
    for skill in Skill.objects.all():
        assert skill.name_fr in response.text
    draft.refresh_from_db()
    assert draft.is_draft


def test_complete_review_submits_and_shows_the_result(client, individual, draft):
    from tests.assessments.helpers import answer_all

    answer_all(draft)
    client.force_login(individual)

    response = client.post(reverse("assessments:review", args=[draft.pk]))
    again = client.post(reverse("assessments:review", args=[draft.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[draft.pk])
    assert again["Location"] == response["Location"]
    assert Assessment.objects.get().status == Assessment.Status.SUBMITTED


def _draft_over(user, categories, per_category):
    roles = build_catalogue(categories=categories, skills_per_category=per_category)
    draft = assessment_start(owner=user, roles=roles)
    skills = list(Skill.objects.all())
    Answer.objects.bulk_create(Answer(assessment=draft, skill=s, level=1) for s in skills[::2])
    return draft


@pytest.mark.parametrize(("categories", "per_category"), [(2, 3), (8, 12)])
def test_questionnaire_pages_query_count_does_not_grow(
    client, individual, django_assert_num_queries, categories, per_category
):
    draft = _draft_over(individual, categories, per_category)
    client.force_login(individual)

    # session + user + the assessment with its answers (one query) + roles + skills +
    # levels; the roles, the skills and the rendered step are then kept in the cache for
    # every later page
    with django_assert_num_queries(6):
        assert client.get(step_url(draft, 1)).status_code == 200
    with django_assert_num_queries(4):  # session + user + assessment and answers + levels
        assert client.get(step_url(draft, 2)).status_code == 200
    with django_assert_num_queries(3):  # the kept step: session + user + assessment and answers
        assert client.get(step_url(draft, 1)).status_code == 200
    with django_assert_num_queries(4):  # no descriptors on the review page
        assert client.get(reverse("assessments:review", args=[draft.pk])).status_code == 200
    skill = Skill.objects.first()
    # session + user + the save: the assessment row locked and read, every answer read
    # (the stored one and the progress), the write, between a savepoint and its release
    # (BEGIN and COMMIT outside a test); the questions come from the cache, and the
    # draft's "saved" date is its latest answer's, so the draft row is not written
    with django_assert_num_queries(7):
        response = client.post(
            reverse("assessments:answer", args=[draft.pk, skill.pk]), {f"s{skill.pk}-level": "2"}
        )
        assert response.status_code == 200


def test_other_roles_skills_are_not_asked(client, individual, catalogue):
    other = RoleRequirementFactory()
    draft = assessment_start(owner=individual, roles=catalogue[1:])
    client.force_login(individual)

    response = client.get(step_url(draft, 1))

    assert other.skill.name_fr not in response.text
    assert "0 sur 3 questions répondues" in response.text


def test_the_drafts_list_says_when_the_latest_answer_was_saved(client, individual, draft):
    skill = draft.roles.first().skills.first()
    started = timezone.make_aware(datetime(2026, 3, 1, 9, 0))
    Assessment.objects.filter(pk=draft.pk).update(updated_at=started)
    client.force_login(individual)
    listed = client.get(reverse("assessments:list")).text
    assert "1 mars 2026, 09:00" in listed  # nothing answered: when it was started

    Answer.objects.create(assessment=draft, skill=skill, level=2, revision=1)
    Answer.objects.filter(assessment=draft).update(
        updated_at=timezone.make_aware(datetime(2026, 3, 4, 17, 30))
    )
    listed = client.get(reverse("assessments:list")).text

    assert "Enregistré le 4 mars 2026, 17:30 · 1 sur 6 répondues" in listed
    assert "1 mars 2026" not in listed

    other = UserFactory()
    client.force_login(other)
    assert "4 mars 2026" not in client.get(reverse("assessments:list")).text


def test_an_empty_history_says_so_and_offers_the_next_step(client, individual):
    client.force_login(individual)
    page = client.get(reverse("assessments:list")).text
    results = page.split('id="results-title"', 1)[1]
    empty = results.split('<div class="empty-state">', 1)[1].split("</div>", 1)[0]
    assert "Aucun résultat" in empty
    assert f'href="{reverse("assessments:new")}"' in empty


def test_an_empty_history_is_only_for_the_signed_in(client, db):
    response = client.get(reverse("assessments:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_step_is_its_owners_only_and_gone_with_the_draft(client, individual, outsider, draft):
    """The step reads the draft and its answers in one query (step_page.draft_with_answers):
    the owner's only, before and after the draft is deleted; a submitted one redirects."""
    client.force_login(outsider)
    assert client.get(step_url(draft, 1)).status_code == 404
    client.force_login(individual)
    assert client.get(step_url(draft, 1)).status_code == 200
    result = submitted(assessment_start(owner=individual, roles=list(draft.roles.all())))
    assert client.get(step_url(result, 1))["Location"] == result.get_absolute_url()
    url = step_url(draft, 1)
    draft.delete()
    assert client.get(url).status_code == 404  # a stale tab
