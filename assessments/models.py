from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import scoring
from careers.models import Level, Role, Skill


class Assessment(models.Model):
    """One self-assessment: a draft while answers are given, a result once submitted.

    On submission `snapshot` freezes everything the result shows (roles, their
    weights and targets, skill names, descriptors, next steps, career paths, and the
    levels given), so later edits to the catalogue never change a result. Its shape, and
    that of `digest`, are declared in scoring.snapshot: read them with `read_snapshot()`
    and `read_digest()`, which check their version, never as raw JSON.
    """

    class NotSubmitted(ValueError):
        """A draft has no snapshot yet."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Mode(models.TextChoices):
        FULL = "full", _("Full")
        QUICK = "quick", _("Quick (core skills only)")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("owner"),
    )
    roles = models.ManyToManyField(Role, related_name="assessments", verbose_name=_("target roles"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.FULL)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True, editable=False)
    # The part of the snapshot that team figures read (levels, requirements, skill names and
    # order), a few kB instead of tens: a dashboard of 200 people loads 200 of them.
    digest = models.JSONField(_("scoring digest"), null=True, blank=True, editable=False)
    cycle = models.ForeignKey(
        "teams.ReviewCycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("review cycle"),
    )
    review_shared_at = models.DateTimeField(_("review shared"), null=True, blank=True)
    # Bumped, in the same transaction, by every write to what a team board shows of this
    # assessment: its submission, its manager's ratings, the sharing of its review
    # (assessments/services.py, teams/services.py). A member's scored row on the board is
    # kept under it (teams/scored.py), so it is worked out again only after such a write.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    # The one-time token of the new-assessment form that started this draft: posting the
    # same form twice (a double click, four clicks at once) gives this one draft.
    start_token = models.UUIDField(_("start token"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False, snapshot__isnull=False),
                name="assessments_assessment_submitted_has_snapshot",
            ),
            models.UniqueConstraint(
                fields=["cycle", "owner"],
                condition=Q(cycle__isnull=False),
                name="assessments_assessment_one_per_cycle",
            ),
            models.UniqueConstraint(
                fields=["owner", "start_token"],
                condition=Q(start_token__isnull=False),
                name="assessments_assessment_one_per_start_token",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.owner} · {self.created_at:%Y-%m-%d} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_quick(self) -> bool:
        return self.mode == self.Mode.QUICK

    def read_snapshot(self) -> scoring.Snapshot:
        """The frozen snapshot, its version checked (scoring.SnapshotVersionError if unknown).

        Raises Assessment.NotSubmitted for a draft: a submitted assessment always has one
        (a check constraint says so).
        """
        if self.snapshot is None:
            raise self.NotSubmitted(f"Assessment {self.pk} has no snapshot: it is a draft.")
        return scoring.read_snapshot(self.snapshot)

    def read_digest(self) -> scoring.Digest | None:
        """The scoring digest, its version checked; None when there is none.

        A draft has none; neither has a result restored from a backup made before the
        digest existed, which team figures leave out (as they always have).
        """
        if self.digest is None:
            return None
        return scoring.read_digest(self.digest)


class Answer(models.Model):
    """A level (and an optional evidence note) for one skill; saved one at a time."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("assessment")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="answers", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, null=True, blank=True
    )
    note = models.TextField(_("evidence note"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped by every write of the level or the note: a form carries the revision it was
    # shown, and a save based on an older one is refused instead of overwriting.
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["assessment", "skill__category__order", "skill__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "skill"], name="assessments_answer_one_per_skill"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=0, level__lte=4),
                name="assessments_answer_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill.code}: {self.level}"
