"""What the accounts app keeps beside Django's users: confirmed addresses, throttle counts."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailConfirmation(models.Model):
    """The address a person proved they read, by following the link mailed to it.

    The account's address counts as confirmed only while it is still this one: an
    address changed anywhere (a person's account page, the admin) is unconfirmed until
    its own link is followed, with no write path that has to remember to say so. Teams
    read it through the user's `email_confirmation` relation (teams does not import
    accounts): joining a team needs it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_confirmation",
        verbose_name=_("person"),
    )
    email = models.EmailField(_("email address"))
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        verbose_name = _("confirmed email address")
        verbose_name_plural = _("confirmed email addresses")
        ordering = ["-confirmed_at", "-pk"]
        constraints = [
            # One account per confirmed address, whatever its case.
            models.UniqueConstraint(Lower("email"), name="accounts_emailconfirmation_email_once"),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("account")

    def confirms(self, address: str) -> bool:
        """Whether this confirmation still stands for `address` (case-insensitive)."""
        return bool(address) and self.email.lower() == address.strip().lower()


class ThrottleEvent(models.Model):
    """One request that a throttle counted (accounts/throttle.py).

    Kept in the database, as sessions and login throttling are: a cache that fails or
    is flushed would forget the counts, and an attacker could wait for that. The key is
    a keyed hash of the address, account or client address, never the value itself.
    """

    action = models.CharField(_("action"), max_length=30)
    key = models.CharField(_("key"), max_length=64)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("throttled request")
        verbose_name_plural = _("throttled requests")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "key", "at"], name="accounts_throttle_lookup")]

    def __str__(self) -> str:
        return f"{self.action} · {self.at:%Y-%m-%d %H:%M}"


class ErasureRecord(models.Model):
    """That an administrator erased one person's data, and when (accounts/data_rights.py).

    It holds nothing of the person: their former id, and a keyed hash of their address
    that lets an administrator answer "was my data erased?" for an address given to
    them, without the address being readable here. The permissions say who may export
    and who may erase a person's data from the admin.
    """

    former_user_id = models.PositiveIntegerField(_("former user id"))
    email_digest = models.CharField(_("e-mail address digest"), max_length=64, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    # Kept as text too: the administrator's own account may be deleted later.
    erased_by_username = models.CharField(_("erased by (username)"), max_length=150)
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    assessments = models.PositiveIntegerField(_("assessments removed"), default=0)
    teams_removed = models.PositiveIntegerField(_("teams removed"), default=0)
    teams_handed_over = models.PositiveIntegerField(_("teams handed over"), default=0)
    cycles_recomputed = models.PositiveIntegerField(_("closed cycles recomputed"), default=0)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-erased_at", "-pk"]
        permissions = [
            ("export_personal_data", _("Can export a person's data")),
            ("erase_personal_data", _("Can erase a person's data")),
        ]

    def __str__(self) -> str:
        return f"#{self.former_user_id} · {self.erased_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("admin:accounts_erasurerecord_change", args=[self.pk])
