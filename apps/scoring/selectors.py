"""Reads for result pages: a round's result and a team's history, from stored snapshots.

Below a round's minimum number of respondents nothing but "n of m needed" leaves here.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch

from apps.scoring.calculations import LevelBand, percent, question_distribution
from apps.scoring.charts import Band
from apps.scoring.models import TeamScore
from apps.scoring.services import team_scores_compute
from apps.surveys.models import Answer, Choice, Question, ResponseStatus, Round, RoundStatus
from apps.surveys.round_selectors import bank_bands


@dataclass(frozen=True)
class ScoreRow:
    key: str  # dimension key, or "total"
    name: str
    mean: Decimal
    max_points: Decimal
    level_number: int
    level_name: str
    minimum: Decimal = Decimal(0)
    maximum: Decimal = Decimal(0)
    stdev: Decimal = Decimal(0)
    change: Decimal | None = None  # percentage points since the previous round

    @property
    def percent(self) -> Decimal:
        return percent(self.mean, self.max_points)


@dataclass(frozen=True)
class QuestionRow:
    code: str
    text: str
    dimension: str
    counts: list[tuple[str, int, int]]  # (choice label, points, how many)
    disagreement: bool


@dataclass
class RoundResult:
    round: Round
    n: int
    needed: int
    total: ScoreRow | None = None
    dimensions: list[ScoreRow] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)
    previous: Round | None = None
    bands: list[LevelBand] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return self.n >= self.needed

    @property
    def disagreements(self) -> list[QuestionRow]:
        return [q for q in self.questions if q.disagreement]


def chart_bands(bands: list[LevelBand], bank_maximum: Decimal) -> list[Band]:
    return [
        Band(b.name, float(percent(b.min_score, bank_maximum)))
        for b in bands
        if b.min_score > 0 and bank_maximum
    ]


def _scores_of(round_: Round) -> list[TeamScore]:
    """Stored at close; for an open round, aggregated now from the submitted snapshots."""
    if round_.status == RoundStatus.CLOSED:
        return list(TeamScore.objects.filter(round=round_).select_related("dimension"))
    scores = team_scores_compute(round_)
    dimension_ids = [s.dimension_id for s in scores if s.dimension_id]
    names = {d.pk: d for d in round_.bank.dimensions.filter(pk__in=dimension_ids)}
    for score in scores:
        score.dimension = names.get(score.dimension_id)
    return scores


def _rows(scores: list[TeamScore], previous: dict[str, Decimal] | None = None):
    total, dimensions = None, []
    for score in sorted(
        scores, key=lambda s: (s.dimension is not None, s.dimension.order if s.dimension else 0)
    ):
        key = score.dimension.key if score.dimension else "total"
        now = percent(score.mean, score.max_points)
        row = ScoreRow(
            key=key,
            name=score.dimension.name if score.dimension else "Total",
            mean=score.mean,
            max_points=score.max_points,
            level_number=score.level_number,
            level_name=score.level_name,
            minimum=score.minimum,
            maximum=score.maximum,
            stdev=score.stdev,
            change=(now - previous[key]) if previous and key in previous else None,
        )
        if score.dimension is None:
            total = row
        else:
            dimensions.append(row)
    return total, dimensions


def _previous_percents(round_: Round) -> tuple[Round | None, dict[str, Decimal] | None]:
    """The team's previous closed round that met its threshold, as percentages by dimension key."""
    earlier = (
        Round.objects.filter(
            team_id=round_.team_id, status=RoundStatus.CLOSED, opens_at__lt=round_.opens_at
        )
        .order_by("-opens_at")
        .prefetch_related(
            Prefetch("team_scores", queryset=TeamScore.objects.select_related("dimension"))
        )
        .first()
    )
    if earlier is None:
        return None, None
    scores = list(earlier.team_scores.all())
    total = next((s for s in scores if s.dimension_id is None), None)
    if total is None or total.n < earlier.min_respondents:
        return None, None
    return earlier, {
        (s.dimension.key if s.dimension else "total"): percent(s.mean, s.max_points) for s in scores
    }


def round_result(round_: Round) -> RoundResult:
    scores = _scores_of(round_)
    total = next((s for s in scores if s.dimension_id is None), None)
    n = total.n if total else 0
    result = RoundResult(round=round_, n=n, needed=round_.min_respondents)
    if not result.visible:
        return result  # nothing else may leave below the threshold
    previous, previous_percents = _previous_percents(round_)
    result.previous = previous
    result.total, result.dimensions = _rows(scores, previous_percents)
    result.bands = bank_bands(round_.bank_id)
    result.questions = _question_rows(round_, len(result.bands), round_.bank.disagreement_threshold)
    return result


def _question_rows(round_: Round, level_count: int, threshold: Decimal | None) -> list[QuestionRow]:
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    chosen: dict[int, list[int]] = defaultdict(list)
    for question_id, points, n in (
        Answer.objects.filter(response__round=round_, response__status=ResponseStatus.SUBMITTED)
        .values("question_id", "choice__points")
        .annotate(n=Count("pk"))
        .values_list("question_id", "choice__points", "n")
    ):
        counts[question_id][points] = n
        chosen[question_id].extend([points] * n)
    questions = (
        Question.objects.filter(bank_id=round_.bank_id)
        .select_related("dimension")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("points")))
        .order_by("dimension__order", "order")
    )
    rows = []
    for question in questions:
        choices = list(question.choices.all())
        distribution = question_distribution(
            chosen[question.pk],
            choice_points=[c.points for c in choices],
            level_count=level_count,
            threshold=threshold,
        )
        rows.append(
            QuestionRow(
                code=question.code,
                text=question.text,
                dimension=question.dimension.name,
                counts=[(c.label, c.points, distribution.counts.get(c.points, 0)) for c in choices],
                disagreement=distribution.disagreement,
            )
        )
    return rows


@dataclass(frozen=True)
class HistoryPoint:
    round: Round
    n: int
    visible: bool
    total: ScoreRow | None
    dimensions: dict[str, ScoreRow]


def team_history(team) -> tuple[list[HistoryPoint], list[tuple[str, str]]]:
    """Every closed round of the team, oldest first, and the dimensions (key, name) seen."""
    rounds = (
        Round.objects.filter(team=team, status=RoundStatus.CLOSED)
        .select_related("bank")
        .prefetch_related(
            Prefetch("team_scores", queryset=TeamScore.objects.select_related("dimension"))
        )
        .order_by("opens_at")
    )
    points, dimensions = [], {}
    for round_ in rounds:
        scores = list(round_.team_scores.all())
        total_score = next((s for s in scores if s.dimension_id is None), None)
        n = total_score.n if total_score else 0
        if n < round_.min_respondents:
            points.append(HistoryPoint(round_, n, False, None, {}))
            continue
        total, rows = _rows(scores)
        for row in rows:
            dimensions.setdefault(row.key, row.name)
        points.append(HistoryPoint(round_, n, True, total, {row.key: row for row in rows}))
    return points, list(dimensions.items())
