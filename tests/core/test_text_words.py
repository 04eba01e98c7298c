"""Words and numbers written to people (apps/core/text.py): a name's possessive, points."""

from decimal import Decimal

import pytest

from apps.core.text import format_points, possessive

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Ada", "Ada's"),
        ("NewCo Labs", "NewCo Labs'"),
        ("ACME CORPS", "ACME CORPS'"),
        ("Platform ", "Platform's"),
        ("", ""),
        (None, ""),
    ],
)
def test_possessive(name, written):
    assert possessive(name) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("10"), "10.00"),
        (Decimal("7.50"), "7.50"),
        (Decimal("14.00"), "14.00"),
        (Decimal("13.125"), "13.13"),  # half up, not half to even
        (Decimal("13.135"), "13.14"),
        (Decimal("0.67"), "0.67"),  # the selector's number to its last digit
        (Decimal("0"), "0.00"),
        (17.5, "17.50"),
        (28, "28.00"),
        (None, ""),
        ("n/a", ""),
        (Decimal("NaN"), ""),
    ],
)
def test_points_are_written_one_way(value, written):
    assert format_points(value) == written


def test_a_score_and_its_maximum_read_alike():
    """The defect: "10 / 14" beside "7.50 / 14"; now both have two decimals."""
    rows = [
        f"{format_points(p)} / {format_points(m)}" for p, m in [(10, 14), (Decimal("7.50"), 14)]
    ]
    assert rows == ["10.00 / 14.00", "7.50 / 14.00"]
