from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.forms import NOTE_MAX_LENGTH
from careers.models import Level, Role
from careers.selectors import published_roles
from careers.validators import no_control_characters

from .models import TeamMembership


def _helper(label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120, validators=[no_control_characters])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Create the team"))


class TeamRenameForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120, validators=[no_control_characters])


class InvitationForm(forms.Form):
    # The column's length: a valid address can be longer (up to 320 characters).
    email = forms.EmailField(label=_("Email address"), max_length=254)
    kind = forms.ChoiceField(
        label=_("Joins as"), choices=TeamMembership.Kind.choices, initial="member"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send the invitation"))


class CycleForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        initial=_("Annual review"),
        validators=[no_control_characters],
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Open the cycle"))

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due


class TargetRoleForm(forms.Form):
    role = forms.ModelChoiceField(
        label=_("Target role"),
        queryset=Role.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = published_roles()


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Manager's level"),
        choices=[("", "—"), *Level.choices],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a level between 0 and 4.")},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm"}),
    )

    def clean_comment(self) -> str:
        return self.cleaned_data["comment"].replace("\x00", "")
