"""Write every person's skills-inventory rows again from their results.

    python manage.py inventory_rebuild

The rows are kept by the write path of submissions and reviews; this fills them for
results given before the inventory existed (once, at its deployment) and is safe to
run again at any time.
"""

from django.core.management.base import BaseCommand

from organisation.services import levels_rebuild


class Command(BaseCommand):
    help = "Rebuild the skills inventory's levels from everyone's latest results."

    def handle(self, *args, **options):
        count = levels_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Inventory rebuilt for {count} people."))
