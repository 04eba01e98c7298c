"""Reads for round pages: progress, the people invited, the answering pages, my surveys.

Scores are not read here: a person's own result is apps.scoring.own_result, the team's
`apps.scoring.selectors.round_team_result`.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from apps.surveys.models import (
    Participant,
    Question,
    Round,
    RoundStatus,
)


@dataclass(frozen=True)
class Progress:
    invited: int
    submitted: int
    started: int
    pending_emails: list[str] | None  # None when the round is anonymous

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.invited) if self.invited else 0


def round_progress(round_: Round) -> Progress:
    counts = Participant.objects.filter(round=round_).aggregate(
        invited=Count("pk"),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        started=Count("pk", filter=Q(response__isnull=False, submitted_at__isnull=True)),
    )
    pending = None
    if not round_.anonymous:
        pending = list(
            Participant.objects.filter(round=round_, submitted_at__isnull=True)
            .order_by("email")
            .values_list("email", flat=True)
        )
    return Progress(pending_emails=pending, **counts)


def round_people(round_: Round) -> QuerySet[Participant]:
    """Everyone invited to a round, for the lead's people page (which hides, in an anonymous
    round, who submitted)."""
    return Participant.objects.filter(round=round_).order_by("email")


def team_rounds(team) -> QuerySet[Round]:
    return (
        Round.objects.filter(team=team)
        .select_related("bank")
        .annotate(
            invited=Count("participants", distinct=True),
            submitted=Count(
                "participants", filter=Q(participants__submitted_at__isnull=False), distinct=True
            ),
        )
        .order_by("-opens_at", "-pk")
    )


def dimension_pages(bank_id: int) -> list[dict]:
    """The answering pages: one per dimension, its questions with their choices."""
    questions = (
        Question.objects.filter(bank_id=bank_id)
        .select_related("dimension")
        .prefetch_related("choices")
        .order_by("dimension__order", "order", "pk")
    )
    pages: dict[int, dict] = {}
    for question in questions:
        page = pages.setdefault(
            question.dimension_id, {"dimension": question.dimension, "questions": []}
        )
        page["questions"].append(question)
    return list(pages.values())


def my_pending_participations(user) -> QuerySet[Participant]:
    """Open rounds a logged-in person is invited to and has not submitted (in their orgs)."""
    return (
        Participant.objects.filter(Q(user=user) | Q(email=user.email))
        .filter(
            submitted_at__isnull=True,
            revoked_at__isnull=True,
            round__status=RoundStatus.OPEN,
            round__team__organization__memberships__user=user,
        )
        .select_related("round__team__organization", "round__bank")
        .order_by("round__closes_at")
        .distinct()
    )
