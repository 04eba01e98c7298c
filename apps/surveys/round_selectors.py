"""Reads for round pages: progress, the people invited, the answering pages, my surveys.

Scores are not read here: a person's own result is apps.scoring.own_result, the team's
`apps.scoring.selectors.round_team_result`.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet

from apps.surveys.models import (
    Answer,
    AnswerKind,
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


def _saved(kind, choice_id, comment, evidence_url) -> dict:
    """A saved answer as the answering pages use it: the radio of an answer posts its value,
    the choice's id or "na" or "dk"."""
    return {
        "kind": kind,
        "choice_id": choice_id,
        "comment": comment,
        "evidence_url": evidence_url,
        "value": str(choice_id) if kind == AnswerKind.CHOICE else kind,
    }


def participant_answers(participant: Participant) -> dict[int, dict]:
    """The participant's saved answers by question id (`_saved`)."""
    rows = Answer.objects.filter(response__participant=participant).values_list(
        "question_id", "kind", "choice_id", "comment", "evidence_url"
    )
    return {question_id: _saved(*saved) for question_id, *saved in rows}


@dataclass(frozen=True)
class AnsweringPages:
    pages: list[list[int]]  # the question ids of each page, numbered as `dimension_pages` does
    answers: dict[int, dict]  # `participant_answers`


def answering_pages(participant: Participant) -> AnsweringPages:
    """What saving a page needs, in one read: which questions are on which page, and what the
    participant saved already (so that only what changed is written)."""
    order = connection.ops.quote_name("order")
    sql = (
        "SELECT q.id, q.dimension_id, a.kind, a.choice_id, a.comment, a.evidence_url "
        "FROM surveys_question q JOIN surveys_dimension d ON d.id = q.dimension_id "
        "LEFT JOIN surveys_response r ON r.participant_id = %s "
        "LEFT JOIN surveys_answer a ON a.response_id = r.id AND a.question_id = q.id "
        f"WHERE q.bank_id = %s ORDER BY d.{order}, q.{order}, q.id"
    )
    pages: dict[int, list[int]] = {}
    answers = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [participant.pk, participant.round.bank_id])
        for question_id, dimension_id, *saved in cursor.fetchall():
            pages.setdefault(dimension_id, []).append(question_id)
            if saved[0] is not None:
                answers[question_id] = _saved(*saved)
    return AnsweringPages(list(pages.values()), answers)


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
