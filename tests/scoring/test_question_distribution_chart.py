"""The per-question distribution: one small SVG, built once for the page and the PDF."""

import re

import pytest

from apps.scoring.figures import question_distribution_chart
from apps.scoring.selectors import QuestionRow

pytestmark = pytest.mark.pure


def row(**fields) -> QuestionRow:
    values = {
        "code": "APP-1",
        "text": "How is the model chosen?",
        "dimension": "Application maturity",
        "counts": [("Picked once", 0, 1), ("Compared by hand", 1, 2), ("Benchmarked", 2, 0)],
        "disagreement": False,
        "option_levels": ("Initial", "Defined", "Managed"),
        "offers_na": True,
        "offers_dont_know": True,
        "na": 1,
        "dont_know": 2,
    }
    return QuestionRow(**{**values, **fields})


def wide(chart: str) -> str:
    """The wide drawing of a chart (desktops and PDFs); the compact one follows it."""
    return re.search(r'<div class="chart-wide">(<svg.*?</svg>)</div>', chart, re.S).group(1)


def test_it_is_an_image_whose_description_gives_every_count_in_words():
    svg = wide(question_distribution_chart(row()))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="question-app-1-title">APP-1: how many chose each answer</title>' in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert "Initial 1, Defined 2, Managed 0, Not applicable 1, Don&#x27;t know 2" in desc


def test_options_come_in_level_order_and_the_answers_that_do_not_score_stand_apart():
    svg = wide(question_distribution_chart(row()))
    legend = re.findall(
        r'<text x="[\d.]+" y="[\d.]+" font-size="11" fill="#1b1b1b">([^<]+)</text>', svg
    )
    assert legend == [
        "Initial: 1",
        "Defined: 2",
        "Managed: 0",
        "Not applicable: 1",
        "Don&#x27;t know: 2",
    ]
    bars = [
        (float(x), float(w), fill)
        for x, w, fill in re.findall(
            r'<rect x="([\d.]+)" y="4" width="([\d.]+)" height="22" fill="(#[0-9a-f]{6})"', svg
        )
    ][1:]  # after the background
    (x1, w1, _), (x2, w2, _), (na_x, na_w, _), (dk_x, dk_w, _) = bars
    assert x2 == pytest.approx(x1 + w1, abs=0.2) and w2 == pytest.approx(2 * w1, abs=0.2)
    assert na_x > x2 + w2 + 10  # a gap before "not applicable"
    assert dk_x == pytest.approx(na_x + na_w, abs=0.2) and dk_w == pytest.approx(2 * na_w, abs=0.2)


def test_a_question_without_na_or_dont_know_shows_neither():
    svg = question_distribution_chart(
        row(offers_na=False, offers_dont_know=False, na=0, dont_know=0)
    )
    assert "Not applicable" not in svg and "know" not in svg


def test_options_without_levels_are_numbered():
    svg = question_distribution_chart(row(option_levels=(), offers_na=False, na=0))
    assert "Option 1: 1" in svg and "Option 3: 0" in svg


def test_disagreement_and_knowledge_gap_are_written_above_the_bar():
    svg = question_distribution_chart(row(disagreement=True, knowledge_gap=True))
    assert "Disagreement: answers two or more levels apart" in svg
    assert "Knowledge gap: a third or more don&#x27;t know" in svg
    quiet = question_distribution_chart(row())
    assert "Disagreement" not in quiet and "Knowledge gap" not in quiet


def test_text_from_the_bank_is_escaped_and_nobody_answering_draws_an_empty_bar():
    svg = question_distribution_chart(
        row(
            code="<b>",
            counts=[("x", 0, 0), ("y", 1, 0)],
            option_levels=("<i>", ""),
            na=0,
            dont_know=0,
        )
    )
    assert "<b>" not in svg and "<i>" not in svg and "&lt;i&gt;: 0" in svg
    assert "Option 2: 0" in svg


def test_the_same_row_gives_the_same_bytes():
    assert question_distribution_chart(row()) == question_distribution_chart(row())
