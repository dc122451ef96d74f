"""Writes for the organisation: units and their paths, leads, consent, the inventory rows."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Answer, Assessment
from teams.models import ManagerRating, Team

from .models import InventoryConsent, LatestLevel, Unit, UnitLead


def _own_step(unit: Unit) -> str:
    return f"{unit.pk:06d}/"


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Save a unit (new, renamed or moved) and keep the paths of the tree.

    A unit cannot be put under itself or under one of its own sub-units (ValidationError).
    Moving a unit rewrites the paths of everything under it, in one statement.
    """
    parent = Unit.objects.select_for_update().get(pk=unit.parent_id) if unit.parent_id else None
    old_path = Unit.objects.filter(pk=unit.pk).values_list("path", flat=True).first()
    if parent is not None and old_path and parent.path.startswith(old_path):
        raise ValidationError(
            {"parent": _("A unit cannot be placed under itself or one of its sub-units.")}
        )
    if unit.pk is None:
        unit.path = ""
        unit.save()
    new_path = (parent.path if parent else "") + _own_step(unit)
    unit.path = new_path
    unit.save()
    if old_path and old_path != new_path:
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
    return unit


@transaction.atomic
def unit_set_teams(*, unit: Unit, teams: Iterable[Team]) -> None:
    """The unit's teams become exactly these: others leave it (unplaced), these move in."""
    ids = [team.pk for team in teams]
    Team.objects.filter(unit=unit).exclude(pk__in=ids).update(unit=None)
    Team.objects.filter(pk__in=ids).update(unit=unit)


@transaction.atomic
def unit_lead_grant(*, unit: Unit, user, granted_by) -> UnitLead:
    lead, _created = UnitLead.objects.get_or_create(
        unit=unit, user=user, defaults={"granted_by": granted_by, "granted_at": timezone.now()}
    )
    return lead


def unit_lead_revoke(*, lead: UnitLead) -> None:
    UnitLead.objects.filter(pk=lead.pk).delete()


def consent_set(*, user, findable: bool) -> InventoryConsent:
    consent, _created = InventoryConsent.objects.update_or_create(
        user=user, defaults={"findable": findable}
    )
    return consent


def latest_result(user_id: int) -> Assessment | None:
    """The person's latest submitted full result (a quick one is provisional: never it)."""
    return (
        Assessment.objects.filter(
            owner=user_id, status=Assessment.Status.SUBMITTED, mode=Assessment.Mode.FULL
        )
        .order_by("-submitted_at", "-pk")
        .only("pk", "submitted_at", "review_shared_at")
        .first()
    )


@transaction.atomic
def levels_refresh(*, user_id: int) -> None:
    """Write the person's inventory rows again from their latest submitted full result.

    Each skill's level is the manager's rating of that result once its review is shared
    with the person (what they have been shown, and what team figures use), else their
    own answer. Five queries whatever the person did: the result, its answers, its
    ratings, a delete and a bulk insert.
    """
    LatestLevel.objects.filter(user=user_id).delete()
    result = latest_result(user_id)
    if result is None or result.submitted_at is None:
        return
    rows = {
        skill_id: LatestLevel(
            user_id=user_id,
            skill_id=skill_id,
            level=level,
            source=LatestLevel.Source.SELF,
            dated_at=result.submitted_at,
            submitted_at=result.submitted_at,
            assessment_id=result.pk,
        )
        for skill_id, level in Answer.objects.filter(assessment=result, level__isnull=False)
        .order_by()
        .values_list("skill_id", "level")
        if level is not None
    }
    if result.review_shared_at is not None:
        for skill_id, level, rated_at in (
            ManagerRating.objects.filter(assessment=result)
            .order_by()
            .values_list("skill_id", "level", "updated_at")
        ):
            rows[skill_id] = LatestLevel(
                user_id=user_id,
                skill_id=skill_id,
                level=level,
                source=LatestLevel.Source.MANAGER,
                dated_at=rated_at,
                submitted_at=result.submitted_at,
                assessment_id=result.pk,
            )
    LatestLevel.objects.bulk_create(rows.values())


def levels_rebuild() -> int:
    """Every person's rows written again (after a restore, or to fill the table at its
    first deployment). Returns how many people have a result."""
    owners = (
        Assessment.objects.filter(status=Assessment.Status.SUBMITTED, mode=Assessment.Mode.FULL)
        .values_list("owner_id", flat=True)
        .distinct()
        .order_by("owner_id")
    )
    count = 0
    for owner_id in owners.iterator():
        levels_refresh(user_id=owner_id)
        count += 1
    return count


# Receivers, connected in apps.py ----------------------------------------------------


def on_assessment_changed(sender, *, assessment, **kwargs) -> None:
    # A draft started or deleted changes no result: only a submission does.
    if assessment.status == Assessment.Status.SUBMITTED:
        levels_refresh(user_id=assessment.owner_id)


def on_review_changed(sender, *, assessment, sharing: bool = False, **kwargs) -> None:
    # Ratings of a review not shared yet change no figure (the own level stands): one
    # query, read under the review's lock, instead of five for every rating saved.
    if (
        sharing
        or Assessment.objects.filter(pk=assessment.pk, review_shared_at__isnull=False).exists()
    ):
        levels_refresh(user_id=assessment.owner_id)
