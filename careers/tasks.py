"""Catalogue tasks: a previewed import, confirmed, run by a worker when a broker is set."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),  # the database away for a moment
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=3,
)
def catalogue_import_confirm(uploader_id: int, token: str, digest: str) -> dict:
    """Import the file `uploader` previewed under `token`; the load report's totals.

    Idempotent: the preview is deleted in the import's own transaction, so a task run
    twice imports once and the second run is refused (ImportRejected, nothing written).
    """
    from django.contrib.auth import get_user_model

    from . import interchange

    uploader = get_user_model().objects.get(pk=uploader_id)
    name, report = interchange.pending_import_confirm(uploader=uploader, token=token, digest=digest)
    return {
        "name": name,
        "created": report.total("created"),
        "updated": report.total("updated"),
        "deleted": report.total("deleted"),
    }
