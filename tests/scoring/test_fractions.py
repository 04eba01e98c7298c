"""DESIGN §3 rewritten (issue #13): fractions of the applicable maximum, N/A and don't know,
the scale, and per-question levels and findings. Pure: no database."""

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.scoring.calculations import (
    LevelBand,
    QuestionSpec,
    aggregate,
    knowledge_gap,
    level_for,
    median_level,
    on_scale,
    question_distribution,
    question_level,
    respondent_scores,
)

pytestmark = pytest.mark.pure

BANDS = [
    LevelBand(1, "Initial", Decimal(0)),
    LevelBand(2, "Defined", Decimal(10)),
    LevelBand(3, "Managed", Decimal(15)),
    LevelBand(4, "Optimized", Decimal(20)),
]
QUESTIONS = [
    QuestionSpec("A1", "app", Decimal(1), 3),
    QuestionSpec("A2", "app", Decimal(2), 3),
    QuestionSpec("O1", "ops", Decimal(1), 3),
    QuestionSpec("O2", "ops", Decimal(1), 3),
]
NA = None  # "not applicable" and "don't know" reach the formulas alike: answered, not scored


@pytest.mark.parametrize(
    ("answers", "app", "ops", "total"),
    [
        # plain: every question scored, the fraction of the full maximum
        ({"A1": 3, "A2": 3, "O1": 3, "O2": 3}, (9, 9), (6, 6), (15, 15)),
        ({"A1": 1, "A2": 2, "O1": 0, "O2": 3}, (5, 9), (3, 6), (8, 15)),
        # A2 (weight 2) not applicable: out of 3, not 9
        ({"A1": 2, "A2": NA, "O1": 1, "O2": 1}, (2, 3), (2, 6), (4, 9)),
        # a whole dimension N/A or don't know: not assessed, and out of the total's maximum too
        ({"A1": 3, "A2": 0, "O1": NA, "O2": NA}, (3, 9), None, (3, 9)),
        # nothing scored at all: nothing assessed
        ({"A1": NA, "A2": NA, "O1": NA, "O2": NA}, None, None, None),
    ],
    ids=["all best", "mixed", "one n/a", "dimension not assessed", "nothing scored"],
)
def test_fractions_of_the_applicable_maximum(answers, app, ops, total):
    scores = respondent_scores(QUESTIONS, answers)

    def pair(key):
        if key not in scores.by_dimension:
            return None
        return (scores.by_dimension[key], scores.max_by_dimension[key])

    assert pair("app") == app and pair("ops") == ops
    assert (None if not scores.max_total else (scores.total, scores.max_total)) == total
    assert scores.fraction("app") == (None if app is None else Decimal(app[0]) / app[1])
    assert scores.fraction("ops") == (None if ops is None else Decimal(ops[0]) / ops[1])


def test_a_dimension_not_assessed_is_none_never_zero():
    scores = respondent_scores(QUESTIONS, {"A1": 0, "A2": 0, "O1": NA, "O2": NA})
    assert scores.fraction("app") == 0
    assert scores.fraction("ops") is None
    assert "ops" not in scores.by_dimension


@pytest.mark.parametrize(
    ("points", "applicable", "scale", "shown"),
    [
        (17, 28, 28, Decimal(17)),  # v1: the applicable maximum is the scale, the plain points
        (Decimal("17.50"), 28, 28, Decimal("17.50")),
        (9, 18, 28, Decimal(14)),  # half of the applicable maximum is half the scale
        (7, 12, 28, Decimal(7) * 28 / 12),
        (0, 0, 28, None),  # not assessed
    ],
)
def test_the_total_shown_is_scale_times_fraction(points, applicable, scale, shown):
    assert on_scale(Decimal(points), Decimal(applicable), Decimal(scale)) == shown


@pytest.mark.parametrize(
    ("total", "level"),
    [(9, "Initial"), (10, "Defined"), (14, "Defined"), (15, "Managed"), (20, "Optimized")],
)
def test_levels_apply_the_bands_of_the_scale_to_fractions(total, level):
    """A bank on 28 worth 18 points: the bounds are fractions 10/28, 15/28, 20/28."""
    shown = on_scale(Decimal(total) * 18 / 28, Decimal(18), Decimal(28))
    assert level_for(shown, maximum=Decimal(28), bank_maximum=Decimal(28), bands=BANDS).name == (
        level
    )


answer = st.one_of(st.none(), st.integers(0, 3))
answers = st.fixed_dictionaries({q.code: answer for q in QUESTIONS})


