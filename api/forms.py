from django import forms
from django.utils.translation import gettext_lazy as _

from careers.validators import no_control_characters

from .models import AccessToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        validators=[no_control_characters],
        help_text=_("What the token is for, to tell your tokens apart."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=AccessToken.Scope.choices, initial=AccessToken.Scope.READ
    )
