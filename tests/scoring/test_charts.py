"""SVG chart primitives: accessible, and text from users is escaped."""

from decimal import Decimal

import pytest

from apps.scoring.charts import Band, bar_chart, grid_axes

pytestmark = pytest.mark.pure


def test_a_bar_chart_is_an_image_with_a_title_and_escaped_labels():
    svg = bar_chart(
        ident="r",
        title="Q4 <check>",
        description="Two dimensions",
        rows=[
            ("<script>", Decimal("50.0"), "Defined", 2),
            ("Ops", Decimal("100.0"), "Optimized", 4),
        ],
        bands=[Band("Initial", 0), Band("Defined", 25)],
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="r-title">Q4 &lt;check&gt;</title>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "50.0% · Defined" in svg and svg.count("<rect") == 4


def test_the_maturity_grid_needs_exactly_two_dimensions_whatever_their_keys():
    assert grid_axes(["delivery", "operations"]) == ("delivery", "operations")
    assert grid_axes(["application", "operational", "extra"]) is None