@given(answers)
def test_not_applicable_and_dont_know_drop_out_of_points_and_maximum(chosen):
    scores = respondent_scores(QUESTIONS, chosen)
    scored = [q for q in QUESTIONS if chosen[q.code] is not None]
    assert scores.total == sum(Decimal(chosen[q.code]) * q.weight for q in scored)
    assert scores.max_total == sum(q.max_points * q.weight for q in scored)
    for key in ("app", "ops"):
        in_dimension = [q for q in scored if q.dimension == key]
        assert (key in scores.by_dimension) == bool(in_dimension)
    # Replacing every N/A with any option changes nothing for the questions that were scored.
    filled = {code: (0 if value is None else value) for code, value in chosen.items()}
    assert respondent_scores(QUESTIONS, filled).total >= scores.total


@given(answers, st.integers(1, 100))
def test_the_total_shown_is_the_scale_times_the_total_fraction(chosen, scale):
    scores = respondent_scores(QUESTIONS, chosen)
    shown = on_scale(scores.total, scores.max_total, Decimal(scale))
    if scores.total_fraction is None:
        assert shown is None
    else:
        assert abs(shown - Decimal(scale) * scores.total_fraction) < Decimal("1e-20")
        assert 0 <= shown <= scale


@given(st.lists(st.integers(0, 3), min_size=1, max_size=12))
def test_without_n_a_a_bank_on_its_own_maximum_reads_in_plain_points(chosen):
    """v1: everyone answers with an option, the scale is the maximum total: the plain sums."""
    questions = [QuestionSpec(f"Q{i}", "d", Decimal(1), 3) for i in range(len(chosen))]
    scores = respondent_scores(
        questions, {q.code: p for q, p in zip(questions, chosen, strict=True)}
    )
    assert on_scale(scores.total, scores.max_total, scores.max_total) == sum(chosen)


@given(st.lists(st.decimals(0, 28, places=2), min_size=1, max_size=20))
def test_aggregates_of_two_decimal_values_keep_every_digit(values):
    stats = aggregate(values)
    assert stats.minimum == min(values) and stats.maximum == max(values)


@pytest.mark.parametrize(
    ("levels", "median"), [([1, 2, 3], 2), ([1, 3], 1), ([2, 2, 4, 4], 2), ([4], 4), ([], None)]
)
def test_a_questions_level_is_the_median_level_of_the_chosen_options(levels, median):
    assert median_level(Counter(levels).items()) == median


@pytest.mark.parametrize(
    ("points", "level"),
    [
        ([0, 0, 1], "Initial"),  # 1 of 9: 3.1 of 28
        ([1, 1, 1], "Initial"),  # 3 of 9: 9.3
        ([1, 1, 2], "Defined"),  # 4 of 9: 12.4
        ([1, 2, 2], "Managed"),  # 5 of 9: 15.6
        ([2, 2, 3], "Optimized"),  # 7 of 9: 21.8
    ],
)
def test_without_option_levels_a_questions_level_is_that_of_its_mean_fraction(points, level):
    """0-3 points, three people, on a scale of 28 with bounds 10/15/20."""
    band = question_level(Counter(points).items(), max_points=3, scale=Decimal(28), bands=BANDS)
    expected = level_for(
        Decimal(sum(points)),
        maximum=Decimal(3 * len(points)),
        bank_maximum=Decimal(28),
        bands=BANDS,
    )
    assert band == expected and band.name == level


def test_options_tied_to_levels_disagree_when_answers_span_two_levels():
    def disagrees(levels, threshold=None):
        return question_distribution(
            Counter(level - 1 for level in levels).items(),
            choice_points=[0, 1, 2, 3],
            level_count=4,
            threshold=threshold,
            chosen_levels=Counter(levels).items(),
        ).disagreement

    assert not disagrees([1, 2, 2])
    assert disagrees([1, 3])
    assert disagrees([2, 4, 4])
    assert disagrees([1, 2], threshold=Decimal("0.5"))  # the bank's threshold, in points


@pytest.mark.parametrize(
    ("dont_know", "respondents", "gap"),
    [(0, 3, False), (1, 3, True), (1, 4, False), (2, 6, True), (3, 10, False), (0, 0, False)],
)
def test_dont_know_from_a_third_or_more_is_a_knowledge_gap(dont_know, respondents, gap):
    assert knowledge_gap(dont_know, respondents) is gap
