from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_TEXT, PlanItem


class DateInput(forms.DateInput):
    input_type = "date"


class PlanItemForm(forms.ModelForm):
    """An item's follow-up, with the revision the page read (a stale tab is refused)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = PlanItem
        fields = ("status", "due_date", "notes", "evidence")
        widgets = {
            "due_date": DateInput(format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2, "maxlength": MAX_TEXT}),
            "evidence": forms.Textarea(attrs={"rows": 2, "maxlength": MAX_TEXT}),
        }


class AddForm(forms.Form):
    """A gap of a result turned into an item: by its next step number `step`, or by the
    person's own `title` (and `url`)."""

    result = forms.IntegerField(min_value=1)
    role = forms.SlugField(max_length=30)
    skill = forms.SlugField(max_length=60)
    step = forms.IntegerField(min_value=0, max_value=99, required=False)
    title = forms.CharField(label=_("Your own action"), max_length=200, required=False)
    url = forms.URLField(label=_("Link (optional)"), max_length=500, required=False,
                         assume_scheme="https")  # fmt: skip
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("step") is None and not (data.get("title") or "").strip():
            raise forms.ValidationError(_("Choose a next step or write your own action."))
        return data
