"""Scores: a response's snapshot, stored when it is submitted; a round's team aggregates,
stored when it closes (and recomputed on demand). Surveys asks through its hooks
(apps.surveys.signals, received in apps.scoring.signals)."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from apps.scoring.bands import bank_bands
from apps.scoring.calculations import (
    MissingAnswers,
    QuestionSpec,
    Scores,
    aggregate,
    level_for,
    respondent_scores,
)
from apps.scoring.models import DimensionScore, TeamScore
from apps.surveys.models import (
    Answer,
    Choice,
    Dimension,
    Question,
    Response,
    ResponseStatus,
    Round,
)
from apps.surveys.round_services import AnswersMissing


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


def response_score(*, response: Response) -> Response:
    """Score a response being submitted and store its snapshot; AnswersMissing (the submission
    is refused) while a question is unanswered."""
    specs = bank_question_specs(response.bank_id)
    points = dict(
        Answer.objects.filter(response=response).values_list("question__code", "choice__points")
    )
    try:
        scores = respondent_scores(specs, points)
    except MissingAnswers as missing:
        raise AnswersMissing(missing.codes) from None
    return response_store_snapshot(response=response, scores=scores)


def response_store_snapshot(*, response: Response, scores: Scores) -> Response:
    """Store a response's score snapshot: its points per dimension; its total is set on
    `response`, saved by surveys with its submission (a draft has no total, a database check)."""
    dimensions = dict(Dimension.objects.filter(bank_id=response.bank_id).values_list("key", "pk"))
    DimensionScore.objects.bulk_create(
        DimensionScore(
            response=response,
            dimension_id=dimensions[key],
            points=value,
            max_points=scores.max_by_dimension[key],
        )
        for key, value in scores.by_dimension.items()
    )
    response.total_points, response.max_points = scores.total, scores.max_total
    return response


def response_snapshots_delete(*, responses) -> None:
    """Delete these responses' score snapshots, before surveys deletes the responses in one SQL
    statement (an organization's purge) that Django's collector does not follow."""
    DimensionScore.objects.filter(response__in=responses).delete()


@transaction.atomic
def team_scores_store(*, round_: Round) -> list[TeamScore]:
    """Replace the round's team aggregates from the submitted responses' snapshots."""
    TeamScore.objects.filter(round=round_).delete()
    return TeamScore.objects.bulk_create(team_scores_compute(round_))


def team_scores_compute(round_: Round) -> list[TeamScore]:
    """The round's team aggregates (unsaved): per dimension, and the total."""
    submitted = Response.objects.filter(round=round_, status=ResponseStatus.SUBMITTED)
    totals = list(submitted.values_list("total_points", "max_points"))
    if not totals:
        return []
    bands = bank_bands(round_.bank_id)
    bank_maximum = totals[0][1]
    by_dimension: dict[int, list[Decimal]] = defaultdict(list)
    maxima: dict[int, Decimal] = {}
    for dimension_id, points, maximum in DimensionScore.objects.filter(
        response__in=submitted
    ).values_list("dimension_id", "points", "max_points"):
        by_dimension[dimension_id].append(points)
        maxima[dimension_id] = maximum
    rows = [(None, [t for t, _ in totals], bank_maximum)] + [
        (dimension_id, values, maxima[dimension_id])
        for dimension_id, values in by_dimension.items()
    ]
    scores = []
    for dimension_id, values, maximum in rows:
        stats = aggregate(values)
        level = level_for(stats.mean, maximum=maximum, bank_maximum=bank_maximum, bands=bands)
        scores.append(
            TeamScore(
                round=round_,
                dimension_id=dimension_id,
                n=stats.n,
                mean=stats.mean,
                median=stats.median,
                minimum=stats.minimum,
                maximum=stats.maximum,
                stdev=stats.stdev,
                max_points=maximum,
                level_number=level.number,
                level_name=level.name,
            )
        )
    return scores


def round_recompute_differences(round_: Round) -> list[str]:
    """Re-score every submitted response from its raw answers; list any difference from the
    stored snapshots and team aggregates (an empty list means they agree)."""
    specs = bank_question_specs(round_.bank_id)
    dimension_keys = dict(round_.bank.dimensions.values_list("pk", "key"))
    differences = []
    submitted = Response.objects.filter(round=round_, status=ResponseStatus.SUBMITTED)
    answers: dict[int, dict[str, int]] = defaultdict(dict)
    for response_id, code, points in Answer.objects.filter(response__in=submitted).values_list(
        "response_id", "question__code", "choice__points"
    ):
        answers[response_id][code] = points
    stored: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for response_id, dimension_id, points in DimensionScore.objects.filter(
        response__in=submitted
    ).values_list("response_id", "dimension_id", "points"):
        stored[response_id][dimension_keys[dimension_id]] = points
    for response in submitted:
        fresh = respondent_scores(specs, answers[response.pk])
        if fresh.by_dimension != stored[response.pk] or fresh.total != response.total_points:
            differences.append(
                f"response {response.pk}: stored {dict(stored[response.pk])} "
                f"total {response.total_points}, "
                f"recomputed {fresh.by_dimension} total {fresh.total}"
            )

    def key(score: TeamScore) -> tuple:
        return (
            score.dimension_id or 0,
            score.n,
            score.mean,
            score.median,
            score.minimum,
            score.maximum,
            score.stdev,
            score.level_number,
        )

    kept = sorted(map(key, TeamScore.objects.filter(round=round_)))
    again = sorted(map(key, team_scores_compute(round_)))
    if kept != again:
        differences.append(f"team aggregates: stored {kept}, recomputed {again}")
    return differences
