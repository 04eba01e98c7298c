"""One visual language (issue #16): level colours only for levels, series colours that share no
hue with them, chart text of 11 px or more on a 390 px phone, a change always in signed "pp"
and against something, band labels clear of the lines, and the stylesheets in step with the
design tokens."""

import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from apps.core import design
from apps.organizations.models import Role
from apps.scoring import charts, figures
from apps.scoring.dashboard import Dashboard, TeamRow
from apps.scoring.selectors import QuestionRow
from tests.factories import TeamFactory
from tests.scenarios import submitted_round

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
LEVEL_HUES = [*design.LEVEL_COLOURS.values(), *design.LEVEL_TINTS.values()]
BANDS = [charts.Band("Defined", 35.7), charts.Band("Managed", 53.6), charts.Band("Optimized", 71.4)]


def drawings(chart: str) -> dict[str, ET.Element]:
    found = dict(
        re.findall(r'<div class="chart-(wide|compact)">(<svg.*?</svg>)</div>', chart, re.S)
    )
    return {kind: ET.fromstring(svg) for kind, svg in found.items()}


def grid_figure() -> str:
    teams = [
        TeamRow(n, f"t{n}", name, "Q3", None, "llmops v2", trail=[(Decimal(x), Decimal(y))])
        for n, (name, x, y) in enumerate(
            [("Support Copilot", 76, 78), ("Knowledge Base", 72, 75), ("Fraud Signals", 16, 35)]
        )
    ]
    data = Dashboard(
        teams, [("a", "Application"), ("o", "Operational")], [], [(1, "Initial", 1)], 0
    )
    data.bands = BANDS
    return figures.maturity_grid(data)


def question_row(**fields) -> QuestionRow:
    values = {
        "code": "APP-1",
        "text": "How is the model chosen?",
        "dimension": "Application maturity",
        "counts": [("Picked once", 0, 1), ("Compared by hand", 1, 2), ("Benchmarked", 2, 0)],
        "disagreement": True,
        "knowledge_gap": True,
        "option_levels": ("Initial", "Defined", "Managed"),
        "offers_na": True,
        "offers_dont_know": True,
        "na": 1,
        "dont_know": 2,
    }
    return QuestionRow(**{**values, **fields})


def line_figure() -> str:
    return figures._both(
        charts.line_chart,
        "trend-chart",
        title="Trend",
        description="d",
        x_labels=["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025", "Q1 2026", "Q2 2026", "Q3 2026"],
        series=[
            ("Application maturity", [Decimal(v) for v in (30, 40, 55, 60, 62, 70, 80)]),
            (
                "Operational maturity",
                [None if v is None else Decimal(v) for v in (20, 35, 50, None, 60, 65, 71)],
            ),
            ("Total", [Decimal(v) for v in (25, 38, 52, 60, 61, 68, 76)]),
        ],
        bands=BANDS,
        markers=[(5, "New question set: llmops v2")],
        targets=[(0, Decimal("53.6"), "Target Application maturity: Managed")],
    )


def bar_figure() -> str:
    return figures._both(
        charts.bar_chart,
        "round-chart",
        title="Scores",
        description="d",
        rows=[
            ("Application maturity", Decimal(46), "Defined", 2),
            ("Operational maturity", Decimal(80), "Optimized", 4),
            ("Total", Decimal(63), "Managed", 3),
        ],
        bands=BANDS,
    )


def every_figure() -> dict[str, str]:
    return {
        "bars": bar_figure(),
        "lines": line_figure(),
        "distribution": figures.question_distribution_chart(question_row()),
        "grid": grid_figure(),
    }


def test_no_series_colour_shares_a_hue_with_a_level():
    for series in [*design.SERIES]:
        for level in LEVEL_HUES:
            assert design.hue_distance(series, level) >= design.MIN_HUE_DISTANCE, (series, level)
    assert design.TOTAL_SERIES not in LEVEL_HUES


