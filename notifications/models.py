"""What the app mails, each message once, and what each person wants to receive."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The reminders a person can turn off in My account."""

    CYCLE_OPENED = "cycle_opened", _("A review cycle of my team opens")
    DUE_7 = "due_7", _("My review is due in 7 days")
    DUE_1 = "due_1", _("My review is due tomorrow")
    REVIEW_SHARED = "review_shared", _("My manager shares my review")
    DRAFT_STALE = "draft_stale", _("A draft I have not touched for 14 days")
    PLAN_DUE = "plan_due", _("An item of my plan is due")
    DIGEST = "digest", _("A weekly digest of my teams' reviews (managers)")


# Account and invitation messages: asked for by the person, never turned off.
TRANSACTIONAL = "transactional"


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    # The language the person last used the site in: their messages are written in it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="fr"
    )
    turned_off = models.JSONField(_("reminders turned off"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants(self, kind: str) -> bool:
        return kind not in self.turned_off


class Message(models.Model):
    """One e-mail, written when it was decided, sent by a task.

    `key` names the occasion (kind, person, object and date): the row is inserted before
    anything is sent, and the unique key makes a second decision insert nothing, so a
    reminder is never sent twice; a send that fails is retried on the same row.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    batch = models.UUIDField(null=True, blank=True, editable=False)  # the scan that made it
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["batch"])]

    def __str__(self) -> str:
        return self.key
