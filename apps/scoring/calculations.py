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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction


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


Number = Decimal | Fraction | int
# Where a statistic is rounded from: 20 decimal places, then cents. A statistic of fractions is
# a rational number whose decimals may never end (28 x 6/18); PostgreSQL's numeric carries 30
# places and more, Python exact fractions, and both agree to 20 places, so that a mean of
# exactly 13.825 is 13.825 on both paths and becomes 13.82 (half to even) on both.
_PLACES = Decimal("1e-20")
_CENT = Decimal("0.01")


def _cents(value: Number, rounding: str) -> Decimal:
    with localcontext(prec=60):
        if isinstance(value, Fraction):
            value = Decimal(value.numerator) / Decimal(value.denominator)
        return Decimal(value).quantize(_PLACES, ROUND_HALF_EVEN).quantize(_CENT, rounding)


def team_statistics(
    *, n: int, mean: Number, median: Number, minimum: Number, maximum: Number, stdev: Number
) -> Aggregate:
    """The one rounding of a team aggregate (DESIGN §3), from its exact statistics, whoever
    computed them (`aggregate` here, or the database: `scoring.aggregates`): mean, median and
    standard deviation to cents half to even; minimum and maximum half up (values with two
    decimals or fewer, every v1 score, are unchanged). When every value is the same, the mean
    and median are that value and read as the minimum and maximum do (three people at 1.125
    each: 1.13 throughout, not a mean of 1.12 below a minimum of 1.13)."""
    central = ROUND_HALF_EVEN
    if Fraction(minimum) == Fraction(maximum):
        mean = median = minimum
        central = ROUND_HALF_UP
    return Aggregate(
        n=n,
        mean=_cents(mean, central),
        median=_cents(median, central),
        minimum=_cents(minimum, ROUND_HALF_UP),
        maximum=_cents(maximum, ROUND_HALF_UP),
        stdev=_cents(stdev, ROUND_HALF_EVEN),
    )


def aggregate(values: Iterable[Number]) -> Aggregate:
    """n, mean, median (of an even count, the mean of the middle two), minimum, maximum and
    population standard deviation of `values`, computed exactly, rounded by `team_statistics`."""
    exact = sorted(Fraction(value) for value in values)
    if not exact:
        raise ValueError("no values to aggregate")
    n = len(exact)
    mean = sum(exact, Fraction(0)) / n
    # The mean of the squares less the square of the mean: exact, and each term keeps a small
    # denominator (the values' own), where (value - mean) squared would carry the mean's.
    variance = sum((value * value for value in exact), Fraction(0)) / n - mean * mean
    with localcontext(prec=60):
        stdev = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
    return team_statistics(
        n=n,
        mean=mean,
        median=(exact[(n - 1) // 2] + exact[n // 2]) / 2,
        minimum=exact[0],
        maximum=exact[-1],
        stdev=stdev,
    )


def on_scale_exact(points: Decimal, applicable_maximum: Decimal, scale: Decimal) -> Fraction:
    """`on_scale` as an exact fraction, for the team statistics (a mean of 28 x 6/18 and
    28 x 12/18 is 14, to the last digit). `applicable_maximum` is never 0 here."""
    return Fraction(points) * Fraction(scale) / Fraction(applicable_maximum)


@dataclass(frozen=True)
class Distribution:
    counts: dict[int, int]  # points → how many chose them, every choice present (0 when unchosen)
    disagreement: bool


# How many answers chose each value: (points, how many) or (level, how many) pairs, as the
# database counts them (GROUP BY); a value may come more than once (two options worth as much).
Counts = Iterable[tuple[int, int]]


def question_distribution(
    chosen: Counts,
    *,
    choice_points: Sequence[int],
    level_count: int,
    threshold: Decimal | None = None,
    chosen_levels: Counts | None = None,
) -> Distribution:
    """How a team answered one question (its scored answers, as (points, how many) pairs), and
    whether it disagrees.

    With options tied to levels (`chosen_levels`, the levels of the chosen options with their
    counts), the team disagrees when its answers span two levels or more (someone at Initial,
    someone at Managed). Otherwise one level's worth of points is the question's maximum divided
    by the steps between the bank's levels, and the team disagrees when its answers span two
    levels' worth or more (on a 0-2 question with four levels: someone chose 0 and someone chose
    2). Either way, where the bank sets a threshold, also when they are more than `threshold`
    points apart.
    """
    counts = {points: 0 for points in sorted(choice_points)}
    for points, n in chosen:
        counts[points] = counts.get(points, 0) + n
    present = [points for points, n in counts.items() if n > 0]
    if sum(counts.values()) < 2 or level_count < 2 or not choice_points:
        return Distribution(counts=counts, disagreement=False)
    spread = Decimal(max(present) - min(present))
    levels = [level for level, n in chosen_levels or () if n > 0]
    if levels:
        spans_two_levels = max(levels) - min(levels) >= 2
    else:
        spans_two_levels = spread >= 2 * Decimal(max(choice_points)) / (level_count - 1)
    beyond_threshold = threshold is not None and spread > threshold
    return Distribution(counts=counts, disagreement=spans_two_levels or beyond_threshold)


def median_level(chosen_levels: Counts) -> int | None:
    """A question's current level with options tied to levels: the median level of the chosen
    options, from (level, how many) pairs (of an even count, the lower of the middle two: the
    team is not there yet until more than half are). None: nobody chose an option."""
    ordered = sorted((level, n) for level, n in chosen_levels if n > 0)
    below = (sum(n for _, n in ordered) - 1) // 2  # answers before the (lower) middle one
    for level, n in ordered:
        if below < n:
            return level
        below -= n
    return None


def question_level(
    chosen: Counts, *, max_points: int, scale: Decimal, bands: Sequence[LevelBand]
) -> LevelBand | None:
    """A question's current level without option levels: the level of the team's mean fraction
    (mean points over the question's maximum), from (points, how many) pairs, on the bank's
    bounds. None: nobody scored."""
    chosen = list(chosen)
    answered = sum(n for _, n in chosen)
    if not answered or not max_points:
        return None
    # mean / max = sum / (max * n): compared exactly, without a rounded mean.
    return level_for(
        Decimal(sum(points * n for points, n in chosen)),
        maximum=Decimal(max_points * answered),
        bank_maximum=scale,
        bands=bands,
    )


def knowledge_gap(dont_know: int, respondents: int) -> bool:
    """ "Don't know" from a third or more of the respondents (DESIGN §3)."""
    return respondents > 0 and 3 * dont_know >= respondents


def question_current_level(
    options: Sequence[tuple[int, int | None, int]], *, scale: Decimal, bands: Sequence[LevelBand]
) -> int | None:
    """A question's current level for a team, from its options as (points, level or None, how
    many chose it): with options tied to levels, the median level of the chosen ones
    (`median_level`); otherwise the level of the team's mean fraction (`question_level`). None:
    nobody chose an option. The one rule behind the result page, next steps and patterns."""
    if options and all(level is not None for _, level, _ in options):
        return median_level((level, n) for _, level, n in options if n)
    if not bands:
        return None
    band = question_level(
        [(points, n) for points, _, n in options if n],
        max_points=max((points for points, _, _ in options), default=0),
        scale=scale,
        bands=bands,
    )
    return band.number if band else None
