from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_delete

        from assessments.signals import assessment_changed

        from . import revision

        user = get_user_model()
        assessment_changed.connect(revision.on_assessment_changed, dispatch_uid="team-revision")
        post_save.connect(revision.on_user_saved, sender=user, dispatch_uid="team-revision")
        pre_delete.connect(revision.on_user_deleting, sender=user, dispatch_uid="team-revision")
