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
        (Decimal("10"), "10.0"),
        (Decimal("7.50"), "7.5"),
        (Decimal("14.00"), "14.0"),
        (Decimal("13.25"), "13.3"),  # half up, not half to even
        (Decimal("13.35"), "13.4"),
        (Decimal("0"), "0.0"),
        (17.5, "17.5"),
        (28, "28.0"),
        (None, ""),
        ("n/a", ""),
        (Decimal("NaN"), ""),
    ],
)
def test_points_are_written_one_way(value, written):
    assert format_points(value) == written


def test_a_score_and_its_maximum_read_alike():
    """The defect: "10 / 14" beside "7.50 / 14"; now both have one decimal."""
    rows = [
        f"{format_points(p)} / {format_points(m)}" for p, m in [(10, 14), (Decimal("7.50"), 14)]
    ]
    assert rows == ["10.0 / 14.0", "7.5 / 14.0"]
