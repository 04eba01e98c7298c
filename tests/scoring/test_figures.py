"""The one rounding of a percentage and the one rule for the maturity grid, without a database."""

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from apps.scoring.calculations import percent
from apps.scoring.charts import Band, bar_chart, grid_axes


def test_a_half_percent_rounds_up():
    assert percent(Decimal("17.50"), Decimal(28)) == 63  # 62.5%
    assert percent(Decimal("0.5"), Decimal(100)) == 1
    assert percent(Decimal("2.5"), Decimal(100)) == 3  # half to even would give 2
    assert percent(Decimal(10), Decimal(28)) == 36  # 35.71%
    assert percent(Decimal(0), Decimal(0)) == 0


@given(
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2),
)
def test_percent_is_the_exact_share_rounded_half_up_once(score, maximum):
    exact = Fraction(score) * 100 / Fraction(maximum)
    assert percent(score, maximum) == math.floor(exact + Fraction(1, 2))


def test_the_bar_chart_prints_the_rounded_percentage_as_it_is():
    chart = bar_chart(
        ident="c",
        title="t",
        description="d",
        rows=[("Total", percent(Decimal("17.50"), Decimal(28)), "Managed", 3)],
        bands=[Band("Managed", 54.0)],
    )
    assert "63% · Managed" in chart and "62%" not in chart


def test_a_grid_needs_a_bank_of_exactly_two_dimensions_across_then_up_in_bank_order():
    assert grid_axes(["application", "operational"]) == ("application", "operational")
    assert grid_axes(["operational", "application"]) == ("operational", "application")
    assert grid_axes(["delivery", "stability"]) == ("delivery", "stability")
    assert grid_axes(["application", "operational", "data"]) is None
    assert grid_axes(["application"]) is None
