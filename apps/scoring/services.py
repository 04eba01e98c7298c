"""Scores: a response's snapshot, stored when it is submitted; a round's team aggregates,
stored when it closes (and recomputed on demand). Surveys asks through its hooks
(apps.surveys.signals, received in apps.scoring.signals)."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from apps.scoring.aggregates import round_statistics
from apps.scoring.bands import bank_bands, bank_question_specs, bank_scale
from apps.scoring.calculations import (
    LevelBand,
    MissingAnswers,
    Scores,
    level_for,
    max_by_dimension,
    question_current_level,
    respondent_scores,
)
from apps.scoring.models import DimensionScore, QuestionLevel, TeamScore
from apps.scoring.own_result import bank_rules
from apps.surveys.models import (
    Answer,
    AnswerKind,
    Choice,
    Dimension,
    Question,
    Response,
    ResponseStatus,
    Round,
)
from apps.surveys.round_services import AnswersMissing


def response_score(*, response: Response) -> Response:
    """Score a response being submitted and store its snapshot; AnswersMissing (the submission
    is refused) while a question has no answer (an option, N/A or don't know).
    With the response's bank at hand (the submit's), its rules come from `own_result.bank_rules`
    (a published bank's are read once per process)."""
    rules = bank_rules(response.bank) if Response.bank.is_cached(response) else None
    specs = rules.specs if rules else bank_question_specs(response.bank_id)
    # N/A and don't know have no choice: their points are None, answered but not scored.
    points = getattr(response, "answer_points", None)  # read by the submit with its hold
    if points is None:
        points = dict(
            Answer.objects.filter(response=response).values_list("question__code", "choice__points")
        )
    try:
        scores = respondent_scores(specs, points)
    except MissingAnswers as missing:
        raise AnswersMissing(missing.codes) from None
    dimension_ids = rules.dimension_ids if rules else None
    return response_store_snapshot(response=response, scores=scores, dimension_ids=dimension_ids)


SNAPSHOT_INSERT_SQL = (
    f"INSERT INTO {DimensionScore._meta.db_table} (response_id, dimension_id, points, max_points) "
    "SELECT %s, * FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[])"
)


def response_store_snapshot(
    *, response: Response, scores: Scores, dimension_ids: dict[str, int] | None = None
) -> Response:
    """Store a response's score snapshot: its points and applicable maximum per assessed
    dimension (none for a dimension it did not assess); its total and applicable maximum (0 of 0:
    nothing scored) are set on `response`, saved by surveys with its submission (a draft has no
    total, a database check). When the submit offers it (`response.pending_writes`, on
    PostgreSQL), the snapshot is written in the submission's own statement."""
    dimensions = dimension_ids or dict(
        Dimension.objects.filter(bank_id=response.bank_id).values_list("key", "pk")
    )
    snapshot = [
        DimensionScore(
            response=response,
            dimension_id=dimensions[key],
            points=value,
            max_points=scores.max_by_dimension[key],
        )
        for key, value in scores.by_dimension.items()
    ]
    pending = getattr(response, "pending_writes", None)
    if pending is not None:
        pending.append(
            (
                SNAPSHOT_INSERT_SQL,
                [
                    response.pk,
                    [score.dimension_id for score in snapshot],
                    [score.points for score in snapshot],
                    [score.max_points for score in snapshot],
                ],
            )
        )
    else:
        DimensionScore.objects.bulk_create(snapshot)
    response.total_points, response.max_points = scores.total, scores.max_total
    return response


def response_snapshots_delete(*, responses) -> None:
    """Delete these responses' score snapshots, before surveys deletes the responses in one SQL
    statement (an organization's purge) that Django's collector does not follow."""
    DimensionScore.objects.filter(response__in=responses).delete()


@transaction.atomic
def team_scores_store(*, round_: Round) -> list[TeamScore]:
    """Replace the round's snapshot at close: its team aggregates, from the submitted
    responses' snapshots, and its team level per question (`question_levels_compute`)."""
    TeamScore.objects.filter(round=round_).delete()
    QuestionLevel.objects.filter(round=round_).delete()
    scores = TeamScore.objects.bulk_create(team_scores_compute(round_))
    if scores:  # anyone submitted (the total row)
        QuestionLevel.objects.bulk_create(question_levels_compute(round_))
    return scores


def question_levels_compute(round_: Round) -> list[QuestionLevel]:
    """The round's team level on each question of its bank (unsaved): the result page's rule
    (`calculations.question_current_level`) over one GROUP BY of the submitted answers that
    chose an option, with how many did."""
    chosen = dict(
        Answer.objects.filter(
            response__round=round_,
            response__status=ResponseStatus.SUBMITTED,
            kind=AnswerKind.CHOICE,
        )
        .values("choice_id")
        .annotate(n=Count("pk"))
        .values_list("choice_id", "n")
        .order_by()
    )
    bands = bank_bands(round_.bank_id)
    return [
        QuestionLevel(round=round_, question_id=question_id, n=n, level_number=level)
        for question_id, n, level in question_levels(
            Question.objects.filter(bank_id=round_.bank_id).values_list("pk", flat=True),
            Choice.objects.filter(bank_id=round_.bank_id).values_list(
                "question_id", "pk", "points", "level"
            ),
            chosen,
            scale=bank_scale(round_.bank),
            bands=bands,
        )
    ]


def question_levels(
    question_ids, options, chosen: dict[int, int], *, scale: Decimal, bands: list[LevelBand]
) -> list[tuple[int, int, int | None]]:
    """(question id, answers that chose an option, level or None) for each question, from its
    options as (question id, option id, points, option level) and how many chose each option
    (`chosen`, by option id)."""
    by_question: dict[int, list[tuple[int, int | None, int]]] = {pk: [] for pk in question_ids}
    for question_id, choice_id, points, level in options:
        by_question[question_id].append((points, level, chosen.get(choice_id, 0)))
    return [
        (
            question_id,
            sum(n for _, _, n in found),
            question_current_level(found, scale=scale, bands=bands),
        )
        for question_id, found in by_question.items()
    ]


def team_scores_compute(round_: Round) -> list[TeamScore]:
    """The round's team aggregates (unsaved): per dimension, and the total.

    Each over the respondents with a score there, of their fractions shown on the scale (the
    total) or on the dimension's maximum; `submitted` counts everyone, for the threshold. A
    dimension nobody assessed has no row; the total always has one. The statistics come from
    the database (`aggregates.round_statistics`).
    """
    bands = bank_bands(round_.bank_id)
    specs = bank_question_specs(round_.bank_id)
    dimension_maxima = max_by_dimension(specs)
    scale = bank_scale(round_.bank, specs)
    shown = {
        pk: dimension_maxima[key]
        for pk, key in Dimension.objects.filter(bank_id=round_.bank_id).values_list("pk", "key")
        if key in dimension_maxima
    }
    statistics = round_statistics(round_.pk, scale=scale, shown=shown)
    if not statistics.submitted:
        return []
    rows = [(None, scale)] + [
        (dimension_id, maximum)
        for dimension_id, maximum in shown.items()
        if dimension_id in statistics.by_dimension
    ]
    return [
        _team_score(
            round_,
            dimension_id,
            statistics.by_dimension.get(dimension_id),
            maximum,
            scale,
            bands,
            statistics.submitted,
        )
        for dimension_id, maximum in rows
    ]


def _team_score(round_, dimension_id, stats, maximum, scale, bands, submitted) -> TeamScore:
    score = TeamScore(
        round=round_,
        dimension_id=dimension_id,
        submitted=submitted,
        n=0,
        max_points=maximum,
    )
    if stats is not None:
        level = level_for(stats.mean, maximum=maximum, bank_maximum=scale, bands=bands)
        score.n, score.mean, score.median = stats.n, stats.mean, stats.median
        score.minimum, score.maximum, score.stdev = stats.minimum, stats.maximum, stats.stdev
        score.level_number, score.level_name = level.number, level.name
    return score


def round_recompute_differences(round_: Round) -> list[str]:
    """Re-score every submitted response from its raw answers; list any difference from the
    stored snapshots, team aggregates and question levels (an empty list means they agree)."""
    specs = bank_question_specs(round_.bank_id)
    dimension_keys = dict(round_.bank.dimensions.values_list("pk", "key"))
    differences = []
    submitted = Response.objects.filter(round=round_, status=ResponseStatus.SUBMITTED)
    answers: dict[int, dict[str, int | None]] = defaultdict(dict)
    for response_id, code, points in Answer.objects.filter(response__in=submitted).values_list(
        "response_id", "question__code", "choice__points"
    ):
        answers[response_id][code] = points
    stored: dict[int, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for response_id, dimension_id, points, maximum in DimensionScore.objects.filter(
        response__in=submitted
    ).values_list("response_id", "dimension_id", "points", "max_points"):
        stored[response_id][dimension_keys[dimension_id]] = (points, maximum)
    for response in submitted:
        fresh = respondent_scores(specs, answers[response.pk])
        recomputed = {
            key: (points, fresh.max_by_dimension[key]) for key, points in fresh.by_dimension.items()
        }
        if recomputed != stored[response.pk] or (fresh.total, fresh.max_total) != (
            response.total_points,
            response.max_points,
        ):
            differences.append(
                f"response {response.pk}: stored {dict(stored[response.pk])} "
                f"total {response.total_points} of {response.max_points}, "
                f"recomputed {recomputed} total {fresh.total} of {fresh.max_total}"
            )

    def key(score: TeamScore) -> tuple:
        return (
            score.dimension_id or 0,
            score.submitted,
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

    def level_key(row: QuestionLevel) -> tuple:
        return (row.question_id, row.n, row.level_number)

    kept_levels = sorted(map(level_key, QuestionLevel.objects.filter(round=round_)))
    again_levels = sorted(map(level_key, question_levels_compute(round_))) if again else []
    if kept_levels != again_levels:
        differences.append(
            f"question levels (question, chosen, level): stored {kept_levels}, "
            f"recomputed {again_levels}"
        )
    return differences
