"""Tasks: sending one message (retried with back-off), the reminders' scan."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone

from .models import Message

logger = logging.getLogger(__name__)

RETRIED = (OSError, smtplib.SMTPException)  # smtplib's errors, refused connections


def backoff(retries: int) -> float:
    """Seconds before the next try: MAIL_RETRY_SECONDS, doubled each time, at most 1 h."""
    return min(settings.MAIL_RETRY_SECONDS * 2**retries, 3600.0)


@shared_task(bind=True, acks_late=True)
def deliver(self, message_id: int) -> str:
    """Send the message once: a message already sent (a task delivered twice by the
    broker, a retry after a send that in fact went through) is not sent again."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "gone"
    if message.sent_at is not None:
        return "already sent"
    Message.objects.filter(pk=message_id).update(attempts=F("attempts") + 1)
    email = EmailMultiAlternatives(subject=message.subject, body=message.text, to=[message.to])
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        email.send()
    except RETRIED as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        # Inline (no broker) the retries would hold the page: MAIL_INLINE_RETRIES, 0 by
        # default; the message then shows as given up in the admin at once.
        retries = (
            settings.MAIL_INLINE_RETRIES if self.request.is_eager else settings.MAIL_MAX_RETRIES
        )
        last = self.request.retries >= retries
        Message.objects.filter(pk=message_id).update(
            last_error=error, failed_at=timezone.now() if last else None
        )
        logger.warning("message %s: %s (try %s)", message_id, error, self.request.retries + 1)
        if last:
            raise
        raise self.retry(
            exc=exc, countdown=backoff(self.request.retries), max_retries=retries
        ) from exc
    Message.objects.filter(pk=message_id, sent_at=None).update(
        sent_at=timezone.now(), last_error="", failed_at=None
    )
    return "sent"


@shared_task
def send_reminders() -> int:
    from .services import reminders_send

    return len(reminders_send())


@shared_task
def cycle_opened(cycle_id: int) -> int:
    from .services import cycle_opened_drafts, drafts_send

    return len(drafts_send(cycle_opened_drafts(cycle_id)))


@shared_task
def review_shared(assessment_id: int) -> int:
    from .services import drafts_send, review_shared_drafts

    return len(drafts_send(review_shared_drafts(assessment_id)))
