"""Celery adapters for rounds: take ids, call one service. Duplicates are harmless."""

from celery import shared_task

from apps.surveys import round_emails, round_services


@shared_task  # started with apps.core.jobs.enqueue, which retries with a back-off
def send_participant_email(participant_id: int, kind: str, stamp: str | None = None) -> None:
    """Send an invitation (once) or the reminder queued at `stamp` (once)."""
    round_emails.participant_email_send(participant_id=participant_id, kind=kind, stamp=stamp)


@shared_task
def close_due_rounds() -> int:
    return round_services.rounds_close_due()
