"""The log-in backend: Django's own, with the per-request user lookup served from the cache.

Every signed-in page reads the user behind the session. With Redis, that read costs a
cache hit instead of a database query. The cached copy is dropped whenever the user is
saved or deleted (password, name, active flag, last login), so a password change still
signs out the other sessions at once; `USER_CACHE_SECONDS` bounds any other staleness
and 0 turns the cache off (the default without Redis, where the cache is the database).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save


def user_cache_key(user_id) -> str:
    return f"auth-user:{user_id}"


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        seconds = settings.USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)  # None for an unknown or inactive user
            if user is not None:
                cache.set(key, user, seconds)
        return user


def forget_user(sender, instance, **kwargs) -> None:
    cache.delete(user_cache_key(instance.pk))


def connect_signals() -> None:
    user_model = get_user_model()
    post_save.connect(forget_user, sender=user_model, dispatch_uid="forget-user-saved")
    post_delete.connect(forget_user, sender=user_model, dispatch_uid="forget-user-deleted")
