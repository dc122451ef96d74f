import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import (
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)


@register(SkillCategory)
class SkillCategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Skill)
class SkillTranslation(TranslationOptions):
    fields = ("name", "description")


@register(SkillLevel)
class SkillLevelTranslation(TranslationOptions):
    fields = ("descriptor", "indicators")


@register(NextStepAction)
class NextStepActionTranslation(TranslationOptions):
    fields = ("title", "detail", "duration")


@register(Role)
class RoleTranslation(TranslationOptions):
    fields = ("name", "summary")


@register(CareerStep)
class CareerStepTranslation(TranslationOptions):
    fields = ("name",)


# History is registered here, after the translated columns exist, so that each
# historical record keeps both languages (the pattern simple-history documents for
# django-modeltranslation).
for _model in (SkillCategory, Skill, SkillLevel, NextStepAction, Role, RoleRequirement, CareerStep):
    simple_history.register(_model, app="careers")