def test_buttons_links_and_pdf_headings_are_not_drawn_in_a_level_colour():
    """The brand colour (buttons, links, the PDFs' headings) used to be Optimized's teal."""
    for brand in (design.BRAND, design.BRAND_DARK):
        for level in LEVEL_HUES:
            assert design.hue_distance(brand, level) >= design.MIN_HUE_DISTANCE, (brand, level)
    levels = {c.lower() for c in design.LEVEL_COLOURS.values()}
    for sheet in ("static/css/app.css", "static/css/report.css"):
        rest = (ROOT / sheet).read_text().replace(design.css_custom_properties(), "").lower()
        assert not levels & set(re.findall(r"#[0-9a-f]{6}", rest)), sheet  # only as tokens


def test_a_line_chart_draws_no_series_in_a_level_colour():
    for svg in drawings(line_figure()).values():
        strokes = {p.get("stroke") for p in svg.iter(f"{SVG}polyline")}
        assert strokes == {design.SERIES[0], design.SERIES[1], design.TOTAL_SERIES}
        assert not strokes & set(LEVEL_HUES)


def test_a_bar_is_drawn_in_its_levels_colour_and_its_words_never_in_a_series_colour():
    """ "80% · Optimized" was drawn in orange, Operational's series colour: read as a level."""
    for svg in drawings(bar_figure()).values():
        bars = [r for r in svg.iter(f"{SVG}rect") if "level-bar" in (r.get("class") or "")]
        assert [b.get("fill") for b in bars] == [
            design.LEVEL_COLOURS[2],
            design.LEVEL_COLOURS[4],
            design.LEVEL_COLOURS[3],
        ]
        value = next(t for t in svg.iter(f"{SVG}text") if t.text == "80% · Optimized")
        assert value.get("fill") in (design.INK, "#ffffff")
        fills = {e.get("fill") for e in svg.iter() if e.get("fill")}
        assert not fills & set(design.SERIES)


@pytest.mark.parametrize("name", ["bars", "lines", "distribution", "grid"])
def test_no_chart_text_is_smaller_than_11_px_on_a_390_px_phone(name):
    """A phone is shown the compact drawing (app.css), at the width the page gives it: 390 px
    less the gutters. Its viewBox scales every font size by that width over its own."""
    css = (ROOT / "static/css/app.css").read_text()
    assert re.search(
        r"@media \(max-width: 575\.98px\) \{ \.chart-wide \{ display: none; \} "
        r"\.chart-compact \{ display: block; \} \}",
        css,
    )
    svg = drawings(every_figure()[name])["compact"]
    scale = charts.PHONE_CHART_WIDTH / float(svg.get("viewBox").split()[2])
    sizes = [float(t.get("font-size")) * scale for t in svg.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 11


def test_the_line_charts_band_labels_stand_beside_the_plot_not_under_its_lines():
    for svg in drawings(line_figure()).values():
        plot_right = max(
            float(point.split(",")[0])
            for p in svg.iter(f"{SVG}polyline")
            for point in p.get("points").split()
        )
        labels = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "band-label"]
        assert [t.text for t in labels] == ["Defined", "Managed", "Optimized"]
        assert all(float(t.get("x")) > plot_right for t in labels)
        # Target labels are in the legend, under the plot.
        target = next(t for t in svg.iter(f"{SVG}text") if t.get("class") == "target-label")
        band_line_bottom = max(float(r.get("y1")) for r in svg.iter(f"{SVG}line"))
        assert float(target.get("y")) > band_line_bottom


def test_a_disagreement_and_a_knowledge_gap_are_both_written_whole_above_the_bar():
    for svg in drawings(figures.question_distribution_chart(question_row())).values():
        width = float(svg.get("viewBox").split()[2])
        findings = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "finding"]
        assert len(findings) >= 2
        bar_top = min(float(r.get("y")) for r in svg.iter(f"{SVG}rect") if r.get("height") == "22")
        for text in findings:
            assert charts.text_width(text.text, float(text.get("font-size"))) <= width
            assert float(text.get("y")) < bar_top  # above the bar, never under it
        lines: dict[str, float] = {}
        for text in findings:  # side by side only where both fit, apart
            used = charts.text_width(text.text, float(text.get("font-size")))
            lines[text.get("y")] = lines.get(text.get("y"), 0) + used
        assert all(used + 12 <= width for used in lines.values())


