"""Counters that cap how often a request that sends mail may be made.

Each rule counts requests for one key (an address, an account, a client address) over a
sliding window, in the database (`ThrottleEvent`). Checking and counting happen in one
transaction; on PostgreSQL, requests arriving at the same instant may each pass before
the others are counted, so a rule can be exceeded by the number of such requests, never
by more. Rows older than the longest window are deleted as new ones arrive.
"""

from dataclasses import dataclass
from datetime import timedelta

from axes.helpers import get_client_ip_address
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import ThrottleEvent

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Rule:
    action: str
    limit: int
    window: timedelta = HOUR


# Password reset links asked for one address, and from one client address.
RESET_PER_ADDRESS = Rule("reset-address", 3)
RESET_PER_CLIENT = Rule("reset-client", 10)
# Sign-ups from one client address.
SIGNUP_PER_CLIENT = Rule("signup-client", 10)
# "Someone tried to use your address" notices sent to one address.
NOTICE_PER_ADDRESS = Rule("notice-address", 3)
# Confirmation links sent for one account (sign-up, re-send, address change).
CONFIRM_PER_ACCOUNT = Rule("confirm-account", 3)
# Wrong passwords given on the address change form, for one account.
PASSWORD_PER_ACCOUNT = Rule("password-account", 5)

LONGEST = max(
    rule.window
    for rule in (
        RESET_PER_ADDRESS,
        RESET_PER_CLIENT,
        SIGNUP_PER_CLIENT,
        NOTICE_PER_ADDRESS,
        CONFIRM_PER_ACCOUNT,
        PASSWORD_PER_ACCOUNT,
    )
)


def _digest(rule: Rule, key: str) -> str:
    return salted_hmac("accounts.throttle", f"{rule.action}:{key}", algorithm="sha256").hexdigest()


def client_key(request) -> str:
    """The client's address as django-axes reads it (behind the configured proxies)."""
    return get_client_ip_address(request) or "unknown"


def throttle_allow(*, rule: Rule, key: str) -> bool:
    """Count one request for `key`; False, and nothing counted, once `rule.limit`
    requests were counted within the window."""
    now = timezone.now()
    digest = _digest(rule, key.strip().lower())
    with transaction.atomic():
        ThrottleEvent.objects.filter(at__lt=now - LONGEST).delete()
        recent = ThrottleEvent.objects.filter(
            action=rule.action, key=digest, at__gte=now - rule.window
        )
        if recent.count() >= rule.limit:
            return False
        ThrottleEvent.objects.create(action=rule.action, key=digest, at=now)
    return True


def throttle_exhausted(*, rule: Rule, key: str) -> bool:
    """Whether `key` has used up `rule` for now, without counting anything."""
    since = timezone.now() - rule.window
    digest = _digest(rule, key.strip().lower())
    return (
        ThrottleEvent.objects.filter(action=rule.action, key=digest, at__gte=since).count()
        >= rule.limit
    )
