"""Survey rounds: who was asked, what they answered, and the score snapshot of each response."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Least, Lower
from django.utils import timezone

from apps.core.dates import Period, round_period
from apps.organizations.models import Team
from apps.surveys.models.banks import Choice, Question, QuestionBank


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class RoundQuerySet(models.QuerySet):
    def results_visible(self) -> "RoundQuerySet":
        """The rounds whose team results may be shown: `Round.results_visible` for bulk reads.

        The count is the stored total aggregate's `submitted` (everyone who submitted), written
        when the round closed; an open round has none, so it never qualifies.
        """
        return self.filter(
            status=RoundStatus.CLOSED,
            team_scores__dimension__isnull=True,
            team_scores__submitted__gte=F("min_respondents"),
        )


class Round(models.Model):
    """One run of an assessment for a team, pinned to a published bank version for good."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rounds")
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    anonymous = models.BooleanField(
        default=True, help_text="Nobody, not even leads or admins, can see who answered what."
    )
    min_respondents = models.PositiveSmallIntegerField(
        default=3, help_text="Team results show only once this many people have submitted."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="round_closes_after_it_opens"
            ),
            models.CheckConstraint(
                condition=Q(min_respondents__gte=2), name="round_min_respondents_at_least_2"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed"]), name="round_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_accepting_answers(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == RoundStatus.OPEN and self.opens_at <= now < self.closes_at

    def has_not_opened(self, now=None) -> bool:
        return (now or timezone.now()) < self.opens_at

    def is_over(self, now=None) -> bool:
        return self.status == RoundStatus.CLOSED or (now or timezone.now()) >= self.closes_at

    @property
    def period(self) -> Period:
        """When it opened and actually closed (or is due to close): the one date rule of every
        surface; print it in the organization's time zone (`apps.core.dates`, `round_dates`)."""
        closed = (self.closed_at or self.closes_at) if self.status == RoundStatus.CLOSED else None
        return round_period(opens_at=self.opens_at, closes_at=self.closes_at, closed_at=closed)

    def results_visible(self, submitted: int) -> bool:
        """May the team's results (of any kind) be shown, with `submitted` responses in?

        The one threshold rule (DESIGN §3): only once the round is closed and at or above its
        minimum respondents. While it is open nothing but counts shows, so that nobody can
        difference two views to learn one person's answers. `RoundQuerySet.results_visible`
        is the same rule in SQL.
        """
        return self.status == RoundStatus.CLOSED and submitted >= self.min_respondents


def round_closed_moment(prefix: str = ""):
    """`Round.period`'s close moment as SQL, for queries that order or bucket closed rounds by
    it (`prefix` is the lookup path to the round, e.g. "round__")."""
    closes = F(f"{prefix}closes_at")
    return Least(closes, Coalesce(F(f"{prefix}closed_at"), closes))


class Participant(models.Model):
    """Someone asked to answer a round. Their link's token is derived, only its hash is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participants")
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # a reminder was queued
    reminder_sent_at = models.DateTimeField(null=True, blank=True)  # ...and sent (once)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # A lead revoked the link (leaked, wrong person): it answers 410 for good; answers still count.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                "round", Lower("email"), name="participant_unique_email_per_round"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Response(models.Model):
    """A participant's answers: a draft while they answer, read-only once submitted."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="response"
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The score snapshot, stored at submission: results pages never re-score raw answers.
    total_points = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True, total_points__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False, total_points__isnull=False),
                name="response_submitted_has_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return f"Response to {self.round}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


class AnswerKind(models.TextChoices):
    CHOICE = "choice", "Option"
    NOT_APPLICABLE = "na", "Not applicable"
    DONT_KNOW = "dk", "I don't know"


COMMENT_MAX_LENGTH = 1000
EVIDENCE_URL_MAX_LENGTH = 500
# Evidence links are shown to the team as links: only web addresses, never javascript: or data:.
evidence_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with http:// or https://."
)


class Answer(models.Model):
    """One option, or "not applicable" (where the question allows it), or "don't know" (where
    the bank allows it). Only an option scores (DESIGN §3). The respondent may add a comment
    and an evidence link; the team reads them, never with a name, once the round's results show.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=6, choices=AnswerKind.choices, default=AnswerKind.CHOICE)
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.CharField(max_length=COMMENT_MAX_LENGTH, blank=True, default="")
    evidence_url = models.CharField(
        max_length=EVIDENCE_URL_MAX_LENGTH,
        blank=True,
        default="",
        validators=[evidence_url_validator],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_one_per_question"
            ),
            # The form validates the whole address; the database at least refuses any scheme
            # but http and https.
            models.CheckConstraint(
                condition=Q(evidence_url="")
                | Q(evidence_url__startswith="http://")
                | Q(evidence_url__startswith="https://"),
                name="answer_evidence_url_is_http",
            ),
            # An option answer names its option; N/A and don't know name none. (That N/A and
            # don't know are allowed by the question and bank is a trigger, surveys 0008.)
            models.CheckConstraint(
                condition=Q(kind="choice", choice__isnull=False)
                | Q(kind__in=["na", "dk"], choice__isnull=True),
                name="answer_kind_matches_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} → {self.choice_id or self.kind}"

    @property
    def is_scored(self) -> bool:
        return self.kind == AnswerKind.CHOICE

    def clean(self):
        if self.kind == AnswerKind.CHOICE:
            if self.choice is None or self.choice.question_id != self.question_id:
                raise ValidationError("That answer does not belong to this question.")
        elif self.kind == AnswerKind.NOT_APPLICABLE and not self.question.allow_na:
            raise ValidationError('This question cannot be answered "not applicable".')
        elif self.kind == AnswerKind.DONT_KNOW and not self.question.bank.allow_dont_know:
            raise ValidationError('This survey does not offer "I don\'t know".')