@pytest.mark.parametrize(
    ("change", "since", "text"),
    [
        (Decimal(5), "Q2 2026", "\u25b2 +5 pp since Q2 2026"),
        (Decimal(-3), "the previous round", "\u25bc -3 pp since the previous round"),
        (Decimal(0), "Q2 2026", "0 pp since Q2 2026"),
        (Decimal(-3), None, "\u25bc -3 pp"),
    ],
)
def test_a_change_is_signed_in_pp_marked_and_says_against_what(change, since, text):
    assert design.change_text(change, since) == text
    html = design.change_html(change, since)
    assert ('class="decline"' in html) == (change < 0)


def test_the_stylesheets_carry_the_design_tokens():
    block = design.css_custom_properties()
    for sheet in ("static/css/app.css", "static/css/report.css"):
        text = (ROOT / sheet).read_text()
        assert block in text, f"{sheet}: paste apps.core.design.css_custom_properties() in"
        # Level colours are used through the tokens, not copied.
        assert re.findall(r"\.level-\d \{ background: var\(--level-\d\); \}", text)
        assert not re.search(r"\.level-\d \{ background: #", text)
        assert not re.search(r"\.heat-\d \{ background: #", text)


def test_no_page_or_figure_writes_pts_or_hard_codes_the_llmops_level_names():
    for path in [*ROOT.glob("templates/scoring/*.html"), *ROOT.glob("templates/reports/*.html")]:
        assert not re.search(r"\bpts\b", path.read_text()), path
    for path in ("apps/scoring/figures.py", "apps/scoring/dashboard_views.py"):
        assert not re.search(r"\} pts\b", (ROOT / path).read_text()), path
    assert (
        "Initial · Defined · Managed · Optimized" not in (ROOT / "templates/base.html").read_text()
    )


@pytest.mark.django_db
def test_the_heat_map_sorts_by_total_change_gap_or_name(client, org, member_of):
    for name, first, latest in [
        ("Alpha", [0, 0, 0], [1, 1, 1]),
        ("Bravo", [2, 2, 2], [2, 2, 2]),
        ("Charlie", [2, 2, 2], [1, 1, 0]),
    ]:
        team = TeamFactory(organization=org, name=name)
        submitted_round(team=team, days_ago=200, points=first)
        submitted_round(team=team, days_ago=20, points=latest)
    client.force_login(member_of(Role.EXECUTIVE, email="exec@acme.example"))
    url = reverse("scoring:dashboard", args=[org.slug])

    def order(sort):
        html = client.get(url, {"sort": sort} if sort else {}).content.decode()
        table = html[html.index('<table class="table align-middle heatmap">') :]
        return re.findall(r'<th scope="row"><a [^>]*>(\w+)</a>', table[: table.index("</table>")])

    assert order(None) == order("name") == ["Alpha", "Bravo", "Charlie"]
    assert order("total") == ["Bravo", "Alpha", "Charlie"]
    assert order("change") == ["Alpha", "Bravo", "Charlie"]  # +, 0, -
    assert order("nonsense") == ["Alpha", "Bravo", "Charlie"]
    # Each order is its own cached fragment: asking again gives the same.
    assert order("total") == ["Bravo", "Alpha", "Charlie"]


@pytest.mark.parametrize("rounds", [6, 7])
def test_a_line_charts_x_labels_never_overlap_and_the_newest_is_always_named(rounds):
    quarters = ["Q2 2025", "Q3 2025", "Q4 2025", "Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    chart = figures._both(
        charts.line_chart,
        "history-chart",
        title="History",
        description="d",
        x_labels=quarters[:rounds],
        series=[("Total", [Decimal(50)] * rounds)],
        bands=BANDS,
    )
    for svg in drawings(chart).values():
        bottom = max(float(t.get("y")) for t in svg.iter(f"{SVG}text") if "Q" in (t.text or ""))
        labels = [t for t in svg.iter(f"{SVG}text") if float(t.get("y")) == bottom]
        names = [t.text for t in labels]
        assert names[-1] == quarters[rounds - 1] and len(names) >= 3
        spans = []
        for t in labels:
            w = charts.text_width(t.text, float(t.get("font-size")))
            x = float(t.get("x"))
            start = {"start": x, "end": x - w, "middle": x - w / 2}[t.get("text-anchor")]
            spans.append((start, start + w))
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start
