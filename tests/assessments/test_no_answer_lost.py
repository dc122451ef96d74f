"""No answer is ever lost: reloads, logging out, expired sessions, double submits and
two tabs open on the same draft all keep what the person said."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from assessments.models import Answer, Assessment
from assessments.selectors import questionnaire_for
from assessments.services import assessment_start
from tests.assessments.helpers import answer_all

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's


# --- builders ------------------------------------------------------------------------


@pytest.fixture
def draft(individual, catalogue):
    return assessment_start(owner=individual, roles=catalogue)


@pytest.fixture
def signed_in(client, individual):
    client.force_login(individual)
    return client


def step_skills(assessment, number=1):
    return questionnaire_for(assessment).step(number).skills


def step_url(assessment, number=1):
    return reverse("assessments:step", args=[assessment.pk, number])


def autosave(client, assessment, skill, level=None, note=None):
    """What htmx posts when one question changes: only that question's fields."""
    data = {}
    if level is not None:
        data[f"s{skill.pk}-level"] = str(level)
    if note is not None:
        data[f"s{skill.pk}-note"] = note
    return client.post(reverse("assessments:answer", args=[assessment.pk, skill.pk]), data)


def step_form(levels, notes=None, go="next"):
    """The whole step form as a browser posts it: an unset radio sends nothing."""
    notes = notes or {}
    data = {"go": go}
    for skill, level in levels.items():
        if level is not None:
            data[f"s{skill.pk}-level"] = str(level)
        data[f"s{skill.pk}-note"] = notes.get(skill, "")
    return data


def checked_level(response, skill) -> int | None:
    """The level whose radio the step page shows checked for this skill."""
    match = re.search(rf'name="s{skill.pk}-level" id="[^"]*"\s+value="(\d)" checked', response.text)
    return int(match.group(1)) if match else None


def saved(assessment, skill):
    answer = Answer.objects.filter(assessment=assessment, skill=skill).first()
    return (answer.level, answer.note) if answer else None


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


# --- surviving a reload, a logout, an expired session ---------------------------------


def test_autosaved_answer_is_checked_after_a_reload(signed_in, draft):
    skill = step_skills(draft)[1]

    assert autosave(signed_in, draft, skill, level=3, note="Migration Q2").status_code == 200
    page = signed_in.get(step_url(draft))

    assert checked_level(page, skill) == 3
    assert "Migration Q2" in page.text


def test_autosaved_answer_survives_logout_and_login(client, individual, draft):
    skill = step_skills(draft)[0]
    client.force_login(individual)
    autosave(client, draft, skill, level=2)

    client.post(reverse("logout"))
    assert client.get(step_url(draft)).status_code == 302  # logged out indeed
    log_in(client, individual)

    assert checked_level(client.get(step_url(draft)), skill) == 2


def test_expired_session_keeps_the_draft_and_offers_to_resume(client, individual, draft):
    skill = step_skills(draft)[0]
    client.force_login(individual)
    autosave(client, draft, skill, level=4, note="Certifié PMP")

    Session.objects.all().delete()  # the session expired on the server
    assert client.get(step_url(draft))["Location"].startswith(reverse("login"))
    log_in(client, individual)

    assert saved(draft, skill) == (4, "Certifié PMP")
    listing = client.get(reverse("assessments:list"))
    assert reverse("assessments:detail", args=[draft.pk]) in listing.text
    assert "Reprendre" in listing.text
    assert f"1 sur {questionnaire_for(draft).total} répondues" in listing.text
    resumed = client.get(reverse("assessments:detail", args=[draft.pk]), follow=True)
    assert checked_level(resumed, skill) == 4


def test_lost_cookies_keep_the_draft(client, individual, draft):
    skill = step_skills(draft)[0]
    client.force_login(individual)
    autosave(client, draft, skill, level=1)

    client.cookies.clear()  # another browser, or the cookie was wiped
    log_in(client, individual)

    assert checked_level(client.get(step_url(draft)), skill) == 1


# --- submitting twice, going back after submitting ------------------------------------


@pytest.fixture
def complete(draft):
    answer_all(draft, lambda i: 2)
    return draft


def test_double_submit_creates_one_result(signed_in, individual, complete):
    review = reverse("assessments:review", args=[complete.pk])

    first = signed_in.post(review)
    result = Assessment.objects.get(pk=complete.pk)
    second = signed_in.post(review)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == result.get_absolute_url()
    assert Assessment.objects.filter(owner=individual).count() == 1
    again = Assessment.objects.get(pk=complete.pk)
    assert (again.status, again.submitted_at, again.snapshot) == (
        Assessment.Status.SUBMITTED,
        result.submitted_at,
        result.snapshot,
    )


def test_back_and_resubmit_after_submission_changes_nothing(signed_in, complete):
    signed_in.post(reverse("assessments:review", args=[complete.pk]))
    result = Assessment.objects.get(pk=complete.pk)
    skills = step_skills(complete)
    answers = list(Answer.objects.filter(assessment=complete).values_list("skill", "level", "note"))

    # The browser's back button shows the old step form; the person changes it and posts.
    step = signed_in.post(step_url(complete), step_form(dict.fromkeys(skills, 4), go="review"))
    autosaved = autosave(signed_in, complete, skills[0], level=0)
    review = signed_in.post(reverse("assessments:review", args=[complete.pk]))

    assert step["Location"] == review["Location"] == result.get_absolute_url()
    assert autosaved.status_code == 409
    assert "Évaluation déjà soumise" in autosaved.text
    after = Assessment.objects.get(pk=complete.pk)
    assert (after.submitted_at, after.snapshot) == (result.submitted_at, result.snapshot)
    assert (
        list(Answer.objects.filter(assessment=complete).values_list("skill", "level", "note"))
        == answers
    )


# --- two tabs on the same draft -------------------------------------------------------


def test_stale_step_form_keeps_an_answer_autosaved_in_another_tab(signed_in, draft):
    x, y, *_ = step_skills(draft)
    signed_in.get(step_url(draft))  # tab A
    signed_in.get(step_url(draft))  # tab B

    autosave(signed_in, draft, x, level=1)  # in tab A
    autosave(signed_in, draft, y, level=3)  # in tab B
    # Tab A still shows Y unset; its whole form goes with the Next button.
    response = signed_in.post(step_url(draft), step_form({x: 1, y: None}))

    assert response.status_code == 302
    assert saved(draft, x) == (1, "")
    assert saved(draft, y) == (3, "")


def test_autosave_in_a_stale_tab_leaves_other_questions_alone(signed_in, draft):
    x, y, *_ = step_skills(draft)
    autosave(signed_in, draft, x, level=1)
    signed_in.get(step_url(draft))  # tab A loads X at level 1

    autosave(signed_in, draft, x, level=4)  # tab B changes X
    autosave(signed_in, draft, y, level=2)  # tab A answers Y only

    assert saved(draft, x) == (4, "")
    assert saved(draft, y) == (2, "")


def test_note_typed_in_a_stale_tab_keeps_the_level_given_in_another(signed_in, draft):
    x, *_ = step_skills(draft)
    signed_in.get(step_url(draft))  # tab A: X unanswered, its radios unset

    autosave(signed_in, draft, x, level=3)  # tab B answers X
    # Tab A types evidence under X: htmx sends the note, and no level (no radio set).
    response = autosave(signed_in, draft, x, note="Revue de portefeuille")

    assert response.status_code == 200
    assert saved(draft, x) == (3, "Revue de portefeuille")
