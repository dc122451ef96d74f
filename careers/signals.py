"""What catalogue changes set off: roles in use are never deleted, and the catalogue
version (for cached readings) changes.

The one rule the catalogue enforces outside forms: roles in use are never deleted.

Answers protect their skills through their foreign key (on_delete=PROTECT); a role is
linked to assessments through a many-to-many table, which Django would silently empty,
so its deletion is refused here whichever way it is attempted.
"""

import secrets
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver

from .models import PendingImport, Role


@receiver(pre_delete, sender=Role)
def refuse_deleting_a_role_in_use(sender, instance: Role, **kwargs) -> None:
    used = instance.assessments.all()
    if used.exists():
        raise ProtectedError(
            f"Role {instance.code} is used by {used.count()} assessment(s); unpublish it instead.",
            set(used),
        )


# ------------------------------------------------------------------ catalogue version

CATALOGUE_VERSION_KEY = "catalogue-version"


def catalogue_version() -> str:
    """A token that changes whenever the catalogue does, for keys of cached readings.

    Every save or deletion of a catalogue row drops it (the receivers below), and so
    does a catalogue import, whose bulk inserts send no signal; a migration too, which
    may change rows behind the models' backs. The next reader draws a new one.

    When the cache keeps nothing (Redis down: its reads find nothing, its writes are
    dropped), each call draws a token of its own: nothing kept under an earlier one is
    ever read, so every reading is made afresh from the database, never stale.
    """
    version = cache.get(CATALOGUE_VERSION_KEY)
    if version is None:
        drawn = secrets.token_hex(6)
        cache.add(CATALOGUE_VERSION_KEY, drawn, None)
        version = cache.get(CATALOGUE_VERSION_KEY, drawn)
    return version


def kept_under_catalogue(key: str) -> tuple[str, Any]:
    """The catalogue version, and what `key` holds if it was kept under that version.

    One round trip for both: what is kept is stored as (version, value) by
    keep_under_catalogue, and is only returned while the catalogue has not changed.
    """
    found = cache.get_many([CATALOGUE_VERSION_KEY, key])
    version = found.get(CATALOGUE_VERSION_KEY) or catalogue_version()
    kept = found.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == version:
        return version, kept[1]
    return version, None


def keep_under_catalogue(key: str, version: str, value: Any, timeout: int) -> None:
    cache.set(key, (version, value), timeout)


def catalogue_changed(**kwargs) -> None:
    cache.delete(CATALOGUE_VERSION_KEY)
    # A reader inside the same transaction could draw a token before the commit: drop
    # it again once the change is visible to everyone.
    transaction.on_commit(lambda: cache.delete(CATALOGUE_VERSION_KEY))


def cache_table(using: str = "default", **kwargs) -> None:
    call_command("createcachetable", database=using, verbosity=0)  # only makes what is missing


def connect_catalogue_version() -> None:
    for model in apps.get_app_config("careers").get_models():
        if model is PendingImport:  # an upload waiting for its confirm, not catalogue data
            continue
        uid = f"catalogue-version-{model._meta.label_lower}"
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"{uid}-delete")
    # Before the cache is first used: a database migrated while Redis was the cache has
    # no table for the database cache it falls back to when REDIS_URL goes.
    post_migrate.connect(cache_table, dispatch_uid="cache-table-migrate")
    post_migrate.connect(catalogue_changed, dispatch_uid="catalogue-version-migrate")
