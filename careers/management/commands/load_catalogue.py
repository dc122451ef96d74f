import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from careers.services import CatalogueError, catalogue_load

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "catalogue.json"


class Command(BaseCommand):
    help = "Load the role catalogue (skills, descriptors, actions, roles). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))

    def handle(self, *args, path, **options):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        with translation.override("en"):  # the command speaks English
            try:
                report = catalogue_load(data=data)
            except (CatalogueError, KeyError, ValueError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            for line in report.lines():
                self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue loaded: {report.total('created')} created, "
                f"{report.total('updated')} updated, {report.total('deleted')} deleted."
            )
        )
