"""DESIGN §3 pinned in numbers, plus property tests for the invariants."""

from decimal import Decimal

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

    return question_distribution(points, choice_points=[0, 1, 2], level_count=4)


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
            points, choice_points=[0, 1, 2, 3, 4], level_count=5
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
        points, choice_points=[0, 1, 2], level_count=4, threshold=threshold
    )
    assert result.disagreement is disagrees
