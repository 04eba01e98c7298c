"""Scoring rules of DESIGN §3, as pure functions on plain data. No Django here.

- Only an option scores: "not applicable" and "don't know" drop out of both the points and the
  maximum. A respondent's dimension score is the sum of (choice points times question weight)
  over the dimension's scored answers, out of the sum of (max points times weight) over the same
  questions: a fraction of the applicable maximum. The total is the same over every scored
  answer. A dimension without a scored answer is not assessed (None, never 0).
- A bank has a scale (default: its maximum total). The total shown is scale times fraction; a
  dimension is shown as its fraction of the dimension's full maximum (`on_scale`). For a bank
  without N/A or don't know this is exactly the plain sum, so v1 results never move.
- Level bands are lower bounds on the scale. A dimension's (or a question's) level uses the same
  bounds as fractions (a dimension worth 14 in a bank on 28 with bounds 0/10/15/20:
  Initial < 5, Defined < 7.5, Managed < 10, Optimized ≥ 10).
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
    """A respondent's points and applicable maximum per assessed dimension: a dimension with no
    scored answer is absent from both (not assessed)."""

    by_dimension: dict[str, Decimal]
    max_by_dimension: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_dimension.values(), Decimal(0))

    @property
    def max_total(self) -> Decimal:
        return sum(self.max_by_dimension.values(), Decimal(0))

    def fraction(self, dimension: str) -> Decimal | None:
        """The dimension's fraction of its applicable maximum; None: not assessed."""
        return fraction(self.by_dimension.get(dimension, 0), self.max_by_dimension.get(dimension))

    @property
    def total_fraction(self) -> Decimal | None:
        return fraction(self.total, self.max_total)


class MissingAnswers(ValueError):
    def __init__(self, codes: list[str]):
        super().__init__(f"unanswered: {', '.join(codes)}")
        self.codes = codes


def max_by_dimension(questions: Iterable[QuestionSpec]) -> dict[str, Decimal]:
    maxima: dict[str, Decimal] = {}
    for q in questions:
        maxima[q.dimension] = maxima.get(q.dimension, Decimal(0)) + q.max_points * q.weight
    return maxima


def respondent_scores(
    questions: Sequence[QuestionSpec], points: Mapping[str, int | None]
) -> Scores:
    """Score one respondent. `points` maps question code → chosen points, or None for "not
    applicable" and "don't know" (answered, not scored); every question must be answered."""
    missing = [q.code for q in questions if q.code not in points]
    if missing:
        raise MissingAnswers(missing)
    scored = [q for q in questions if points[q.code] is not None]
    by_dimension = {key: Decimal(0) for key in max_by_dimension(scored)}
    for q in scored:
        by_dimension[q.dimension] += Decimal(points[q.code]) * q.weight
    return Scores(by_dimension=by_dimension, max_by_dimension=max_by_dimension(scored))


def fraction(points: Decimal, applicable_maximum: Decimal | None) -> Decimal | None:
    """`points` as a fraction of the applicable maximum; None (not assessed) without one."""
    if not applicable_maximum:
        return None
    return Decimal(points) / Decimal(applicable_maximum)


def on_scale(points: Decimal, applicable_maximum: Decimal, scale: Decimal) -> Decimal | None:
    """`points` out of `applicable_maximum`, shown on `scale` (scale times the fraction), exact
    whenever the applicable maximum is the scale (v1: the plain points). None: not assessed."""
    if not applicable_maximum:
        return None
    if Decimal(applicable_maximum) == Decimal(scale):
        return Decimal(points)
    return Decimal(points) * Decimal(scale) / Decimal(applicable_maximum)


def level_for(
    score: Decimal, *, maximum: Decimal, bank_maximum: Decimal, bands: Sequence[LevelBand]
) -> LevelBand:
    """The band `score` (out of `maximum`) falls in, the bank's bounds scaled to `maximum`.

    `bank_maximum` is what the bounds are on: the bank's scale (default: its maximum total)."""
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
        # Rounded like the others (a value on the scale may be 16.333...); exact values with two
        # decimals or fewer (every v1 score) are unchanged.
        minimum=min(Decimal(v) for v in values).quantize(quant, rounding=ROUND_HALF_UP),
        maximum=max(Decimal(v) for v in values).quantize(quant, rounding=ROUND_HALF_UP),
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
    chosen_levels: Sequence[int] | None = None,
) -> Distribution:
    """How a team answered one question (its scored answers), and whether it disagrees.

    With options tied to levels (`chosen_levels`, the levels of the chosen options), the team
    disagrees when its answers span two levels or more (someone at Initial, someone at Managed).
    Otherwise one level's worth of points is the question's maximum divided by the steps between
    the bank's levels, and the team disagrees when its answers span two levels' worth or more
    (on a 0-2 question with four levels: someone chose 0 and someone chose 2). Either way, where
    the bank sets a threshold, also when they are more than `threshold` points apart.
    """
    counts = {points: 0 for points in sorted(choice_points)}
    for points in chosen_points:
        counts[points] = counts.get(points, 0) + 1
    if len(chosen_points) < 2 or level_count < 2 or not choice_points:
        return Distribution(counts=counts, disagreement=False)
    spread = Decimal(max(chosen_points) - min(chosen_points))
    if chosen_levels:
        spans_two_levels = max(chosen_levels) - min(chosen_levels) >= 2
    else:
        spans_two_levels = spread >= 2 * Decimal(max(choice_points)) / (level_count - 1)
    beyond_threshold = threshold is not None and spread > threshold
    return Distribution(counts=counts, disagreement=spans_two_levels or beyond_threshold)


def median_level(chosen_levels: Sequence[int]) -> int | None:
    """A question's current level with options tied to levels: the median level of the chosen
    options (of an even count, the lower of the middle two: the team is not there yet until
    more than half are). None: nobody chose an option."""
    return statistics.median_low(chosen_levels) if chosen_levels else None


def question_level(
    chosen_points: Sequence[int], *, max_points: int, scale: Decimal, bands: Sequence[LevelBand]
) -> LevelBand | None:
    """A question's current level without option levels: the level of the team's mean fraction
    (mean points over the question's maximum) on the bank's bounds. None: nobody scored."""
    if not chosen_points or not max_points:
        return None
    # mean / max = sum / (max * n): compared exactly, without a rounded mean.
    return level_for(
        Decimal(sum(chosen_points)),
        maximum=Decimal(max_points * len(chosen_points)),
        bank_maximum=scale,
        bands=bands,
    )


def knowledge_gap(dont_know: int, respondents: int) -> bool:
    """ "Don't know" from a third or more of the respondents (DESIGN §3)."""
    return respondents > 0 and 3 * dont_know >= respondents
