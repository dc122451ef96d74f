from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from careers.models import TARGET_LEVELS, Role, Skill
from careers.selectors import published_roles

from .models import Unit

MONTHS = [(3, _("3 months")), (6, _("6 months")), (12, _("12 months")), (24, _("24 months"))]


class _UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return "\u2003" * obj.depth + obj.name


class InventoryForm(forms.Form):
    """The inventory's search (a GET form: its URL can be shared and bookmarked)."""

    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=Skill.objects.all(), empty_label=_("Choose a skill")
    )
    min_level = forms.TypedChoiceField(
        label=_("Minimum level"), choices=TARGET_LEVELS, coerce=int, initial=3
    )
    unit = _UnitChoice(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole unit"),
    )
    role = forms.ModelChoiceField(
        label=_("Target role"),
        queryset=Role.objects.none(),
        required=False,
        empty_label=_("Any role"),
    )
    months = forms.TypedChoiceField(
        label=_("Result submitted within"),
        choices=[("", _("Any time")), *MONTHS],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, units: QuerySet[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["skill"].queryset = Skill.objects.select_related("category")  # type: ignore[attr-defined]
        self.fields["role"].queryset = published_roles()  # type: ignore[attr-defined]
