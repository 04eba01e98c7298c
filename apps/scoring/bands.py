"""A question bank's level bands, scale and questions, as the pure scoring rules take them."""

from decimal import Decimal

from apps.scoring.calculations import LevelBand, QuestionSpec, max_by_dimension
from apps.surveys.models import Choice, Level, Question, QuestionBank


def bank_bands(bank_id: int) -> list[LevelBand]:
    return [
        LevelBand(level.number, level.name, level.min_score)
        for level in Level.objects.filter(bank_id=bank_id).order_by("number")
    ]


def bank_question_specs(bank_id: int) -> list[QuestionSpec]:
    rows = (
        Question.objects.filter(bank_id=bank_id)
        .select_related("dimension")
        .order_by("dimension__order", "order", "pk")
    )
    maxima = {}
    for question_id, points in Choice.objects.filter(bank_id=bank_id).values_list(
        "question_id", "points"
    ):
        maxima[question_id] = max(points, maxima.get(question_id, 0))
    return [QuestionSpec(q.code, q.dimension.key, q.weight, maxima.get(q.pk, 0)) for q in rows]


def bank_scale(bank: QuestionBank, specs: list[QuestionSpec] | None = None) -> Decimal:
    """What the bank's total is shown on and its level bounds are on: its `scale`, or else its
    maximum total (then a total without N/A or don't know reads in plain points)."""
    if bank.scale is not None:
        return bank.scale
    specs = bank_question_specs(bank.pk) if specs is None else specs
    return sum(max_by_dimension(specs).values(), Decimal(0))
