"""The language a person signs in with is the one their messages are written in."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import get_language


@receiver(user_logged_in)
def remember_language(sender, request, user, **kwargs) -> None:
    from .services import language_remember

    language_remember(user=user, language=getattr(request, "LANGUAGE_CODE", "") or get_language())
