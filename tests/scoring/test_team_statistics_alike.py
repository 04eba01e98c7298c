"""Team statistics where every respondent has the same value (found by the random rounds of
test_patterns_snapshot: closing such a round failed on the database's check that the mean lies
between the minimum and maximum)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from apps.scoring.calculations import aggregate, team_statistics


@pytest.mark.pure
def test_values_all_alike_at_a_half_cent_read_the_same_throughout():
    # 9/8 on a dimension shown out of 9 with 8 applicable: 1.125 each.
    stats = aggregate([Fraction(9, 8)] * 3)

    assert (stats.mean, stats.median, stats.minimum, stats.maximum) == (Decimal("1.13"),) * 4
    assert stats.minimum <= stats.mean <= stats.maximum


@pytest.mark.pure
def test_the_database_s_statistics_of_alike_values_round_alike():
    # As PostgreSQL gives them: avg in numeric may differ from the value in its last places.
    value = Decimal("1.125000000000000000000000000000")
    stats = team_statistics(
        n=3,
        mean=Decimal("1.12499999999999999999999999999"),
        median=value,
        minimum=value,
        maximum=value,
        stdev=Decimal(0),
    )

    assert (stats.mean, stats.median, stats.minimum, stats.maximum) == (Decimal("1.13"),) * 4


@pytest.mark.pure
def test_different_values_keep_the_mean_half_to_even():
    stats = aggregate([Fraction(1), Fraction(5, 4)])  # mean 1.125

    assert (stats.mean, stats.minimum, stats.maximum) == (
        Decimal("1.12"),
        Decimal("1.00"),
        Decimal("1.25"),
    )
