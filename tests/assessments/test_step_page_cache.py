"""The questionnaire step is kept rendered per catalogue version, role set, step and
language (assessments/step_page.py): shared by everyone who answers the same roles, each
request filling in its own person's answers, ids, messages and progress."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from assessments.models import Answer
from assessments.services import AnswerInput, answers_save, assessment_start
from careers.models import SkillLevel

pytestmark = pytest.mark.django_db


def kept_steps() -> int:
    return sum(1 for key in cache._cache if ":step-page:" in key)


def step(client, draft, number=1, **kwargs):
    response = client.get(reverse("assessments:step", args=[draft.pk, number]), **kwargs)
    assert response.status_code == 200
    assert "\x00" not in response.text  # every hole filled
    return response.text


def checked_levels(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(s[0-9]+-level)" id="[^"]+"\s+value="([0-4])" checked', html))


def test_two_people_with_the_same_roles_share_the_rendering_never_their_answers(
    individual, outsider, catalogue
):
    mine = assessment_start(owner=individual, roles=catalogue)
    theirs = assessment_start(owner=outsider, roles=catalogue)
    skill = catalogue[0].requirements.first().skill
    answers_save(assessment=mine, values={skill.pk: AnswerInput(level=3, note="Mon projet <b>")})
    alice, mallory = Client(), Client()
    alice.force_login(individual)
    mallory.force_login(outsider)

    first = step(alice, mine)
    second = step(mallory, theirs)

    assert kept_steps() == 1  # one rendering for both
    assert checked_levels(first) == {f"s{skill.pk}-level": "3"}
    assert "Mon projet &lt;b&gt;</textarea>" in first
    assert "1 sur 6 questions répondues" in first
    assert checked_levels(second) == {}
    assert "Mon projet" not in second
    assert "0 sur 6 questions répondues" in second
    # each page saves to its own draft, and its language form comes back to it
    assert f'hx-post="/assessments/{theirs.pk}/answers/{skill.pk}/"' in second
    assert f"/assessments/{mine.pk}/" not in second
    assert f'name="next" value="/assessments/{theirs.pk}/step/1/"' in second
    assert "mallory" in second and "alice" not in second
    revision = Answer.objects.get(assessment=mine, skill=skill).revision
    assert f'id="revision-{skill.pk}" value="{revision}"' in first
    assert f'id="revision-{skill.pk}" value="0"' in second


def test_a_descriptor_changed_in_the_catalogue_shows_on_the_next_page(
    client, individual, catalogue
):
    draft = assessment_start(owner=individual, roles=catalogue)
    client.force_login(individual)
    step(client, draft)
    descriptor = SkillLevel.objects.filter(
        skill__in=[r.skill for r in catalogue[0].requirements.all()]
    ).first()
    descriptor.descriptor_fr = "Un descripteur tout neuf"
    descriptor.save()

    assert "Un descripteur tout neuf" in step(client, draft)


def test_each_language_has_its_own_rendering(client, individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    client.force_login(individual)

    french = step(client, draft)
    client.cookies["django_language"] = "en"
    english = step(client, draft)

    assert kept_steps() == 2
    assert "Étape 1 sur 2" in french and "Step 1 of 2" in english
    assert "0 of 6 questions answered" in english


def test_an_invalid_post_shows_its_error_on_its_question_and_keeps_what_was_typed(
    client, individual, catalogue
):
    draft = assessment_start(owner=individual, roles=catalogue)
    first, second = [r.skill for r in catalogue[0].requirements.all()][:2]
    client.force_login(individual)
    step(client, draft)  # the rendering is kept

    response = client.post(
        reverse("assessments:step", args=[draft.pk, 1]),
        {f"s{first.pk}-level": "9", f"s{second.pk}-note": "Gardé <ici>"},
    )

    html = response.content.decode()
    assert response.status_code == 200 and "\x00" not in html
    assert "Certaines réponses n’ont pas pu être enregistrées" in html
    alert = html.index('class="alert alert-danger py-2"')
    assert html.index(f'id="skill-{first.code}"') < alert < html.index(f'id="skill-{second.code}"')
    assert "Gardé &lt;ici&gt;</textarea>" in html
    assert not Answer.objects.filter(assessment=draft).exists()
    assert html.count('class="alert alert-danger py-2"') == 1
    # the message was shown once: the next page has none
    assert "Certaines réponses" not in step(client, draft)
