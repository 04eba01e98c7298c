"""Scoring rules of DESIGN §3, as pure functions on plain data. No Django here.

- A respondent's dimension score is the sum of (choice points times question weight) over the
  dimension; the total is the sum over dimensions.
- Level bands are lower bounds on the bank's maximum total. A dimension's level uses the same
  bounds scaled to the dimension's maximum, as fractions (a dimension worth 14 in a bank worth
  28 with bounds 0/10/15/20: Initial < 5, Defined < 7.5, Managed < 10, Optimized ≥ 10).
"""

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    dimension: str
    weight: Decimal
    max_points: int  # the highest choice's points


@dataclass(frozen=True)
class LevelBand:
    number: int
    name: str
    min_score: Decimal  # on the bank's maximum total


@dataclass(frozen=True)
class Scores:
    by_dimension: dict[str, Decimal]
    max_by_dimension: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_dimension.values(), Decimal(0))

    @property
    def max_total(self) -> Decimal:
        return sum(self.max_by_dimension.values(), Decimal(0))


class MissingAnswers(ValueError):
    def __init__(self, codes: list[str]):
        super().__init__(f"unanswered: {', '.join(codes)}")
        self.codes = codes


def max_by_dimension(questions: Iterable[QuestionSpec]) -> dict[str, Decimal]:
    maxima: dict[str, Decimal] = {}
    for q in questions:
        maxima[q.dimension] = maxima.get(q.dimension, Decimal(0)) + q.max_points * q.weight
    return maxima


def respondent_scores(questions: Sequence[QuestionSpec], points: Mapping[str, int]) -> Scores:
    """Score one respondent. `points` maps question code → chosen points; all must be answered."""
    missing = [q.code for q in questions if q.code not in points]
    if missing:
        raise MissingAnswers(missing)
    by_dimension = {key: Decimal(0) for key in max_by_dimension(questions)}
    for q in questions:
        by_dimension[q.dimension] += Decimal(points[q.code]) * q.weight
    return Scores(by_dimension=by_dimension, max_by_dimension=max_by_dimension(questions))


def level_for(
    score: Decimal, *, maximum: Decimal, bank_maximum: Decimal, bands: Sequence[LevelBand]
) -> LevelBand:
    """The band `score` (out of `maximum`) falls in, the bank's bounds scaled to `maximum`."""
    ordered = sorted(bands, key=lambda band: band.number)
    if not ordered:
        raise ValueError("a bank needs levels")
    chosen = ordered[0]
    for band in ordered[1:]:
        # score / maximum >= min_score / bank_maximum, cross-multiplied so that it stays exact.
        if maximum > 0 and Decimal(score) * bank_maximum >= band.min_score * Decimal(maximum):
            chosen = band
    return chosen


def percent(score: Decimal, maximum: Decimal) -> Decimal:
    """A score as a whole percentage of its maximum, rounded half up (17.50 of 28 is 63).

    The one rounding of a percentage (DESIGN §3): every surface (charts, tables, CSV, API, PDF)
    shows this value as it is, and changes are differences of these values, so that 63% after
    50% reads "+13 pp" everywhere. Rounded once, from the score itself, never from a rounded
    percentage.
    """
    if not maximum:
        return Decimal(0)
    return (Decimal(score) * 100 / Decimal(maximum)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Aggregate:
    n: int
    mean: Decimal
    median: Decimal
    minimum: Decimal
    maximum: Decimal
    stdev: Decimal  # population standard deviation; 0 for a single respondent


def aggregate(values: Sequence[Decimal]) -> Aggregate:
    if not values:
        raise ValueError("no values to aggregate")
    floats = [float(v) for v in values]
    quant = Decimal("0.01")
    return Aggregate(
        n=len(values),
        mean=Decimal(str(statistics.fmean(floats))).quantize(quant),
        median=Decimal(str(statistics.median(floats))).quantize(quant),
        minimum=min(Decimal(v) for v in values),
        maximum=max(Decimal(v) for v in values),
        stdev=Decimal(str(statistics.pstdev(floats))).quantize(quant),
    )


@dataclass(frozen=True)
class Distribution:
    counts: dict[int, int]  # points → how many chose them, every choice present (0 when unchosen)
    disagreement: bool


def question_distribution(
    chosen_points: Sequence[int],
    *,
    choice_points: Sequence[int],
    level_count: int,
    threshold: Decimal | None = None,
) -> Distribution:
    """How a team answered one question, and whether it disagrees.

    One level's worth of points is the question's maximum divided by the steps between the
    bank's levels; the team disagrees when its answers span two levels' worth or more (on a
    0-2 question with four levels: someone chose 0 and someone chose 2), or, where the bank
    sets a threshold, when they are more than `threshold` points apart.
    """
    counts = {points: 0 for points in sorted(choice_points)}
    for points in chosen_points:
        counts[points] = counts.get(points, 0) + 1
    if len(chosen_points) < 2 or level_count < 2 or not choice_points:
        return Distribution(counts=counts, disagreement=False)
    spread = Decimal(max(chosen_points) - min(chosen_points))
    two_levels = 2 * Decimal(max(choice_points)) / (level_count - 1)
    beyond_threshold = threshold is not None and spread > threshold
    return Distribution(counts=counts, disagreement=spread >= two_levels or beyond_threshold)
