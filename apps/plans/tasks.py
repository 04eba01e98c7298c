"""Celery adapters for plans: take ids, call one service. Duplicates are harmless."""

from celery import shared_task

from apps.plans import reminders


@shared_task  # started with apps.core.jobs.enqueue, which retries with a back-off
def send_action_reminder(action_id: int, due: str) -> None:
    """E-mail the owner of an action that is due (once per action and due date)."""
    reminders.action_reminder_send(action_id=action_id, due=due)


@shared_task
def remind_due_actions() -> int:
    """Beat: queue a reminder for each open action due today or overdue, not reminded yet."""
    return reminders.actions_remind_due()
