from django import forms
from django.utils.translation import gettext_lazy as _

from careers.models import Level

from .models import PeerRequest


class PeerRequestForm(forms.Form):
    """Skills of the assessment and up to five addresses; the rules are the service's."""

    skills = forms.TypedMultipleChoiceField(
        label=_("Skills to rate"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose 1 to 8 skills."),
    )

    def __init__(self, *args, skills: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["skills"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = skills
        for number in range(1, PeerRequest.MAX_PEERS + 1):
            self.fields[f"email{number}"] = forms.EmailField(
                label=_("Colleague %(n)d's e-mail address") % {"n": number},
                required=number <= PeerRequest.MIN_PEERS,
                max_length=254,
            )

    @property
    def email_fields(self) -> list[forms.BoundField]:
        return [self[f"email{n}"] for n in range(1, PeerRequest.MAX_PEERS + 1)]

    def emails(self) -> list[str]:
        return [
            self.cleaned_data[f"email{n}"]
            for n in range(1, PeerRequest.MAX_PEERS + 1)
            if self.cleaned_data.get(f"email{n}")
        ]


class PeerAnswerForm(forms.Form):
    """A level from 0 to 4 for each chosen skill, every one required."""

    def __init__(self, *args, skill_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        for skill_id in skill_ids:
            self.fields[f"s{skill_id}"] = forms.TypedChoiceField(
                choices=Level.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a level for this skill.")},
            )

    def levels(self) -> dict[int, int]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}
