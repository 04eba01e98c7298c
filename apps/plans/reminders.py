"""Reminders to the owners of actions that are due: one e-mail per action per due date.

The beat (`tasks.remind_due_actions`, hourly) claims each open action due today or earlier in
its organization's time zone, once its working day has begun there, by a conditional UPDATE of
`reminded_for_due` to the due date (STYLE rule 6), and queues the e-mail as a durable job in the
same transaction. A second run, or a second beat, finds nothing left to claim. A new due date
(or a new owner) clears the mark, so that date is reminded of again.
"""

import datetime as dt
import logging
import zoneinfo

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.core import jobs
from apps.core.dates import local
from apps.core.emails import absolute_url, send_templated_email
from apps.plans.models import Action

log = logging.getLogger(__name__)

# Reminders go out from this hour of the organization's day, not at midnight.
REMINDER_HOUR = 8


def _due_candidates(now: dt.datetime):
    # No time zone is more than a day ahead of UTC: nothing due later can be due anywhere yet.
    latest = (now + dt.timedelta(days=1)).date()
    return (
        Action.objects.open()
        .filter(due_date__lte=latest, owner__isnull=False)
        .exclude(reminded_for_due=F("due_date"))
        .values_list("pk", "due_date", "organization__time_zone")
    )


def actions_remind_due(*, now: dt.datetime | None = None) -> int:
    """Queue a reminder for each open action due in its organization today or earlier (from
    REMINDER_HOUR there) whose owner was not reminded of that due date yet. How many queued."""
    from apps.plans.tasks import send_action_reminder

    now = now or timezone.now()
    queued = 0
    for pk, due, time_zone in _due_candidates(now):
        there = local(now, time_zone)
        if due > there.date() or (due == there.date() and there.hour < REMINDER_HOUR):
            continue
        with transaction.atomic():
            claimed = (
                Action.objects.open()
                .filter(pk=pk, due_date=due, owner__isnull=False)
                .exclude(reminded_for_due=due)
                .update(reminded_for_due=due)
            )
            if claimed:
                jobs.enqueue(send_action_reminder, pk, due.isoformat())
                queued += 1
    return queued


def action_reminder_send(*, action_id: int, due: str) -> None:
    """Send the reminder queued for `due`. Nothing when the action is gone, done or dropped,
    has another due date now (that one is reminded of on its own) or no owner."""
    action = (
        Action.objects.select_related("organization", "team", "owner__user")
        .filter(pk=action_id)
        .first()
    )
    if (
        action is None
        or not action.is_open
        or action.due_date is None
        or action.due_date.isoformat() != due
        or action.owner is None
    ):
        log.info("Action %s: reminder for %s no longer needed.", action_id, due)
        return
    organization = action.organization
    today = local(timezone.now(), organization.time_zone).date()
    where = action.team.name if action.team else organization.name
    overdue = action.due_date < today
    subject = (
        f"Overdue: {action.title} ({where})" if overdue else f"Due today: {action.title} ({where})"
    )
    if action.team is not None:
        path = reverse("organizations:team_detail", args=[organization.slug, action.team.public_id])
    else:
        path = reverse("organizations:dashboard", args=[organization.slug])
    with timezone.override(zoneinfo.ZoneInfo(organization.time_zone)):
        send_templated_email(
            to=[action.owner.user.email],
            subject=subject,
            template="plans/emails/action_reminder",
            context={
                "action": action,
                "where": where,
                "overdue": overdue,
                "organization": organization,
                "link": absolute_url(f"{path}#action-{action.public_id}"),
            },
        )
