"""Organisation units above teams, their leads, and the skills inventory they read.

A unit's `path` is its ancestors' ids and its own, zero-padded ("000003/000017/"): the
units under one are those whose path starts with its own, in one indexed query, and
ordering by it lists the tree depth-first (the admin). It is kept by the one write path
(services.unit_save), which also rewrites the paths under a unit that moves.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careers.models import Level, Skill
from careers.validators import no_control_characters

PATH_STEP = 7  # six digits and a slash per level: a million units


class Unit(models.Model):
    name = models.CharField(_("name"), max_length=150, validators=[no_control_characters])
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="organisation_unit_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation:inventory", args=[self.pk])

    @property
    def depth(self) -> int:
        return max(len(self.path) // PATH_STEP - 1, 0)


class UnitLead(models.Model):
    """A person who sees the figures of a unit and of every unit under it."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="leads", verbose_name=_("unit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="units_led",
        verbose_name=_("person"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("unit lead")
        verbose_name_plural = _("unit leads")
        ordering = ["unit__path", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "user"], name="organisation_unitlead_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit}"


class InventoryConsent(models.Model):
    """A person's choice to be findable by name in the skills inventory (off by default:
    without a row, or with `findable` off, they are only counted)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inventory_consent",
        verbose_name=_("person"),
    )
    findable = models.BooleanField(_("findable in the skills inventory"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("inventory consent")
        verbose_name_plural = _("inventory consents")
        ordering = ["user"]

    def __str__(self) -> str:
        return f"{self.user}: {self.findable}"

    def get_absolute_url(self) -> str:
        return reverse("account")


class LatestLevel(models.Model):
    """A person's level for one skill from their latest submitted full result.

    Derived, never entered: services.levels_refresh writes a person's rows again inside
    every write that can change them (a submission, a manager's rating, a review shared
    or unshared), so the inventory reads one indexed table instead of every result.
    """

    class Source(models.TextChoices):
        SELF = "self", _("Self-assessment")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="latest_levels"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # The figure's own date (the rating's for a manager's level), and the result's.
    dated_at = models.DateTimeField(_("dated"))
    submitted_at = models.DateTimeField(_("submitted"))
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("latest level")
        verbose_name_plural = _("latest levels")
        ordering = ["user", "skill"]
        constraints = [
            models.UniqueConstraint(fields=["user", "skill"], name="organisation_level_once"),
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=4), name="organisation_level_range"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["self", "manager"]), name="organisation_level_source"
            ),
        ]
        indexes = [
            models.Index(fields=["skill", "level", "submitted_at"], name="organisation_level_find")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.skill_id}: {self.level} ({self.source})"
