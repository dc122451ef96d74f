"""Teams, their members, invitations, review cycles and manager ratings.

These models moved here from the assessments app; their tables kept the names they had
there (`db_table`), so moving them changed no data (teams/migrations/0001_initial.py).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careers.models import Level, Role, Skill
from careers.validators import no_control_characters


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, validators=[no_control_characters])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Bumped by every write to the team's data (teams/revision.py), in the same
    # transaction: the team's cached board and matrix files are keyed on it.
    revision = models.PositiveBigIntegerField(_("revision"), default=0, editable=False)
    # The organisation unit it belongs to (organisation/), set in the admin; none until
    # it is placed. A unit with teams cannot be deleted: move them first.
    unit = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("organisation unit"),
    )

    class Meta:
        db_table = "assessments_team"
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:detail", args=[self.pk])


class TeamMembership(models.Model):
    class Kind(models.TextChoices):
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    target_role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target role"),
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        db_table = "assessments_teammembership"
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team", "kind", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="assessments_membership_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["manager", "member"]), name="assessments_membership_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.kind}"

    @property
    def is_manager(self) -> bool:
        return self.kind == self.Kind.MANAGER


class Invitation(models.Model):
    """A single-use, expiring link that lets one person join a team."""

    VALID_FOR_DAYS = 14

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("team")
    )
    email = models.EmailField(_("email address"))
    kind = models.CharField(
        _("joins as"),
        max_length=10,
        choices=TeamMembership.Kind.choices,
        default=TeamMembership.Kind.MEMBER,
    )
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The e-mail goes out after the invitation is committed (teams/services.py): the
    # manager sees whether it left, and retries the same link when it did not.
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    send_failed_at = models.DateTimeField(_("e-mail failed"), null=True, blank=True)
    send_error = models.CharField(_("sending error"), max_length=200, blank=True)

    class Meta:
        db_table = "assessments_invitation"
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.team}"

    def get_absolute_url(self) -> str:
        return reverse("teams:invitation", args=[self.token])

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_usable(self) -> bool:
        return self.status == "pending"

    @property
    def email_hint(self) -> str:
        """The address with most of it hidden (n•••@e•••.com): enough for its owner to
        know it, not enough for another account holding the link to learn it."""
        local, _at, domain = self.email.partition("@")
        name, dot, tld = domain.rpartition(".")
        if not dot:
            name, tld = domain, ""
        return f"{local[:1]}•••@{name[:1]}•••{dot}{tld}"

    @property
    def send_state(self) -> str:
        """ "sent", "failed" (the last attempt failed) or "queued" (not tried yet)."""
        if self.send_failed_at and (self.sent_at is None or self.send_failed_at > self.sent_at):
            return "failed"
        return "sent" if self.sent_at else "queued"


class ReviewCycle(models.Model):
    """A team review: every member self-assesses, then the managers rate them."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="cycles", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=120, validators=[no_control_characters])
    due_date = models.DateField(_("due date"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # What a later cycle's board needs of this one once it is closed (its answers and
    # ratings are then frozen): each member's fit per role, and the roles' names, written
    # by the close service (teams/scored.py: closed_figures). None while it is open.
    figures = models.JSONField(_("figures"), null=True, blank=True, editable=False)

    class Meta:
        db_table = "assessments_reviewcycle"
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.team} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("teams:cycle", args=[self.team_id, self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ManagerRating(models.Model):
    """A manager's level for one skill of a member's submitted assessment."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("assessment"),
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped on each change, so that a form read at an older one is refused
    # (teams.services.ratings_save): see `version`.
    revision = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        db_table = "assessments_managerrating"
        verbose_name = _("manager rating")
        verbose_name_plural = _("manager ratings")
        ordering = ["assessment", "skill__category__order", "skill__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "skill"], name="assessments_rating_one_per_skill"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=4), name="assessments_rating_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.skill_id}: {self.level}"

    @property
    def version(self) -> str:
        """What a form carries as the rating it was read at ("" for none yet).

        The id is part of it: a rating removed and given again starts at revision 1
        anew, and must not pass for the one a stale form read.
        """
        return f"{self.pk}.{self.revision}"


class BoardRow(models.Model):
    """A member's scored row on their cycle's board, in one language (teams/scored.py).

    Stored so that an empty cache costs no scoring: it is read back only while its key
    (the assessment's revision, the membership's target role, the code's release) is
    the one the board reads, and worked out again and written over otherwise.
    """

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="board_rows"
    )
    language = models.CharField(max_length=10)
    revision = models.PositiveIntegerField()  # Assessment.revision it was worked out at
    target_role_pk = models.PositiveIntegerField(null=True)  # the target role it was for
    release = models.CharField(max_length=64)  # settings.RELEASE: new scoring code, new rows
    # The row's figures, and its names, which most rows share: stored under a key of
    # their own, the board reads one row's per key (scored.row_data). None, "": no digest.
    data = models.JSONField(null=True)
    names = models.JSONField(null=True)
    names_key = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "language"], name="teams_boardrow_one_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.language}: {self.revision}"


class CycleExport(models.Model):
    """A cycle's file (report PDF, matrix CSV/JSON/XLSX), made by a task and kept here.

    Its key is all the file depends on: the cycle, the team's revision and the catalogue
    version (the data and the columns), the format, the language and the code's release.
    Asking again under the same key finds this row, so a file is made once per key; a
    change to the team's data moves the key and the next ask makes a new file. The bytes
    are in the database, so every app server serves what any worker made.
    """

    class Format(models.TextChoices):
        PDF = "pdf", _("Report (PDF)")
        CSV = "csv", _("Matrix (CSV)")
        JSON = "json", _("Matrix (JSON)")
        XLSX = "xlsx", _("Matrix (XLSX)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    cycle = models.ForeignKey(
        ReviewCycle, on_delete=models.CASCADE, related_name="exports", verbose_name=_("cycle")
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=10)
    revision = models.PositiveBigIntegerField(_("team revision"))
    catalogue = models.CharField(_("catalogue version"), max_length=64)
    release = models.CharField(_("release"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    content = models.BinaryField(_("content"), null=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("cycle export")
        verbose_name_plural = _("cycle exports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "format", "language", "revision", "catalogue", "release"],
                name="teams_cycleexport_once_per_key",
            ),
            models.CheckConstraint(
                condition=Q(format__in=["pdf", "csv", "json", "xlsx"]),
                name="teams_cycleexport_format",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "ready", "failed"]),
                name="teams_cycleexport_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.format} · {self.language} · {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("teams:cycle_exports", args=[self.cycle.team_id, self.cycle_id])
