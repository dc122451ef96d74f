from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    name = "careers"
    verbose_name = _("Role catalogue")

    def ready(self) -> None:
        from . import signals  # registers the deletion guard

        signals.connect_catalogue_version()
