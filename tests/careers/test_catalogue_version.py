"""Questionnaires are kept in the cache under the catalogue version: every way of
changing the catalogue changes the version, so no page shows yesterday's questions."""

import copy

import pytest
from django.urls import reverse

from assessments.services import assessment_start, assessment_submit
from careers.interchange import catalogue_document, pending_import_keep
from careers.models import Skill, SkillLevel
from careers.services import catalogue_load
from careers.signals import catalogue_version
from tests.assessments.helpers import answer_all
from tests.factories import RoleRequirementFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_version_holds_until_the_catalogue_changes(catalogue):
    first = catalogue_version()
    assert catalogue_version() == first

    skill = Skill.objects.first()
    skill.name_fr = "Pilotage renommé"
    skill.save()

    assert catalogue_version() != first


@pytest.mark.parametrize(
    "change",
    [
        lambda roles: SkillFactory(),
        lambda roles: RoleRequirementFactory(role=roles[0]),
        lambda roles: roles[1].requirements.first().delete(),
        lambda roles: SkillLevel.objects.filter(skill__requirements__role=roles[0]).first().save(),
        lambda roles: roles[0].save(),
    ],
    ids=["new skill", "new requirement", "requirement removed", "descriptor", "role"],
)
def test_every_kind_of_edit_changes_the_version(catalogue, change):
    before = catalogue_version()

    change(catalogue)

    assert catalogue_version() != before


def test_a_previewed_upload_waiting_for_its_confirm_is_not_a_catalogue_change(catalogue):
    before = catalogue_version()

    pending = pending_import_keep(uploader=UserFactory(), name="a.json", raw=b"{}")
    pending.delete()

    assert catalogue_version() == before


def test_an_import_changes_the_version_though_bulk_inserts_send_no_signal(catalogue):
    data = catalogue_document()
    catalogue_load(data=data)  # once, so that the load below only inserts
    before = catalogue_version()
    new_skill = copy.deepcopy(data["categories"][0]["skills"][0])
    new_skill["code"] = "new-skill"
    data["categories"][0]["skills"].append(new_skill)  # only created rows: bulk inserts

    catalogue_load(data=data)

    assert catalogue_version() != before


def test_the_step_page_shows_a_question_added_a_moment_ago(client, individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue[1:])
    client.force_login(individual)
    url = reverse("assessments:review", args=[draft.pk])
    assert client.get(url).context["questionnaire"].total == 3  # now in the cache

    added = RoleRequirementFactory(role=catalogue[1])

    questionnaire = client.get(url).context["questionnaire"]
    assert questionnaire.total == 4
    assert added.skill in questionnaire.skills


def test_a_submission_freezes_todays_catalogue_even_if_the_cache_lags(individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue[1:])
    answer_all(draft)
    skill = catalogue[1].requirements.first().skill
    # a change that sends no signal (raw SQL, another tool): the cached questions lag
    Skill.objects.filter(pk=skill.pk).update(name_fr="Nom du jour", name_en="Today's name")

    result = assessment_submit(assessment=draft)

    assert result.snapshot["skills"][skill.code]["name"]["fr"] == "Nom du jour"
