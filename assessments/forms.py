import re
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careers.models import Level, Role
from careers.selectors import published_roles

from .services import KEEP, AnswerInput

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

    # A one-time token for this page: posting it twice starts one draft (services.py).
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = published_roles()
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
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

    # The answer's revision the page was shown (0: not answered yet). A form without it
    # (an old page, a script) saves without the check.
    revision = forms.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def clean_note(self) -> str:
        # NUL bytes cannot be stored by PostgreSQL; nobody types them on purpose.
        return self.cleaned_data["note"].replace("\x00", "")

    def carries(self, name: str) -> bool:
        """Whether the request holds this field at all (an unset radio sends nothing)."""
        return self.add_prefix(name) in self.data

    def to_input(self) -> AnswerInput:
        """What was posted; a field the request does not carry is left unchanged."""
        data = self.cleaned_data
        return AnswerInput(
            level=data["level"] if self.carries("level") else KEEP,
            note=data["note"] if self.carries("note") else KEEP,
            revision=data["revision"],
        )
