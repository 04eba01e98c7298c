"""Reminders: the owner of an action that is due hears of it once per due date."""

import datetime as dt

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from apps.core.models import QueuedJob
from apps.organizations.services import organization_purge
from apps.plans import reminders, services
from apps.plans.models import Action, ActionStatus
from apps.plans.tasks import remind_due_actions
from tests.factories import ActionFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# 09:00 UTC on a Tuesday: past the reminder hour in UTC.
MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
TODAY = MORNING.date()


@pytest.fixture
def owner(team):
    user = UserFactory(email="olga@acme.example", name="Olga Owner")
    return TeamMembershipFactory(team=team, membership__user=user).membership


def remind(now=MORNING) -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return reminders.actions_remind_due(now=now)


def test_the_owner_of_an_action_due_today_gets_one_email(team, owner):
    ActionFactory(team=team, owner=owner, title="Eval gate", due_date=TODAY, done_when="CI runs")
    assert remind() == 1
    [email] = mail.outbox
    assert email.to == ["olga@acme.example"]
    assert email.subject == "Due today: Eval gate (Platform)"
    assert "CI runs" in email.body and "#action-" in email.body
    # The next hourly runs find nothing new.
    assert remind(MORNING + dt.timedelta(hours=1)) == 0
    assert remind(MORNING + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_an_overdue_action_says_so(team, owner):
    ActionFactory(team=team, owner=owner, title="Eval gate", due_date=TODAY - dt.timedelta(days=4))
    remind()
    assert mail.outbox[0].subject == "Overdue: Eval gate (Platform)"
    assert "was due on 27 Nov 2026" in mail.outbox[0].body


def test_nothing_for_done_dropped_future_or_unowned_actions(team, owner):
    ActionFactory(team=team, owner=owner, due_date=TODAY + dt.timedelta(days=1))
    ActionFactory(team=team, due_date=TODAY)  # nobody owns it
    ActionFactory(team=team, owner=owner, due_date=TODAY, status=ActionStatus.DONE, done_at=MORNING)
    ActionFactory(
        team=team, owner=owner, due_date=TODAY, status=ActionStatus.DROPPED, dropped_at=MORNING
    )
    assert remind() == 0
    assert mail.outbox == []


def test_a_new_due_date_is_reminded_of_again(team, owner):
    action = ActionFactory(team=team, owner=owner, due_date=TODAY)
    remind()
    services.action_update(action=action, due_date=TODAY + dt.timedelta(days=2), now=MORNING)
    assert remind() == 0  # not due yet
    assert remind(MORNING + dt.timedelta(days=2)) == 1
    assert len(mail.outbox) == 2
    action.refresh_from_db()
    assert action.reminded_for_due == TODAY + dt.timedelta(days=2)


def test_an_action_done_after_its_reminder_was_queued_sends_nothing(team, owner):
    action = ActionFactory(team=team, owner=owner, due_date=TODAY)
    reminders.actions_remind_due(now=MORNING)  # queued, not sent (no commit yet)
    services.action_update(action=action, status=ActionStatus.DONE)
    reminders.action_reminder_send(action_id=action.pk, due=TODAY.isoformat())
    assert mail.outbox == []


def test_reminders_wait_for_the_morning_in_the_organizations_zone(org, team, owner):
    org.time_zone = "America/New_York"  # 09:00 UTC is 04:00 there
    org.save()
    ActionFactory(team=team, owner=owner, due_date=TODAY)
    assert remind() == 0
    assert remind(MORNING + dt.timedelta(hours=5)) == 1  # 09:00 in New York


def test_the_reminder_is_a_durable_job(team, owner):
    ActionFactory(team=team, owner=owner, due_date=TODAY)
    remind()
    job = QueuedJob.objects.get(task="apps.plans.tasks.send_action_reminder")
    assert job.status == "done" and job.queue == "bulk"


def test_the_beat_task_runs_the_service(team, owner):
    # Overdue by now, whatever the hour: an overdue action is reminded of at any time.
    ActionFactory(team=team, owner=owner, due_date=timezone.localdate() - dt.timedelta(days=2))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert remind_due_actions.delay().get() == 1
    assert len(mail.outbox) == 1


def test_deleting_an_action_discards_its_reminder_not_sent_yet(team, owner):
    action = ActionFactory(team=team, owner=owner, due_date=TODAY)
    reminders.actions_remind_due(now=MORNING)  # queued; its message would go after commit
    assert QueuedJob.objects.filter(task="apps.plans.tasks.send_action_reminder").exists()
    services.action_delete(action=action)
    assert not QueuedJob.objects.filter(task="apps.plans.tasks.send_action_reminder").exists()


def test_deleting_the_organization_takes_its_plans_and_reminders(org, team, owner):
    ActionFactory(team=team, owner=owner, due_date=TODAY)
    Action.objects.create(organization=org, title="Shared evals", status_changed_at=MORNING)
    reminders.actions_remind_due(now=MORNING)
    organization_purge(organization=org)
    assert not Action.objects.exists()
    assert not QueuedJob.objects.filter(task="apps.plans.tasks.send_action_reminder").exists()
