"""Stale tabs, second sessions and the submit line (issue 13, points 3 and 4).

Every answer carries a revision; a page posts the revision it was shown. A save based on
an older one is refused with the newer answer, and what the person typed stays on the
page. A field the request does not carry is left as it is. Once the submission has
committed, no answer write gets through. A closed cycle's draft is kept. Posting the
new-assessment form twice starts one draft. The threaded races are in test_races.py.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment
from assessments.selectors import questionnaire_for
from assessments.services import (
    AnswerInput,
    AssessmentLocked,
    CycleFrozen,
    answers_save,
    assessment_delete_draft,
    assessment_start,
    assessment_submit,
)
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_close, cycle_open, team_create
from tests.assessments.helpers import answer_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(individual, catalogue):
    return assessment_start(owner=individual, roles=catalogue)


@pytest.fixture
def signed_in(client, individual):
    client.force_login(individual)
    return client


def step_url(assessment, number=1):
    return reverse("assessments:step", args=[assessment.pk, number])


def answer_url(assessment, skill):
    return reverse("assessments:answer", args=[assessment.pk, skill.pk])


def first_skills(assessment):
    return questionnaire_for(assessment).step(1).skills


def revision_on(page_text: str, skill) -> int:
    """The revision a page (or an autosave's answer) holds for this question."""
    pattern = rf'name="s{skill.pk}-revision" id="revision-{skill.pk}" value="(\d+)"'
    match = re.search(pattern, page_text)
    assert match, "the page carries no revision for this question"
    return int(match.group(1))


def autosave(client, assessment, skill, revision, level=None, note=None):
    """What htmx posts when one question changes: its level, note and revision fields."""
    data = {f"s{skill.pk}-revision": str(revision)}
    if level is not None:
        data[f"s{skill.pk}-level"] = str(level)
    if note is not None:
        data[f"s{skill.pk}-note"] = note
    return client.post(answer_url(assessment, skill), data, HTTP_HX_REQUEST="true")


def step_form(page_text, skills, levels=None, notes=None, go="next"):
    """A step form as the browser posts it from a page: an unset radio sends nothing,
    every textarea is sent, each question's revision is the one the page was shown."""
    levels, notes = levels or {}, notes or {}
    data = {"go": go}
    for skill in skills:
        if levels.get(skill) is not None:
            data[f"s{skill.pk}-level"] = str(levels[skill])
        data[f"s{skill.pk}-note"] = notes.get(skill, "")
        data[f"s{skill.pk}-revision"] = str(revision_on(page_text, skill))
    return data


def saved(assessment, skill):
    answer = Answer.objects.filter(assessment=assessment, skill=skill).first()
    return (answer.level, answer.note) if answer else None


# --- a stale tab never overwrites a newer answer ----------------------------------------


def test_next_in_a_stale_tab_keeps_the_note_saved_in_another(signed_in, draft):
    x, *_ = skills = first_skills(draft)
    tab_a = signed_in.get(step_url(draft)).text
    tab_b = signed_in.get(step_url(draft)).text
    saved_in_b = autosave(signed_in, draft, x, revision_on(tab_b, x), 4, "Certifié PMP")
    assert saved_in_b.status_code == 200

    # Tab A still shows X unanswered: Next posts its empty note and no level.
    response = signed_in.post(step_url(draft), step_form(tab_a, skills))

    assert response.status_code == 409
    assert saved(draft, x) == (4, "Certifié PMP")
    assert "modifiée entre-temps" in response.text
    assert "Expert" in response.text and "Certifié PMP" in response.text  # the newer answer
    # Resubmitting what the page now holds is the person's explicit choice: it replaces it.
    again = signed_in.post(step_url(draft), step_form(response.text, skills))
    assert again.status_code == 302
    assert saved(draft, x) == (4, "")


def test_a_stale_tabs_typed_answers_stay_on_the_page(signed_in, draft):
    x, y, *_ = skills = first_skills(draft)
    tab_a = signed_in.get(step_url(draft)).text
    autosave(signed_in, draft, x, 0, 4, "Certifié PMP")  # tab B

    form = step_form(tab_a, skills, levels={x: 1, y: 2}, notes={x: "Mon texte", y: "Audit"})
    response = signed_in.post(step_url(draft), form)

    assert response.status_code == 409
    assert re.search(rf'name="s{x.pk}-level" id="[^"]*"\s+value="1" checked', response.text)
    assert "Mon texte" in response.text
    assert saved(draft, x) == (4, "Certifié PMP")
    assert saved(draft, y) == (2, "Audit")  # no conflict there: written
    assert revision_on(response.text, x) == 1  # the stored one: saving again replaces it
    assert revision_on(response.text, y) == 1


def test_a_level_clicked_in_a_stale_tab_is_refused_with_the_newer_answer(signed_in, draft):
    x, *_ = first_skills(draft)
    tab_a = signed_in.get(step_url(draft)).text
    autosave(signed_in, draft, x, 0, 4, "Certifié PMP")  # tab B

    response = autosave(signed_in, draft, x, revision_on(tab_a, x), level=1)

    assert response.status_code == 409
    assert saved(draft, x) == (4, "Certifié PMP")
    assert "Expert" in response.text and "Certifié PMP" in response.text
    assert "Enregistré" not in response.text
    # The answer gives the page the stored revision: the next click replaces it.
    assert autosave(signed_in, draft, x, revision_on(response.text, x), level=1).status_code == 200
    assert saved(draft, x) == (1, "Certifié PMP")


def test_successive_autosaves_from_one_tab_follow_their_own_revisions(signed_in, draft):
    x, *_ = first_skills(draft)
    revision = revision_on(signed_in.get(step_url(draft)).text, x)
    for level, note in [(1, ""), (2, ""), (2, "Plan"), (3, "Plan Q3")]:
        response = autosave(signed_in, draft, x, revision, level=level, note=note)
        assert response.status_code == 200
        assert "Enregistré" in response.text
        revision = revision_on(response.text, x)
    assert saved(draft, x) == (3, "Plan Q3")
    assert revision == Answer.objects.get(assessment=draft, skill=x).revision == 4


def test_next_without_the_note_field_keeps_the_note(signed_in, draft):
    x, *_ = first_skills(draft)
    autosave(signed_in, draft, x, 0, 3, "Migration ERP")
    data = {"go": "next", f"s{x.pk}-level": "2", f"s{x.pk}-revision": "1"}

    assert signed_in.post(step_url(draft), data).status_code == 302
    assert saved(draft, x) == (2, "Migration ERP")


def test_an_autosave_without_the_level_keeps_the_level(signed_in, draft):
    x, *_ = first_skills(draft)
    autosave(signed_in, draft, x, 0, 3)

    assert autosave(signed_in, draft, x, 1, note="Revue").status_code == 200
    assert saved(draft, x) == (3, "Revue")


def test_clearing_a_note_is_an_explicit_empty_field(signed_in, draft):
    x, *_ = first_skills(draft)
    autosave(signed_in, draft, x, 0, 3, "Revue")

    assert autosave(signed_in, draft, x, 1, note="").status_code == 200
    assert saved(draft, x) == (3, "")


def test_a_first_answer_given_twice_is_written_once_and_the_second_told(individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    x = first_skills(draft)[0]

    first = answers_save(assessment=draft, values={x.pk: AnswerInput(2, "", revision=0)})
    second = answers_save(assessment=draft, values={x.pk: AnswerInput(3, "", revision=0)})
    same = answers_save(assessment=draft, values={x.pk: AnswerInput(2, "", revision=0)})

    assert first.written == {x.pk: 1} and not first.conflicts
    assert not second.written and second.conflicts[x.pk].level == 2
    assert not same.written and same.unchanged == {x.pk: 1}  # says what is stored: saved
    assert saved(draft, x) == (2, "")


def test_revisions_are_per_answer(signed_in, draft):
    x, y, *_ = first_skills(draft)
    tab_a = signed_in.get(step_url(draft)).text
    autosave(signed_in, draft, x, 0, 4)  # tab B answers X

    assert autosave(signed_in, draft, y, revision_on(tab_a, y), level=2).status_code == 200
    assert saved(draft, y) == (2, "")


# --- the submit line ---------------------------------------------------------------------


@pytest.fixture
def complete(draft):
    answer_all(draft, lambda i: 2)
    return draft


def test_a_step_form_posted_after_the_submission_goes_to_the_result(signed_in, complete):
    page = signed_in.get(step_url(complete)).text
    skills = first_skills(complete)
    signed_in.post(reverse("assessments:review", args=[complete.pk]))

    response = signed_in.post(step_url(complete), step_form(page, skills, dict.fromkeys(skills, 4)))

    assert response["Location"] == complete.get_absolute_url()
    assert set(Answer.objects.filter(assessment=complete).values_list("level", flat=True)) == {2}


def test_the_service_refuses_answers_once_the_locked_row_is_submitted(individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    answer_all(draft, lambda i: 2)
    stale = Assessment.objects.get(pk=draft.pk)  # read before the submission: a draft
    assessment_submit(assessment=draft)
    stale.status = Assessment.Status.DRAFT  # what a request that read it earlier holds

    with pytest.raises(AssessmentLocked):
        answers_save(assessment=stale, values={first_skills(draft)[0].pk: AnswerInput(4, "")})


# --- a closed cycle's draft is kept -------------------------------------------------------


@pytest.fixture
def closed_cycle_draft(catalogue, individual):
    team = team_create(manager=UserFactory(username="olivia"), name="Plateforme")
    membership = TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[0])
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    draft = cycle_assessment_start(cycle=cycle, membership=membership)
    cycle_close(cycle=cycle)
    return Assessment.objects.get(pk=draft.pk)


def test_a_closed_cycles_draft_cannot_be_deleted(closed_cycle_draft):
    with pytest.raises(CycleFrozen):
        assessment_delete_draft(assessment=closed_cycle_draft)
    assert Assessment.objects.filter(pk=closed_cycle_draft.pk).exists()


def test_the_delete_page_says_why_a_closed_cycles_draft_is_kept(signed_in, closed_cycle_draft):
    listing = signed_in.get(reverse("assessments:list")).text
    assert "Cycle de revue clos : ce brouillon est conservé avec lui." in listing
    assert reverse("assessments:delete", args=[closed_cycle_draft.pk]) not in listing

    response = signed_in.post(
        reverse("assessments:delete", args=[closed_cycle_draft.pk]), follow=True
    )

    assert Assessment.objects.filter(pk=closed_cycle_draft.pk).exists()
    assert "appartient à un cycle de revue clos" in response.text


def test_a_closed_cycles_draft_refuses_autosaves(signed_in, closed_cycle_draft):
    skill = first_skills(closed_cycle_draft)[0]
    response = autosave(signed_in, closed_cycle_draft, skill, 0, level=3)
    assert response.status_code == 409
    assert "Ce cycle de revue est clos" in response.text
    assert saved(closed_cycle_draft, skill) is None


def test_an_open_draft_is_still_deleted(signed_in, draft):
    signed_in.post(reverse("assessments:delete", args=[draft.pk]))
    assert not Assessment.objects.filter(pk=draft.pk).exists()


# --- starting once ------------------------------------------------------------------------


def start_form(page_text, catalogue):
    token = re.search(r'name="token" value="([0-9a-f-]+)"', page_text)
    assert token, "the new-assessment form carries no one-time token"
    return {"roles": [str(catalogue[0].pk)], "token": token.group(1)}


def test_posting_the_new_assessment_form_twice_starts_one_draft(signed_in, individual, catalogue):
    form = start_form(signed_in.get(reverse("assessments:new")).text, catalogue)

    first = signed_in.post(reverse("assessments:new"), form)
    second = signed_in.post(reverse("assessments:new"), form)

    assert first["Location"] == second["Location"]
    assert Assessment.objects.filter(owner=individual).count() == 1


def test_each_new_assessment_page_starts_its_own_draft(signed_in, individual, catalogue):
    for _ in range(2):
        form = start_form(signed_in.get(reverse("assessments:new")).text, catalogue)
        signed_in.post(reverse("assessments:new"), form)
    assert Assessment.objects.filter(owner=individual).count() == 2


def test_another_persons_token_starts_their_own_draft(client, individual, outsider, catalogue):
    client.force_login(individual)
    form = start_form(client.get(reverse("assessments:new")).text, catalogue)
    client.post(reverse("assessments:new"), form)
    client.force_login(outsider)

    response = client.post(reverse("assessments:new"), form)

    theirs = Assessment.objects.get(owner=outsider)
    assert response["Location"] == reverse("assessments:step", args=[theirs.pk, 1])
    assert Assessment.objects.filter(owner=individual).count() == 1


# --- who may not ---------------------------------------------------------------------------


def test_nobody_else_saves_or_deletes_the_draft(client, outsider, draft):
    x = first_skills(draft)[0]
    urls = [answer_url(draft, x), step_url(draft), reverse("assessments:delete", args=[draft.pk])]
    data = {f"s{x.pk}-level": "4", f"s{x.pk}-revision": "0", "go": "next"}

    for url in urls:  # a visitor is sent to log in
        assert client.post(url, data)["Location"].startswith(reverse("login"))
    assert client.post(reverse("assessments:new"), {})["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    for url in urls:  # another person is told it does not exist
        assert client.post(url, data).status_code == 404

    assert Assessment.objects.filter(pk=draft.pk).exists()
    assert saved(draft, x) is None
