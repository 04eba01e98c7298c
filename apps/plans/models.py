"""Improvement plans: a team's actions (DESIGN §4), and the organization's own.

An action belongs to an organization and, usually, to one of its teams; an organization-level
action (no team) is a platform investment that executives own. It may address one question of
a bank, named by the bank's slug and the question's code so that it survives new bank versions.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ActionStatus(models.TextChoices):
    TODO = "todo", "To do"
    DOING = "doing", "Doing"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (ActionStatus.TODO, ActionStatus.DOING)


class ActionSource(models.TextChoices):
    HAND = "hand", "Added by hand"
    STEP = "step", "From a next step"
    PATTERN = "pattern", "From an organization pattern"


def overdue_condition(today: dt.date) -> Q:
    """`Action.is_overdue` in SQL, for filters and counts: open, due before `today`."""
    return Q(status__in=OPEN_STATUSES, due_date__lt=today)


class ActionQuerySet(models.QuerySet):
    def open(self) -> "ActionQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date) -> "ActionQuerySet":
        return self.filter(overdue_condition(today))


class Action(models.Model):
    """One thing a team (or the organization) will do to improve, with an owner and a date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="actions"
    )
    team = models.ForeignKey(
        "organizations.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="actions",
        help_text="Empty for an organization-level action.",
    )
    title = models.CharField(max_length=200)
    # The question it addresses, by bank slug and code (both or neither): a code keeps its
    # meaning across the bank's versions, a question row does not.
    bank_slug = models.SlugField(max_length=50, blank=True)
    question_code = models.CharField(max_length=30, blank=True)
    # A member of the team (PostgreSQL holds it to that: plans 0002); cleared when they leave it.
    owner = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    due_date = models.DateField(null=True, blank=True)
    done_when = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.TODO
    )
    status_changed_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)  # first moved to "doing"
    done_at = models.DateTimeField(null=True, blank=True)  # the plan check reads it
    dropped_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        max_length=10, choices=ActionSource.choices, default=ActionSource.HAND
    )
    source_round = models.ForeignKey(
        "surveys.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The new-action form's one-time token: a second submit of the same form (a double click)
    # finds the action the first one created instead of adding another.
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    # The due date the owner was last reminded of: one reminder per action and due date, and a
    # new due date is reminded of again (apps.plans.reminders).
    reminded_for_due = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["organization", "team", "status"], name="action_org_team_status"),
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=OPEN_STATUSES, due_date__isnull=False),
                name="action_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ActionSource.values), name="action_source_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="action_has_title"),
            models.CheckConstraint(
                condition=Q(bank_slug="", question_code="")
                | (~Q(bank_slug="") & ~Q(question_code="")),
                name="action_question_whole",
            ),
            # Status timestamps say what the status says.
            models.CheckConstraint(
                condition=Q(status=ActionStatus.DONE, done_at__isnull=False)
                | (~Q(status=ActionStatus.DONE) & Q(done_at__isnull=True)),
                name="action_done_at_iff_done",
            ),
            models.CheckConstraint(
                condition=Q(status=ActionStatus.DROPPED, dropped_at__isnull=False)
                | (~Q(status=ActionStatus.DROPPED) & Q(dropped_at__isnull=True)),
                name="action_dropped_at_iff_dropped",
            ),
            # A next step is a team's, from a round, about a question.
            models.CheckConstraint(
                condition=~Q(source=ActionSource.STEP)
                | (Q(team__isnull=False) & ~Q(question_code="")),
                name="action_step_has_team_and_question",
            ),
            # The same step added twice (two tabs, a retried request) is one open action.
            models.UniqueConstraint(
                fields=["team", "bank_slug", "question_code", "source_round"],
                condition=Q(source=ActionSource.STEP, status__in=OPEN_STATUSES),
                name="action_one_open_per_step",
            ),
            # A pattern is the organization's, about a question.
            models.CheckConstraint(
                condition=~Q(source=ActionSource.PATTERN)
                | (Q(team__isnull=True) & ~Q(question_code="")),
                name="action_pattern_is_organizations",
            ),
            # The same pattern turned into an action twice is one open action.
            models.UniqueConstraint(
                fields=["organization", "bank_slug", "question_code"],
                condition=Q(source=ActionSource.PATTERN, status__in=OPEN_STATUSES),
                name="action_one_open_per_pattern",
            ),
            models.UniqueConstraint(
                fields=["organization", "form_token"],
                condition=Q(form_token__isnull=False),
                name="action_form_token_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        """Open and due before `today` (the organization's today): the one overdue rule, which
        `ActionQuerySet.overdue` writes in SQL."""
        return self.is_open and self.due_date is not None and self.due_date < today

    def is_due(self, today: dt.date) -> bool:
        """Open and due today or earlier: what the owner is reminded of."""
        return self.is_open and self.due_date is not None and self.due_date <= today
