"""Celery adapters: take ids, call one service, tolerate duplicate delivery."""

from celery import shared_task

from apps.organizations import services


@shared_task  # started with apps.core.jobs.enqueue, which retries with a back-off
def send_invitation_email(invitation_id: int, token_hash: str) -> None:
    services.invitation_email_send(invitation_id=invitation_id, token_hash=token_hash)


@shared_task
def purge_expired_invitations() -> int:
    return services.invitations_purge_expired()


@shared_task
def delete_due_organizations() -> int:
    """Carry out the deletions whose 14 days have passed (apps/organizations/deletion.py)."""
    from apps.organizations.deletion import organizations_delete_due

    return organizations_delete_due()
