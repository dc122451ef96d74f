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
