"""The shipped catalogue: what the product promises, checked on the real fixture."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from careers.models import (
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)
from careers.services import catalogue_load
from tests.factories import RoleFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_catalogue", stdout=StringIO())


def counts():
    return [
        m.objects.count()
        for m in (
            SkillCategory,
            Skill,
            SkillLevel,
            NextStepAction,
            Role,
            RoleRequirement,
            CareerStep,
        )
    ]


def test_catalogue_size_and_shape(loaded):
    assert SkillCategory.objects.count() >= 5
    assert Skill.objects.count() >= 30
    assert set(Role.objects.values_list("code", flat=True)) >= {"TPM", "PMO", "CPT"}
    for role in Role.objects.all():
        assert role.requirements.count() >= 15, role.code


def test_every_skill_has_four_descriptors_and_an_action_per_level_in_both_languages(loaded):
    for skill in Skill.objects.prefetch_related("levels", "actions"):
        assert sorted(lv.level for lv in skill.levels.all()) == [1, 2, 3, 4], skill.code
        assert {a.level for a in skill.actions.all()} == {1, 2, 3, 4}, skill.code
        for lv in skill.levels.all():
            assert lv.descriptor_fr and lv.descriptor_en and lv.descriptor_fr != lv.descriptor_en
        assert skill.name_fr and skill.name_en and skill.description_fr and skill.description_en


def test_roles_overlap_but_clearly_differ(loaded):
    profiles = {
        role.code: {r.skill.code: r.weight for r in role.requirements.select_related("skill")}
        for role in Role.objects.filter(code__in=["TPM", "PMO", "CPT"])
    }
    for code, profile in profiles.items():
        others = [p for c, p in profiles.items() if c != code]
        assert all(set(profile) & set(other) for other in others), f"{code} shares skills"
        distinctive = [
            skill
            for skill, weight in profile.items()
            if weight >= 3 and all(other.get(skill, 0) <= 2 for other in others)
        ]
        assert len(distinctive) >= 4, f"{code}: {distinctive}"


def test_certifications_named_by_the_seeds_are_offered(loaded):
    titles = " ".join(NextStepAction.objects.values_list("title_en", flat=True))
    for name in ["PMP", "PRINCE2", "P3O", "Scrum Master", "SAFe"]:
        assert name in titles


def test_loading_twice_changes_nothing(loaded):
    before = counts()
    snapshot = list(RoleRequirement.objects.values_list("pk", "weight", "target"))
    out = StringIO()

    call_command("load_catalogue", stdout=out)

    assert counts() == before
    assert list(RoleRequirement.objects.values_list("pk", "weight", "target")) == snapshot
    assert "0 created, 0 updated, 0 deleted" in out.getvalue()


def test_loading_repairs_edits_and_removes_what_the_file_no_longer_lists(loaded, settings):
    data = json.loads((settings.BASE_DIR / "fixtures" / "catalogue.json").read_text())
    requirement = RoleRequirement.objects.filter(role__code="TPM").first()
    requirement.weight = 1 if requirement.weight != 1 else 2
    requirement.save()
    dropped = data["roles"][0]["requirements"].pop()

    report = catalogue_load(data=data)

    requirement.refresh_from_db()
    assert report.total("updated") == 1
    assert report.total("deleted") == 1
    assert not RoleRequirement.objects.filter(
        role__code="TPM", skill__code=dropped["skill"]
    ).exists()


def test_an_unknown_skill_in_a_role_rolls_the_whole_load_back(db):
    data = {
        "categories": [{"code": "c", "name": {"fr": "C", "en": "C"}, "skills": []}],
        "roles": [
            {
                "code": "X",
                "name": {"fr": "X", "en": "X"},
                "requirements": [{"skill": "nope", "weight": 3, "target": 2}],
            }
        ],
    }
    from careers.services import CatalogueError

    with pytest.raises(CatalogueError, match="nope"):
        catalogue_load(data=data)
    assert SkillCategory.objects.count() == 0


@pytest.mark.parametrize(("weight", "target"), [(0, 2), (6, 2), (3, 0), (3, 5)])
def test_database_refuses_out_of_range_weights_and_targets(weight, target):
    role, skill = RoleFactory(), SkillFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleRequirement.objects.create(role=role, skill=skill, weight=weight, target=target)


def test_database_refuses_two_requirements_for_one_skill():
    role, skill = RoleFactory(), SkillFactory()
    RoleRequirement.objects.create(role=role, skill=skill, weight=3, target=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleRequirement.objects.create(role=role, skill=skill, weight=4, target=3)


def test_database_refuses_a_fifth_level_descriptor():
    skill = SkillFactory()  # comes with levels 1-4
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillLevel.objects.create(skill=skill, level=5, descriptor_fr="x", descriptor_en="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillLevel.objects.create(skill=skill, level=2, descriptor_fr="x", descriptor_en="x")


def test_catalogue_text_follows_the_language(loaded):
    from django.utils import translation

    skill = Skill.objects.get(code="risk-management")
    with translation.override("fr"):
        assert skill.name == "Gestion des risques"
    with translation.override("en"):
        assert skill.name == "Risk management"
