"""Team tasks: an invitation's e-mail, sent by a worker once the invitation is saved."""

from celery import shared_task


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
