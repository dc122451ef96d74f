"""Export everything the app holds to one JSON file: people (with their confirmed
addresses), the catalogue (with its history), assessments, teams, invitations, cycles
and ratings.

    python manage.py export_data backup.json
    python manage.py restore_data backup.json     # into an empty, migrated database

Django's JSON serializer rounds times to the millisecond; this one keeps them whole, so
a restored database is identical to the exported one.
"""

import json
from datetime import date, datetime, time
from decimal import Decimal

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand

# Order matters for loading: what is referred to comes first. Assessments refer to
# review cycles and manager ratings to assessments, so the teams app comes in two parts;
# teams refer to organisation units, and the inventory's levels to assessments.
APPS = ["auth", "accounts", "careers", "organisation", "teams", "assessments"]
LAST = {"teams.ManagerRating", "organisation.LatestLevel"}
# Permissions are recreated by migrate (groups refer to them by natural key); a pending
# import is an upload waiting an hour at most for its confirm; throttle counts last an
# hour.
SKIPPED = {"auth.Permission", "careers.PendingImport", "accounts.ThrottleEvent"}


def exported_models():
    models = [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label not in SKIPPED
    ]
    return sorted(models, key=lambda model: model._meta.label in LAST)


def _plain(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"Cannot export {type(value).__name__}")


class Command(BaseCommand):
    help = "Export all data (people, catalogue, assessments, teams) to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        rows = []
        for model in exported_models():
            rows += serializers.serialize(
                "python", model._default_manager.order_by("pk"), use_natural_foreign_keys=True
            )
        with open(path, "w", encoding="utf-8") as out:
            json.dump(rows, out, default=_plain, ensure_ascii=False, indent=1)
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} rows exported to {path}."))
