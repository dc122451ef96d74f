from modeltranslation.translator import TranslationOptions, register

from .models import CareerStep, NextStepAction, Role, Skill, SkillCategory, SkillLevel


@register(SkillCategory)
class SkillCategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Skill)
class SkillTranslation(TranslationOptions):
    fields = ("name", "description")


@register(SkillLevel)
class SkillLevelTranslation(TranslationOptions):
    fields = ("descriptor",)


@register(NextStepAction)
class NextStepActionTranslation(TranslationOptions):
    fields = ("title", "detail")


@register(Role)
class RoleTranslation(TranslationOptions):
    fields = ("name", "summary")


@register(CareerStep)
class CareerStepTranslation(TranslationOptions):
    fields = ("name",)
