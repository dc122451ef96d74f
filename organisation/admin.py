"""Units edited in the admin: the tree in order, each unit's teams, its leads.

Every save goes through the services: the unit's path (and those under it) by
`unit_save`, its teams by `unit_set_teams`, a lead's grant with who gave it.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from teams.models import Team

from . import services
from .models import InventoryConsent, Unit, UnitLead


class UnitForm(forms.ModelForm):
    teams = forms.ModelMultipleChoiceField(
        label=_("teams"),
        queryset=Team.objects.select_related("unit"),
        required=False,
        widget=FilteredSelectMultiple(_("teams"), is_stacked=False),
        help_text=_("A team belongs to one unit: choosing it here moves it from its unit."),
    )

    class Meta:
        model = Unit
        fields = ["name", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["teams"].initial = list(self.instance.teams.values_list("pk", flat=True))
            # Not itself nor anything under it: that would make a loop.
            self.fields["parent"].queryset = Unit.objects.exclude(  # type: ignore[attr-defined]
                path__startswith=self.instance.path
            )


class UnitLeadInline(admin.TabularInline):
    model = UnitLead
    fields = ["user", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitForm
    list_display = ["tree_name", "team_count", "lead_count"]
    search_fields = ["name"]
    inlines = [UnitLeadInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                team_total=Count("teams", distinct=True), lead_total=Count("leads", distinct=True)
            )
        )

    @admin.display(description=_("unit"), ordering="path")
    def tree_name(self, obj: Unit) -> str:
        return "\u2003" * obj.depth + ("↳ " if obj.depth else "") + obj.name

    @admin.display(description=_("teams"), ordering="team_total")
    def team_count(self, obj) -> int:
        return obj.team_total

    @admin.display(description=_("unit leads"), ordering="lead_total")
    def lead_count(self, obj) -> int:
        return obj.lead_total

    def save_model(self, request, obj, form, change):
        try:
            services.unit_save(unit=obj)
        except ValidationError as error:  # the form's queryset refuses it first
            form.add_error(None, error)
            raise
        services.unit_set_teams(unit=obj, teams=form.cleaned_data["teams"])

    def save_formset(self, request, form, formset, change):
        for lead in formset.save(commit=False):
            if lead.pk is None:
                services.unit_lead_grant(unit=lead.unit, user=lead.user, granted_by=request.user)
        for lead in formset.deleted_objects:
            services.unit_lead_revoke(lead=lead)


@admin.register(InventoryConsent)
class InventoryConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "findable", "updated_at"]
    list_filter = ["findable"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "findable", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False  # a person's own choice, made on their account page

    def has_change_permission(self, request, obj=None) -> bool:
        return False
