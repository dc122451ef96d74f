"""A person's development plan: the gaps of a result turned into things to do.

A plan item aims one skill at a level, by a next step of the result (frozen as the
result showed it: title in both languages, link, provider...) or by an action of the
person's own. Items are their owner's. A person may share the whole plan with the
managers of a team they are a member of (`PlanShare`): those managers, while both are in
the team, read it, comment on its items and mark them agreed (plans/access.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from careers.models import WEB_LINK_VALIDATOR, Skill
from careers.validators import no_control_characters
from teams.models import Team

MAX_TEXT = 2000


class PlanItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    ACTIVE = (Status.PLANNED, Status.IN_PROGRESS)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="plan_items",
        verbose_name=_("owner"),
    )
    result = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        related_name="plan_items",
        verbose_name=_("result"),
        help_text=_("The result whose gap the item closes."),
    )
    # The skill by its stable code, so that the item outlives a catalogue edit; the link
    # to the catalogue's row gives its name in each language while it exists.
    skill_code = models.CharField(_("skill code"), max_length=60)
    skill = models.ForeignKey(
        Skill, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("skill")
    )
    level_then = models.PositiveSmallIntegerField(_("level when planned"))
    target_level = models.PositiveSmallIntegerField(_("level aimed at"))
    # A next step of the result, as its snapshot holds it (scoring.SnapshotAction); or
    # None, and the person's own `title` and `url`.
    step = models.JSONField(_("next step"), null=True, blank=True, editable=False)
    step_key = models.CharField(max_length=64, blank=True, editable=False)
    title = models.CharField(
        _("action"), max_length=200, blank=True, validators=[no_control_characters]
    )
    url = models.URLField(_("link"), max_length=500, blank=True, validators=[WEB_LINK_VALIDATOR])
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True, max_length=MAX_TEXT)
    evidence = models.TextField(
        _("evidence of completion"),
        blank=True,
        max_length=MAX_TEXT,
        help_text=_("What shows it is done: a certificate, a deliverable, a link."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    done_at = models.DateTimeField(_("done on"), null=True, blank=True)
    # Bumped by every change: a save from a stale tab names the revision it read.
    revision = models.PositiveIntegerField(default=1)
    # A manager of a team the plan is shared with agreed to the item.
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed by"),
    )
    agreed_at = models.DateTimeField(_("agreed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["due_date", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "done", "dropped"]),
                name="plans_planitem_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(target_level__gte=1, target_level__lte=4)
                & Q(level_then__gte=0, level_then__lte=4),
                name="plans_planitem_levels_range",
            ),
            models.CheckConstraint(
                condition=~Q(step_key="") | ~Q(title=""), name="plans_planitem_has_action"
            ),
            # One open item per next step: a double click or a second tab adds it once.
            models.UniqueConstraint(
                fields=["owner", "skill_code", "step_key"],
                condition=~Q(step_key="") & Q(status__in=["planned", "in_progress"]),
                name="plans_planitem_one_open_per_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_code} → {self.target_level}"

    @property
    def is_open(self) -> bool:
        return self.status in self.ACTIVE

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today


class PlanShare(models.Model):
    """The owner's plan shown to the managers of `team` (the owner a member of it)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_shares"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="plan_shares")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shared plan")
        verbose_name_plural = _("shared plans")
        constraints = [
            models.UniqueConstraint(fields=["owner", "team"], name="plans_planshare_once")
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.team}"


class PlanComment(models.Model):
    """A remark on an item, by its owner or a manager the plan is shared with."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=MAX_TEXT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.author} · {self.created_at:%Y-%m-%d}"
