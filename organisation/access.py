"""Who may see what of the organisation.

- A unit's figures (its landing line, its inventory): the leads of that unit or of any
  unit above it. Nobody else: a team's managers keep seeing their teams only, in the
  teams app, and an administrator is made a unit lead like anyone else.
- A unit that is not the user's to see is not found (404), whatever exists.

Every rule reads today's grants and today's tree: a lead removed, a unit deleted or
moved, a team moved to another unit changes what is seen at the next request.
"""

from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.lookups import StartsWith
from django.shortcuts import get_object_or_404

from .models import Unit, UnitLead


def units_led_by(user) -> QuerySet[Unit]:
    """The units the user leads and every unit under them, in tree order (one query)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    grants = UnitLead.objects.filter(StartsWith(OuterRef("path"), F("unit__path")), user=user)
    return Unit.objects.filter(Exists(grants))


def is_unit_lead(user) -> bool:
    return user.is_authenticated and UnitLead.objects.filter(user=user).exists()


def unit_for_lead(user, pk: int) -> Unit:
    """A unit the user leads, or one under it; else 404."""
    return get_object_or_404(units_led_by(user), pk=pk)
