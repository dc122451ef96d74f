from typing import Any

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

    def __init__(self, *args, **kwargs):
        # Its own ids: the team page also holds the cycle form, whose field is "name" too.
        kwargs.setdefault("auto_id", "id_rename_%s")
        super().__init__(*args, **kwargs)


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


NO_RATING = "none"


def _level_or_none(value: str) -> int | None:
    return None if value == NO_RATING else int(value)


def level_text(level: int | None) -> str:
    """A level as both the self column and the manager's options show it: "2 · Working"."""
    return "" if level is None else f"{level} · {Level(level).label}"


def _level_choices() -> list[tuple[str | int, Any]]:
    return [(NO_RATING, _("No rating")), *((value, level_text(value)) for value in Level.values)]


class RatingForm(forms.Form):
    """One skill's row of the review form.

    Clearing a rating is a choice that is posted ("No rating"): a level the request does
    not carry (absent or blank) leaves the rating as it is, and so does an absent
    comment. Each field also posts the value it was shown with (a hidden initial), so
    only what the manager changed is written; `read` is the version of the rating the
    page showed (`teams.services.rating_version`), for the service to refuse a write
    over a newer one.
    """

    level = forms.TypedChoiceField(
        label=_("Manager's level"),
        choices=_level_choices,  # a callable: the labels follow the request's language
        coerce=_level_or_none,
        required=False,
        empty_value="",
        show_hidden_initial=True,
        error_messages={"invalid_choice": _("Choose a level between 0 and 4.")},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        show_hidden_initial=True,
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "form-control form-control-sm review-comment"}
        ),
    )
    read = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    @staticmethod
    def initial_for(level: int | None, comment: str, version: str) -> dict[str, Any]:
        return {
            "level": NO_RATING if level is None else level,
            "comment": comment,
            "read": version,
        }

    def clean_comment(self) -> str:
        return self.cleaned_data["comment"].replace("\x00", "")

    def carries(self, name: str) -> bool:
        value = self.data.get(self.add_prefix(name))
        return value is not None and (name == "comment" or value != "")

    def write(self, stored: tuple[int | None, str]) -> tuple[int | None, str] | None:
        """The (level, comment) to save, or None when the manager changed neither.

        Call once the form is valid; `stored` fills in a field the request left out.
        """
        if not any(self.carries(name) for name in self.changed_data if name != "read"):
            return None
        return self.posted(stored)

    def posted(self, stored: tuple[int | None, str]) -> tuple[int | None, str]:
        """The (level, comment) the request carries, changed or not: what one row's
        autosave writes (the row as it stands on the page). Call once the form is valid;
        `stored` fills in a field the request left out."""
        level = self.cleaned_data["level"] if self.carries("level") else stored[0]
        comment = self.cleaned_data["comment"] if self.carries("comment") else stored[1]
        return level, comment
