"""Reads about a person's own account."""

from .models import EmailConfirmation


def confirmed_email(user) -> str:
    """The account's address, lowercased, once the link mailed to it was followed; else
    "" (never confirmed, or changed since)."""
    try:
        confirmation = user.email_confirmation
    except EmailConfirmation.DoesNotExist:
        return ""
    return user.email.lower() if confirmation.confirms(user.email) else ""
