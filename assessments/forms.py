import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careers.models import Level, Role
from careers.selectors import published_roles

from .services import AnswerInput

NOTE_MAX_LENGTH = 2000


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids that are not ASCII digits of a database id's size before any query:
    "99999999999999999999" would otherwise overflow the `IN` lookup (a 500 on SQLite)."""

    def _check_values(self, value):
        for pk in value:
            if not re.fullmatch(r"[0-9]{1,18}", str(pk)):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class RoleChoiceForm(forms.Form):
    roles = RoleChoiceField(
        label=_("Target roles"),
        queryset=Role.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input me-2"}),
        help_text=_("Pick one, several or all: the questionnaire covers every skill they need."),
        error_messages={"required": _("Choose at least one role.")},
    )

    quick = forms.BooleanField(
        label=_("Quick assessment: the core skills only, about ten minutes"),
        help_text=_(
            "The result is provisional; you can continue into the full assessment later "
            "without answering anything twice."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = published_roles()
        self.helper = FormHelper()
        self.helper.add_input(Submit("start", _("Start the questionnaire")))


class AnswerForm(forms.Form):
    """One question: a level from 0 to 4 and an optional evidence note."""

    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=Level.choices,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a level between 0 and 4.")},
    )
    note = forms.CharField(
        label=_("Evidence (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_note(self) -> str:
        # NUL bytes cannot be stored by PostgreSQL; nobody types them on purpose.
        return self.cleaned_data["note"].replace("\x00", "")

    def to_input(self) -> AnswerInput:
        return AnswerInput(level=self.cleaned_data["level"], note=self.cleaned_data["note"])
