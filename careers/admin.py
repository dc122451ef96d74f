"""The catalogue in Django's admin: both languages side by side, history on every model."""

from collections import defaultdict
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin

from . import interchange
from .bidi import bdi_html
from .models import (
    MAX_CORE_REQUIREMENTS,
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)


class CatalogueAdmin(SimpleHistoryAdmin, TranslationAdmin):
    """History (who, when, what; revert) and French/English fields side by side."""

    stable_fields: tuple[str, ...] = ("code",)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # Codes are referenced by exports, imports and frozen results: fixed once created.
        return (*readonly, *self.stable_fields) if obj else readonly


@admin.register(SkillCategory)
class SkillCategoryAdmin(CatalogueAdmin):
    list_display = ("name", "code", "order", "skill_count")
    list_editable = ("order",)
    search_fields = ("code", "name_fr", "name_en")
    ordering = ("order", "code")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(skill_total=Count("skills"))

    @admin.display(description=_("skills"), ordering="skill_total")
    def skill_count(self, obj):
        return obj.skill_total


class SkillLevelInline(TranslationTabularInline):
    model = SkillLevel
    extra = 0
    min_num = 4
    max_num = 4
    can_delete = False
    fields = ("level", "descriptor", "indicators")


# The learning resource behind a next step (url, provider, ...), on the step's own page
# and in the skill's.
# An address typed without its scheme ("www.pmi.org") is taken as https.
LINK_FIELD: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}
RESOURCE_FIELDSET: tuple[Any, Any] = (
    _("Learning resource"),
    {
        "fields": (("url", "provider"), "duration", ("cost", "price"), "language"),
        "description": _("Optional: where to take the course, read the book or sit the exam."),
    },
)


class NextStepActionInline(TranslationStackedInline):
    model = NextStepAction
    extra = 1
    formfield_overrides = LINK_FIELD
    fieldsets = (
        (None, {"fields": (("level", "kind", "order"), "title", "detail")}),
        RESOURCE_FIELDSET,
    )


