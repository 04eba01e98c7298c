"""DESIGN §3 pinned in numbers, plus property tests for the invariants."""

from collections import Counter
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.scoring.calculations import (
    LevelBand,
    MissingAnswers,
    QuestionSpec,
    aggregate,
    level_for,
    percent,
    respondent_scores,
)

pytestmark = pytest.mark.pure

LLMOPS_BANDS = [
    LevelBand(1, "Initial", Decimal(0)),
    LevelBand(2, "Defined", Decimal(10)),
    LevelBand(3, "Managed", Decimal(15)),
    LevelBand(4, "Optimized", Decimal(20)),
]


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (0, "Initial"),
        (9, "Initial"),
        (10, "Defined"),
        (14, "Defined"),
        (15, "Managed"),
        (19, "Managed"),
        (20, "Optimized"),
        (28, "Optimized"),
    ],
)
def test_microsofts_bands_on_the_total(total, level):
    band = level_for(
        Decimal(total), maximum=Decimal(28), bank_maximum=Decimal(28), bands=LLMOPS_BANDS
    )
    assert band.name == level


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (4, "Initial"),
        (5, "Defined"),
        (7, "Defined"),
        (Decimal("7.5"), "Managed"),
        (8, "Managed"),
        (Decimal("9.99"), "Managed"),
        (10, "Optimized"),
        (14, "Optimized"),
    ],
)
def test_a_dimension_worth_14_uses_the_same_bounds_as_fractions(score, level):
    band = level_for(
        Decimal(score), maximum=Decimal(14), bank_maximum=Decimal(28), bands=LLMOPS_BANDS
    )
    assert band.name == level


QUESTIONS = [
    QuestionSpec("A1", "application", Decimal(1), 2),
    QuestionSpec("A2", "application", Decimal(2), 2),
    QuestionSpec("O1", "operational", Decimal(1), 2),
]


def test_respondent_score_weights_points_and_sums_per_dimension():
    scores = respondent_scores(QUESTIONS, {"A1": 1, "A2": 2, "O1": 0})
    assert scores.by_dimension == {"application": Decimal(5), "operational": Decimal(0)}
    assert scores.max_by_dimension == {"application": Decimal(6), "operational": Decimal(2)}
    assert (scores.total, scores.max_total) == (Decimal(5), Decimal(8))


def test_unanswered_questions_are_refused():
    with pytest.raises(MissingAnswers) as missing:
        respondent_scores(QUESTIONS, {"A1": 1})
    assert missing.value.codes == ["A2", "O1"]


def test_aggregate_and_percent():
    result = aggregate([Decimal(10), Decimal(14), Decimal(21)])
    assert (result.n, result.mean, result.median, result.minimum, result.maximum) == (
        3,
        Decimal("15.00"),
        Decimal("14.00"),
        Decimal(10),
        Decimal(21),
    )
    assert result.stdev == Decimal("4.55")
    assert percent(Decimal(7), Decimal(28)) == Decimal("25.0")


scores = st.decimals(min_value=0, max_value=28, places=2)


@given(st.lists(scores, min_size=1, max_size=40))
def test_mean_and_median_lie_between_min_and_max(values):
    result = aggregate(values)
    assert (
        result.minimum <= result.mean + Decimal("0.005")
        and result.mean - Decimal("0.005") <= result.maximum
    )
    assert (
        result.minimum <= result.median + Decimal("0.005")
        and result.median - Decimal("0.005") <= result.maximum
    )


