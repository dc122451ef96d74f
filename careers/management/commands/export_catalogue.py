from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careers.interchange import catalogue_document, dump_csv, dump_json

FORMATS = ("json", "csv")


class Command(BaseCommand):
    help = "Export the whole catalogue (unpublished roles included) as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=FORMATS, help="default: the output's extension, else json"
        )
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--delimiter", choices=[",", ";"], default=",", help="CSV only; ';' for French Excel"
        )

    def handle(self, *args, **options):
        output = options["output"]
        fmt = options["format"] or (Path(output).suffix[1:].lower() if output else "json")
        if fmt not in FORMATS:
            raise CommandError(f"Cannot tell the format of {output}: add --format json or csv.")
        document = catalogue_document()
        if fmt == "csv":
            text = dump_csv(document, delimiter=options["delimiter"])
        else:
            text = dump_json(document)
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        skills = sum(len(category["skills"]) for category in document["categories"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue exported to {output}: {len(document['categories'])} categories, "
                f"{skills} skills, {len(document['roles'])} roles."
            )
        )