@admin.register(Skill)
class SkillAdmin(CatalogueAdmin):
    list_display = ("name", "code", "category", "order", "role_count")
    list_filter = ("category", "roles")
    search_fields = ("code", "name_fr", "name_en", "description_fr", "description_en")
    list_select_related = ("category",)
    ordering = ("category__order", "order", "code")
    inlines = [SkillLevelInline, NextStepActionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(role_total=Count("requirements"))

    @admin.display(description=_("roles"), ordering="role_total")
    def role_count(self, obj):
        return obj.role_total


class RequirementInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        if self.instance.is_published and not kept:
            raise ValidationError(
                _("A published role needs at least one requirement: add one or unpublish it.")
            )
        core = sum(1 for form in kept if form.cleaned_data.get("is_core"))
        if core > MAX_CORE_REQUIREMENTS:
            raise ValidationError(
                _("The quick assessment asks %(max)s core skills at most: %(n)s are ticked.")
                % {"max": MAX_CORE_REQUIREMENTS, "n": core}
            )


class RoleRequirementInline(admin.TabularInline):
    model = RoleRequirement
    formset = RequirementInlineFormSet
    extra = 0
    fields = ("skill", "weight", "target", "is_core")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """One query for the skill list, however many requirement rows the page shows."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "skill":
            if not hasattr(request, "_skill_choices"):
                queryset = Skill.objects.select_related("category").order_by(
                    "category__order", "order"
                )
                request._skill_choices = [("", "---------")] + [
                    (skill.pk, f"{skill.category} · {skill.name}") for skill in queryset
                ]
            field.choices = request._skill_choices
        return field

    ordering = ("skill__category__order", "skill__order")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("role", "skill")


class CareerStepInline(TranslationTabularInline):
    model = CareerStep
    fk_name = "role"
    extra = 0
    fields = ("direction", "name", "linked_role", "order")
    autocomplete_fields = ("linked_role",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("role", "linked_role")


@admin.register(Role)
class RoleAdmin(CatalogueAdmin):
    list_display = (
        "name",
        "code",
        "is_published",
        "ladder",
        "ladder_rank",
        "requirement_count",
        "total_weight",
        "order",
    )
    list_filter = ("is_published", "ladder")
    search_fields = ("code", "name_fr", "name_en", "summary_fr", "summary_en")
    ordering = ("order", "code")
    readonly_fields = ("profile",)
    inlines = [RoleRequirementInline, CareerStepInline]
    actions = ["publish", "unpublish"]
    change_list_template = "admin/careers/role/change_list.html"

    def get_urls(self):
        return catalogue_urls() + super().get_urls()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                requirement_total=Count("requirements"), weight_total=Sum("requirements__weight")
            )
        )

    @admin.display(description=_("requirements"), ordering="requirement_total")
    def requirement_count(self, obj):
        return obj.requirement_total

    @admin.display(description=_("total weight"), ordering="weight_total")
    def total_weight(self, obj):
        return obj.weight_total or 0

    @admin.display(description=_("profile"))
    def profile(self, obj):
        """Total weight and the skills by category, as saved (one query)."""
        if not obj.pk:
            return "-"
        requirements = obj.requirements.select_related("skill__category").order_by(
            "skill__category__order", "skill__order"
        )
        by_category = defaultdict(list)
        total = 0
        for req in requirements:
            by_category[req.skill.category].append(req)
            total += req.weight
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (
                    bdi_html(category.name),
                    sum(r.weight for r in reqs),
                    format_html_join(
                        ", ",
                        "{} ({}/{})",
                        ((bdi_html(r.skill.name), r.weight, r.target) for r in reqs),
                    ),
                )
                for category, reqs in by_category.items()
            ),
        )
        return format_html(
            "<p><strong>{}</strong> {} · <strong>{}</strong> {}</p>"
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            total,
            _("total weight"),
            sum(len(reqs) for reqs in by_category.values()),
            _("skills"),
            _("category"),
            _("weight"),
            _("skills (weight/target)"),
            rows,
        )

    def get_deleted_objects(self, objs, request):
        """A role that assessments were made against cannot be deleted: say why."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        used = (
            Role.objects.filter(pk__in=[role.pk for role in objs])
            .annotate(used_by=Count("assessments"))
            .filter(used_by__gt=0)
        )
        for role in used:
            protected.append(
                _(
                    "%(role)s: %(count)s assessment(s) were made against this role and keep "
                    "it in their results. Unpublish it instead: it will no longer be offered."
                )
                % {"role": role, "count": role.used_by}
            )
        return deleted, counts, perms_needed, protected

    @admin.action(description=_("Publish the selected roles"), permissions=["change"])
    def publish(self, request, queryset):
        empty = queryset.filter(requirements__isnull=True)
        if empty.exists():
            self.message_user(
                request,
                _("Not published: %(roles)s have no requirement.")
                % {"roles": ", ".join(r.code for r in empty)},
                messages.ERROR,
            )
            return
        count = 0
        for role in queryset.filter(is_published=False):
            role.is_published = True
            role.save(update_fields=["is_published"])  # one history record each
            count += 1
        self.message_user(
            request, ngettext("%d role published.", "%d roles published.", count) % count
        )

    @admin.action(description=_("Unpublish the selected roles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for role in queryset.filter(is_published=True):
            role.is_published = False
            role.save(update_fields=["is_published"])
            count += 1
        self.message_user(
            request,
            ngettext(
                "%d role unpublished: past results keep it, new assessments cannot choose it.",
                "%d roles unpublished: past results keep them, new assessments cannot choose them.",
                count,
            )
            % count,
        )


# The rows edited inline above also get their own pages, so that each change can be
# looked up and reverted from its history.


@admin.register(RoleRequirement)
class RoleRequirementAdmin(SimpleHistoryAdmin):
    list_display = ("role", "skill", "weight", "target")
    list_filter = ("role", "skill__category", "weight", "target")
    search_fields = ("role__code", "skill__code", "skill__name_fr", "skill__name_en")
    list_select_related = ("role", "skill")
    autocomplete_fields = ("role", "skill")
    ordering = ("role__order", "skill__category__order", "skill__order")


@admin.register(SkillLevel)
class SkillLevelAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("skill", "level", "descriptor")
    list_filter = ("level", "skill__category")
    search_fields = ("skill__code", "descriptor_fr", "descriptor_en")
    list_select_related = ("skill",)
    autocomplete_fields = ("skill",)


@admin.register(NextStepAction)
class NextStepActionAdmin(SimpleHistoryAdmin, TranslationAdmin):
    formfield_overrides = LINK_FIELD
    list_display = ("title", "skill", "level", "kind", "provider", "cost")
    list_filter = ("kind", "level", "cost", "skill__category")
    search_fields = ("skill__code", "title_fr", "title_en", "provider", "url")
    fieldsets = (
        (None, {"fields": ("skill", ("level", "kind", "order"), "title", "detail")}),
        RESOURCE_FIELDSET,
    )
    list_select_related = ("skill",)
    autocomplete_fields = ("skill",)


@admin.register(CareerStep)
class CareerStepAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("name", "role", "direction", "linked_role")
    list_filter = ("direction", "role")
    search_fields = ("role__code", "name_fr", "name_en")
    list_select_related = ("role", "linked_role")
    autocomplete_fields = ("role", "linked_role")


# Import and export of the whole catalogue, from the roles' admin pages.

CATALOGUE_PERMISSIONS = [
    f"careers.{action}_{model}"
    for model in (
        "skillcategory",
        "skill",
        "skilllevel",
        "nextstepaction",
        "role",
        "rolerequirement",
        "careerstep",
    )
    for action in ("add", "change", "delete")
]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file"),
        help_text=_("JSON or CSV (UTF-8), in the formats described in the README."),
    )

    code_prefix = forms.CharField(
        label=_("Prefix of the file's codes"),
        required=False,
        max_length=interchange.PREFIX_LENGTH,
        help_text=_(
            "Optional, e.g. acme-: imports the file's categories, skills and roles under "
            "new codes beside the catalogue's, instead of updating those of the same code."
        ),
    )


class ConfirmForm(forms.Form):
    """What the preview page's confirm names: the preview, and the file's SHA-256; a
    preview again (with another prefix) names it too."""

    token = forms.CharField(max_length=64)
    digest = forms.CharField(max_length=64)
    code_prefix = forms.CharField(max_length=interchange.PREFIX_LENGTH, required=False)


def catalogue_export_view(request, fmt: str):
    if not request.user.has_perm("careers.view_role"):
        raise PermissionDenied
    document = interchange.catalogue_document()
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(
            interchange.dump_csv(document), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            interchange.dump_json(document), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="catalogue-{stamp}.{fmt}"'
    return response


def catalogue_import_view(request):
    """Upload, preview (a dry run), then confirm: nothing is written before the confirm.

    A preview keeps the file as a PendingImport (not in the session), with its prefix,
    and its confirm form names it, so each tab confirms the file it previewed. The
    preview page may preview the kept file again under another prefix.
    """
    if not request.user.has_perms(CATALOGUE_PERMISSIONS):
        raise PermissionDenied
    context = {**admin.site.each_context(request), "title": _("Import the catalogue")}
    form = ImportForm()
    if request.method == "POST" and ("confirm" in request.POST or "again" in request.POST):
        confirm = ConfirmForm(request.POST)
        try:
            if not confirm.is_valid():
                nothing = str(_("Nothing to import: upload the file again."))
                raise interchange.ImportRejected([interchange.RowError(None, nothing)])
            named = {
                "uploader": request.user,
                "token": confirm.cleaned_data["token"],
                "digest": confirm.cleaned_data["digest"],
            }
            if "again" in request.POST:
                pending = interchange.pending_import_find(**named)
                _preview(
                    request, context, pending.name, bytes(pending.content), confirm.cleaned_data
                )
            elif not settings.CELERY_TASK_ALWAYS_EAGER:
                # A broker is set: a worker imports it (careers/tasks.py); the page
                # does not wait. The preview is checked here, so a refusal shows now.
                from .tasks import catalogue_import_confirm

                pending = interchange.pending_import_find(**named)
                catalogue_import_confirm.delay(request.user.pk, named["token"], named["digest"])
                messages.info(
                    request,
                    _(
                        "%(name)s is being imported in the background: the roles show it "
                        "in a moment; its result is in Task results."
                    )
                    % {"name": pending.name},
                )
                return redirect("admin:careers_role_changelist")
            else:
                name, report = interchange.pending_import_confirm(**named)
                messages.success(
                    request,
                    _(
                        "%(name)s imported: %(created)s created, %(updated)s updated, "
                        "%(deleted)s deleted."
                    )
                    % {
                        "name": name,
                        "created": report.total("created"),
                        "updated": report.total("updated"),
                        "deleted": report.total("deleted"),
                    },
                )
                return redirect("admin:careers_role_changelist")
        except interchange.ImportRejected as rejected:
            context["errors"] = rejected.errors
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                raw = interchange.read_limited(upload, upload.size)
                _preview(request, context, upload.name, raw, form.cleaned_data)
            except interchange.ImportRejected as rejected:
                context["errors"] = rejected.errors
    context["form"] = form
    return render(request, "admin/careers/catalogue_import.html", context)


def _preview(request, context: dict, name: str, raw: bytes, data: dict) -> None:
    """Dry-run the file under the prefix asked for; keep it for its confirm unless the
    import would change nothing. Fills the preview page's context."""
    fmt = interchange.format_of(name)
    if fmt is None:
        message = str(_("The file name must end in .json or .csv."))
        raise interchange.ImportRejected([interchange.RowError(None, message)])
    prefix = interchange.clean_prefix(data["code_prefix"]) if data.get("code_prefix") else ""
    report = interchange.import_catalogue(
        document=interchange.parse(raw, fmt), dry_run=True, prefix=prefix
    )
    context["report"] = report
    context["details"] = report.details()
    context["name"] = name
    if not report.changes_nothing():
        context["pending"] = interchange.pending_import_keep(
            uploader=request.user, name=name, raw=raw, prefix=prefix
        )
        context["pending_minutes"] = int(interchange.PENDING_IMPORT_LIFETIME.total_seconds() // 60)


def catalogue_urls():
    return [
        path(
            "catalogue/import/",
            admin.site.admin_view(catalogue_import_view),
            name="careers_catalogue_import",
        ),
        path(
            "catalogue/export.<str:fmt>",
            admin.site.admin_view(catalogue_export_view),
            name="careers_catalogue_export",
        ),
    ]
