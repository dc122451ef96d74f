"""Test data builders. Catalogue text is set in both languages, as the product needs."""

import factory
from django.contrib.auth import get_user_model

from accounts.models import EmailConfirmation
from assessments.models import Answer, Assessment
from careers.models import (
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def email_confirmed(self, create, extracted, **kwargs):
        """Test people have confirmed their address (joining a team needs it), unless a
        test says `email_confirmed=False`."""
        if create and extracted is not False and self.email:
            EmailConfirmation.objects.create(user=self, email=self.email)


class SkillCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillCategory

    code = factory.Sequence(lambda n: f"category-{n}")
    name_fr = factory.Sequence(lambda n: f"Catégorie {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    order = factory.Sequence(lambda n: n)


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        skip_postgeneration_save = True

    category = factory.SubFactory(SkillCategoryFactory)
    code = factory.Sequence(lambda n: f"skill-{n}")
    name_fr = factory.Sequence(lambda n: f"Compétence {n}")
    name_en = factory.Sequence(lambda n: f"Skill {n}")
    description_fr = "Ce que recouvre la compétence."
    description_en = "What the skill covers."
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def with_levels(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        SkillLevel.objects.bulk_create(
            SkillLevel(
                skill=self,
                level=level,
                descriptor_fr=f"Niveau {level} de {self.code}",
                descriptor_en=f"Level {level} of {self.code}",
            )
            for level in range(1, 5)
        )
        NextStepAction.objects.bulk_create(
            NextStepAction(
                skill=self,
                level=level,
                kind="training",
                title_fr=f"Formation {self.code} niveau {level}",
                title_en=f"Training {self.code} level {level}",
                order=level,
            )
            for level in range(1, 5)
        )


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    code = factory.Sequence(lambda n: f"ROLE{n}")
    name_fr = factory.Sequence(lambda n: f"Rôle {n}")
    name_en = factory.Sequence(lambda n: f"Role {n}")
    summary_fr = "Résumé du rôle."
    summary_en = "Role summary."
    order = factory.Sequence(lambda n: n)


class RoleRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleRequirement

    role = factory.SubFactory(RoleFactory)
    skill = factory.SubFactory(SkillFactory)
    weight = 3
    target = 3


class CareerStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerStep

    role = factory.SubFactory(RoleFactory)
    direction = "to"
    name_fr = "Directeur de programme"
    name_en = "Programme director"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(extracted)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    assessment = factory.SubFactory(AssessmentFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2
