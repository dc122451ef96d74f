"""Run the reminders' scan once: what Celery beat does every hour under `make serve`;
without a broker (`make run`), from cron for instance. Running it twice sends nothing new."""

from django.core.management.base import BaseCommand

from notifications.services import reminders_send


class Command(BaseCommand):
    help = "Send the reminders that are due and were not sent before."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{len(reminders_send())} reminder(s) queued.")
