import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from careers.interchange import (
    FORMATS,
    MAX_IMPORT_BYTES,
    ImportRejected,
    import_catalogue,
    parse,
    read_limited,
)


class Command(BaseCommand):
    help = (
        "Import a catalogue file (JSON or CSV, see README). The whole file is checked "
        "first: any error and nothing is written. A file may hold "
        f"{MAX_IMPORT_BYTES // 2**20} MB at most."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", choices=FORMATS, help="default: the file's extension")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="report what would change, naming the rows, and write nothing",
        )
        parser.add_argument(
            "--prefix",
            default="",
            help="put this prefix (e.g. acme-) in front of the file's category, skill and "
            "role codes, to import it beside the catalogue's rows of the same codes",
        )

    def handle(self, *args, path, **options):
        fmt = options["format"] or Path(path).suffix[1:].lower()
        if fmt not in FORMATS:
            raise CommandError(f"Cannot tell the format of {path}: add --format json or csv.")
        # The command speaks English, as its other messages do.
        with translation.override("en"):
            self.load(path, fmt, options)

    def load(self, path: str, fmt: str, options: dict) -> None:
        try:
            with open(path, "rb") as stream:
                raw = read_limited(stream, os.fstat(stream.fileno()).st_size)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except ImportRejected as exc:
            raise CommandError(f"{path}: {exc}") from exc
        try:
            report = import_catalogue(
                document=parse(raw, fmt),
                dry_run=options["dry_run"],
                prefix=options["prefix"],
                progress=self.progress,
            )
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{path}: {len(exc.errors)} error(s), nothing was imported."
            ) from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.collisions:
            self.stdout.write(
                self.style.WARNING(
                    "Codes the catalogue holds under other names (their rows are updated; "
                    "--prefix imports the file beside them instead):"
                )
            )
            for line in report.collisions:
                self.stdout.write(f"  {line}")
        if options["dry_run"]:
            for line in report.details():
                self.stdout.write(f"  {line}")
        summary = ", ".join(
            f"{report.total(outcome)} {outcome}"
            for outcome in ("created", "updated", "unchanged", "deleted")
        )
        if report.changes_nothing():
            would = "would change" if options["dry_run"] else "changed"
            self.stdout.write(self.style.WARNING(f"Nothing {would}: {summary}."))
        elif options["dry_run"]:
            self.stdout.write(self.style.WARNING(f"Dry run, nothing was written: {summary}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Catalogue imported: {summary}."))

    def progress(self, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent // 10 != getattr(self, "_last_tenth", None) or done == total:
            self._last_tenth = percent // 10
            self.stdout.write(f"Progress: {done}/{total} ({percent}%)")