@given(st.lists(scores, min_size=1, max_size=40), st.randoms())
def test_order_of_respondents_changes_nothing(values, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    assert aggregate(shuffled) == aggregate(values)


@given(scores, scores)
def test_level_is_monotonic_in_score(a, b):
    low, high = sorted([a, b])

    def level(s):
        return level_for(s, maximum=Decimal(28), bank_maximum=Decimal(28), bands=LLMOPS_BANDS)

    assert level(low).number <= level(high).number


def distribution(points):
    from apps.scoring.calculations import question_distribution

    return question_distribution(Counter(points).items(), choice_points=[0, 1, 2], level_count=4)


def test_distribution_counts_every_choice():
    assert distribution([2, 2, 1]).counts == {0: 0, 1: 1, 2: 2}


@pytest.mark.parametrize(
    ("points", "disagrees"),
    [
        ([0, 1], False),
        ([1, 1, 1], False),
        ([0, 2], True),
        ([1, 2], False),
        ([2], False),
        ([], False),
    ],
)
def test_disagreement_when_answers_span_two_levels_worth_of_points(points, disagrees):
    # Four levels on a 0-2 question: one level's worth is 2/3 of a point, two levels' 4/3.
    assert distribution(points).disagreement is disagrees


def test_disagreement_on_a_five_level_bank():
    from apps.scoring.calculations import question_distribution

    def disagree(points):
        return question_distribution(
            Counter(points).items(), choice_points=[0, 1, 2, 3, 4], level_count=5
        ).disagreement

    assert (disagree([1, 2]), disagree([1, 3]), disagree([0, 4])) == (False, True, True)


@pytest.mark.parametrize(
    ("points", "threshold", "disagrees"),
    [
        ([0, 1], Decimal("0.5"), True),  # 1 point apart, more than 0.5
        ([0, 1], Decimal("1"), False),  # exactly the threshold is not beyond it
        ([1, 1], Decimal("0"), False),
        ([0, 2], Decimal("5"), True),  # two levels' worth still counts
        ([0, 1], None, False),
    ],
)
def test_a_bank_threshold_flags_answers_further_apart_than_it(points, threshold, disagrees):
    from apps.scoring.calculations import question_distribution

    result = question_distribution(
        Counter(points).items(), choice_points=[0, 1, 2], level_count=4, threshold=threshold
    )
    assert result.disagreement is disagrees


# Counts, as the database gives them: the pure functions take (value, how many) pairs, and
# say what they said of one value per answer.
answers_points = st.lists(st.integers(0, 3), max_size=30)


@given(answers_points, st.integers(2, 5), st.none() | st.decimals(0, 3, places=1))
def test_a_distribution_from_counts_is_that_of_the_answers_one_by_one(points, levels, threshold):
    from apps.scoring.calculations import question_distribution

    counted = question_distribution(
        Counter(points).items(), choice_points=[0, 1, 2, 3], level_count=levels, threshold=threshold
    )
    # The same answers counted in two pieces, and options worth as much counted apart: one sum.
    halves = Counter(points[::2]).items(), Counter(points[1::2]).items()
    split = question_distribution(
        [*halves[0], *halves[1], (0, 0)],
        choice_points=[0, 1, 2, 3],
        level_count=levels,
        threshold=threshold,
    )
    assert counted == split
    assert counted.counts == {p: points.count(p) for p in (0, 1, 2, 3)}
    spread = max(points) - min(points) if points else 0
    assert counted.disagreement is (
        len(points) >= 2
        and (spread >= Decimal(6) / (levels - 1) or (threshold is not None and spread > threshold))
    )


@given(st.lists(st.integers(1, 5), max_size=30))
def test_the_median_level_from_counts_is_the_lower_middle_answer(levels):
    import statistics

    from apps.scoring.calculations import median_level

    expected = statistics.median_low(levels) if levels else None
    assert median_level(Counter(levels).items()) == expected
    assert median_level([*Counter(levels).items(), (9, 0)]) == expected  # unchosen: no answer


@given(answers_points)
def test_a_question_level_from_counts_is_that_of_the_mean_of_the_answers(points):
    from apps.scoring.calculations import question_level

    level = question_level(
        Counter(points).items(), max_points=3, scale=Decimal(28), bands=LLMOPS_BANDS
    )
    if not points:
        assert level is None
    else:
        mean_on_28 = Decimal(sum(points)) * 28 / (3 * len(points))
        assert level == level_for(
            mean_on_28, maximum=Decimal(28), bank_maximum=Decimal(28), bands=LLMOPS_BANDS
        )


# Team statistics are exact: computed on the fractions themselves, rounded once to cents (half
# to even; minimum and maximum half up). Floating point used to round some ties the other way.
@pytest.mark.parametrize(
    ("values", "statistic", "expected"),
    [
        # 287/12 and 56/15: the mean and the median are exactly 13.825, half to even 13.82
        ([Fraction(287, 12), Fraction(56, 15)], "mean", "13.82"),
        ([Fraction(287, 12), Fraction(56, 15)], "median", "13.82"),
        # 40/3 and 7/12: the standard deviation is exactly 6.375, half to even 6.38
        ([Fraction(40, 3), Fraction(7, 12)], "stdev", "6.38"),
        ([Decimal("16.01"), Decimal("16.02")], "median", "16.02"),  # 16.015
        ([Decimal("1.01"), Decimal("1.02")], "mean", "1.02"),  # 1.015
        ([Fraction(217, 200)], "minimum", "1.09"),  # 1.085, half up
        ([Fraction(28, 3), Fraction(56, 3)], "mean", "14.00"),  # thirds that add up
    ],
)
def test_team_statistics_round_exact_values_once(values, statistic, expected):
    assert getattr(aggregate(values), statistic) == Decimal(expected)


@given(st.lists(scores, min_size=1, max_size=40))
def test_statistics_from_the_database_round_as_the_exact_ones(values):
    """What PostgreSQL's numeric gives (exact to 30 places, then a rounding error in the last
    one) rounds to the same cents as the exact statistics."""
    from apps.scoring.calculations import team_statistics

    exact = aggregate(values)
    fractions = sorted(Fraction(v) for v in values)
    n = len(fractions)
    mean = sum(fractions) / n
    nudge = Decimal("1e-30")

    def numeric(value: Fraction) -> Decimal:
        with localcontext(prec=80):
            return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(nudge) - nudge

    with localcontext(prec=80):
        variance = sum((v - mean) ** 2 for v in fractions) / n
        stdev = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
        stdev = stdev.quantize(Decimal("1e-40")) + nudge
    assert exact == team_statistics(
        n=n,
        mean=numeric(mean),
        median=numeric((fractions[(n - 1) // 2] + fractions[n // 2]) / 2),
        minimum=numeric(fractions[0]),
        maximum=numeric(fractions[-1]),
        stdev=stdev,
    )
