from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import (
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)


@admin.register(SkillCategory)
class SkillCategoryAdmin(TranslationAdmin):
    list_display = ("name", "code", "order")
    list_editable = ("order",)
    search_fields = ("code", "name_fr", "name_en")


class SkillLevelInline(TranslationTabularInline):
    model = SkillLevel
    extra = 0
    max_num = 4


class NextStepActionInline(TranslationTabularInline):
    model = NextStepAction
    extra = 0


@admin.register(Skill)
class SkillAdmin(TranslationAdmin):
    list_display = ("name", "code", "category", "order")
    list_filter = ("category",)
    search_fields = ("code", "name_fr", "name_en")
    list_select_related = ("category",)
    inlines = [SkillLevelInline, NextStepActionInline]


class RoleRequirementInline(admin.TabularInline):
    model = RoleRequirement
    extra = 0
    autocomplete_fields = ("skill",)


class CareerStepInline(TranslationTabularInline):
    model = CareerStep
    fk_name = "role"
    extra = 0


@admin.register(Role)
class RoleAdmin(TranslationAdmin):
    list_display = ("name", "code", "is_published", "order")
    list_filter = ("is_published",)
    search_fields = ("code", "name_fr", "name_en")
    inlines = [RoleRequirementInline, CareerStepInline]
