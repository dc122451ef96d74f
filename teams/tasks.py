"""Team tasks: an invitation's e-mail, sent by a worker once the invitation is saved; a
cycle's files (report, matrix), made by a worker and kept for download."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliver_invitation(invitation_id: int, link: str) -> str:
    """Mail the invitation; its row records whether it left (the team page shows a
    failed one, with a button that sends it again)."""
    from .models import Invitation
    from .services import invitation_deliver

    invitation = Invitation.objects.select_related("team").filter(pk=invitation_id).first()
    if invitation is None or invitation.sent_at is not None or not invitation.is_usable:
        return "skipped"
    return "sent" if invitation_deliver(invitation=invitation, link=link) else "failed"


def export_backoff(retries: int) -> float:
    """Seconds before the next try: EXPORT_RETRY_SECONDS, doubled each time, at most 10 min."""
    return min(settings.EXPORT_RETRY_SECONDS * 2**retries, 600.0)


@shared_task(bind=True, acks_late=True)
def build_export(self, export_id: int) -> str:
    """Make a cycle's file (teams.services.export_build): run twice, it makes it once.

    A failure is tried again with back-off, EXPORT_MAX_RETRIES times (inline, with no
    broker, EXPORT_INLINE_RETRIES times: 0 by default, the page would wait); the last
    one marks the row failed and ends the task in FAILURE (django-celery-results), both
    shown in the admin.
    """
    from .services import export_build, export_failed

    try:
        return export_build(export_id=export_id)
    except Exception as exc:
        retries = (
            settings.EXPORT_INLINE_RETRIES if self.request.is_eager else settings.EXPORT_MAX_RETRIES
        )
        last = self.request.retries >= retries
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("export %s: %s (try %s)", export_id, error, self.request.retries + 1)
        export_failed(export_id=export_id, error=error, last=last)
        if last:
            raise
        raise self.retry(
            exc=exc, countdown=export_backoff(self.request.retries), max_retries=retries
        ) from exc


@shared_task
def prune_exports() -> int:
    """The periodic clean-up of cycle files nobody is served any more."""
    from .services import exports_prune

    return exports_prune(older_than=timedelta(days=settings.EXPORT_KEEP_DAYS))
