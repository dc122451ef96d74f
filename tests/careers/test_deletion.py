"""Catalogue rows that results refer to cannot be deleted; the editor is told why."""

import pytest
from django.contrib.auth.models import Group
from django.db.models import ProtectedError
from django.urls import reverse

from assessments.services import assessment_start
from careers.models import Role, Skill
from tests.assessments.helpers import submitted
from tests.factories import RoleFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_editor(db):
    user = UserFactory(username="edith", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    return user


def test_a_role_in_use_cannot_be_deleted_and_the_admin_says_why(
    client, catalogue_editor, individual, catalogue
):
    submitted(assessment_start(owner=individual, roles=catalogue))
    role = catalogue[0]
    client.force_login(catalogue_editor)
    url = reverse("admin:careers_role_delete", args=[role.pk])

    page = client.get(url)
    response = client.post(url, {"post": "yes"})

    assert "Dépubliez-le plutôt" in page.text
    assert response.status_code == 200
    assert Role.objects.filter(pk=role.pk).exists()
    with pytest.raises(ProtectedError):
        role.delete()


def test_a_skill_answered_in_an_assessment_cannot_be_deleted(
    client, catalogue_editor, individual, catalogue
):
    submitted(assessment_start(owner=individual, roles=catalogue))
    skill = catalogue[0].skills.first()
    client.force_login(catalogue_editor)

    response = client.post(reverse("admin:careers_skill_delete", args=[skill.pk]), {"post": "yes"})

    assert response.status_code == 200
    assert Skill.objects.filter(pk=skill.pk).exists()


def test_an_unused_role_and_skill_can_be_deleted(client, catalogue_editor):
    role, skill = RoleFactory(), SkillFactory()
    client.force_login(catalogue_editor)

    client.post(reverse("admin:careers_role_delete", args=[role.pk]), {"post": "yes"})
    client.post(reverse("admin:careers_skill_delete", args=[skill.pk]), {"post": "yes"})

    assert not Role.objects.filter(pk=role.pk).exists()
    assert not Skill.objects.filter(pk=skill.pk).exists()
