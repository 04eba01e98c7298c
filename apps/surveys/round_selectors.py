"""Reads for round pages: progress, a person's own result, my surveys.

The team's result is not read here: `apps.scoring.selectors.round_team_result` is its one home.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from apps.scoring.calculations import LevelBand, level_for, percent
from apps.surveys.models import (
    DimensionScore,
    Level,
    Participant,
    Question,
    Response,
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


def bank_bands(bank_id: int) -> list[LevelBand]:
    return [
        LevelBand(level.number, level.name, level.min_score)
        for level in Level.objects.filter(bank_id=bank_id).order_by("number")
    ]


@dataclass(frozen=True)
class DimensionResult:
    key: str
    name: str
    points: Decimal
    max_points: Decimal
    level: LevelBand

    @property
    def percent(self) -> Decimal:
        return percent(self.points, self.max_points)


@dataclass(frozen=True)
class Result:
    dimensions: list[DimensionResult]
    total: Decimal
    max_total: Decimal
    level: LevelBand
    respondents: int = 1

    @property
    def percent(self) -> Decimal:
        return percent(self.total, self.max_total)


def _result(rows, bands, respondents: int) -> Result:
    """rows: (key, name, points, max_points) per dimension, from the stored snapshots."""
    max_total = sum((r[3] for r in rows), Decimal(0))
    total = sum((r[2] for r in rows), Decimal(0))
    dimensions = [
        DimensionResult(
            key,
            name,
            points,
            maximum,
            level_for(points, maximum=maximum, bank_maximum=max_total, bands=bands),
        )
        for key, name, points, maximum in rows
    ]
    return Result(
        dimensions=dimensions,
        total=total,
        max_total=max_total,
        level=level_for(total, maximum=max_total, bank_maximum=max_total, bands=bands),
        respondents=respondents,
    )


def own_result(response: Response) -> Result:
    rows = (
        DimensionScore.objects.filter(response=response)
        .order_by("dimension__order")
        .values_list("dimension__key", "dimension__name", "points", "max_points")
    )
    return _result(list(rows), bank_bands(response.bank_id), 1)


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
