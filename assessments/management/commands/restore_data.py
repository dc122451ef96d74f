import json

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from careers.models import Skill

# Files exported before the team models moved to the teams app name them this way.
MOVED = {
    f"assessments.{name}": f"teams.{name}"
    for name in ("team", "teammembership", "invitation", "reviewcycle", "managerrating")
}


class Command(BaseCommand):
    help = "Restore a file made by export_data into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        if get_user_model().objects.exists() or Skill.objects.exists():
            raise CommandError(
                "The database is not empty: restore into a freshly migrated database."
            )
        with open(path, encoding="utf-8") as source:
            rows = json.load(source)
        for row in rows:
            row["model"] = MOVED.get(row["model"], row["model"])
        with transaction.atomic():
            for obj in serializers.deserialize("python", rows, handle_forward_references=True):
                obj.save()
        # Pages, boards and users kept from the database this one replaces must not be
        # served against it (ids may now belong to other people).
        cache.clear()
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} rows restored from {path}."))
