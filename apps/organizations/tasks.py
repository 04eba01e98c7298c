"""Celery adapters: take ids, call one service or e-mail, tolerate duplicate delivery."""

import logging

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from apps.core.emails import absolute_url, send_templated_email
from apps.core.tokens import hash_token
from apps.organizations import services
from apps.organizations.models import Invitation

log = logging.getLogger(__name__)


@shared_task  # run through apps.core.jobs.enqueue, which retries with a back-off
def send_invitation_email(invitation_id: int, token: str) -> None:
    # Claim the send: a redelivered task, or one for a link that was refreshed since, does nothing.
    claimed = Invitation.objects.filter(
        pk=invitation_id,
        token_hash=hash_token(token),
        sent_at__isnull=True,
        accepted_at__isnull=True,
    ).update(sent_at=timezone.now())
    if not claimed:
        log.info("Invitation %s already sent or superseded; nothing to do.", invitation_id)
        return
    invitation = Invitation.objects.select_related("organization", "invited_by").get(
        pk=invitation_id
    )
    try:
        send_templated_email(
            to=[invitation.email],
            subject=(
                f"{invitation.sender} invited you to join {invitation.organization.name}"
                if invitation.sender
                else f"You are invited to join {invitation.organization.name}"
            ),
            template="emails/invitation",
            context={
                "invitation": invitation,
                "link": absolute_url(reverse("organizations:invitation", args=[token])),
            },
        )
    except Exception:
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None)  # let the retry send it
        raise


@shared_task
def purge_expired_invitations() -> int:
    return services.invitations_purge_expired()
