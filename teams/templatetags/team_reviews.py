"""The team reviews a person takes part in, shown on their own assessments page.

A template tag, so that the assessments app, which the teams app builds on, shows team
reviews without importing anything from it.
"""

from django import template

from ..forms import level_text as _level_text
from ..selectors import member_cycles

register = template.Library()


@register.inclusion_tag("teams/_member_reviews.html", takes_context=True)
def member_reviews(context):
    """The open cycles of the user's teams, with their own assessment for each (3 queries)."""
    return {
        "cycles": member_cycles(context["request"].user),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def level_text(level):
    """A level as the review pages show it, number and label: "2 · Working"."""
    return _level_text(level)
