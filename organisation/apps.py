from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from assessments.signals import assessment_changed
        from teams.signals import review_changed

        from . import services

        # Both are sent inside the write's transaction: the inventory row changes with it.
        assessment_changed.connect(services.on_assessment_changed, dispatch_uid="inventory")
        review_changed.connect(services.on_review_changed, dispatch_uid="inventory")
