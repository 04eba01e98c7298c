"""The maturity grid, checked in the SVG itself (issue #16): a label per team that no other
label overlaps, every level named on both axes, axis titles clear of the ticks, arrowheads on
the trails with older points fainter, quadrants in plain words, the target zone, and a grid for
any bank of exactly two dimensions, whatever their keys."""

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.organizations.models import Role
from apps.scoring import figures
from apps.scoring.charts import Band, text_width
from apps.scoring.dashboard import Dashboard, TeamRow, executive_dashboard
from apps.scoring.targets import EffectiveTarget
from apps.surveys import bank_services
from tests.factories import TeamFactory
from tests.scenarios import submitted_round
from tests.surveys.bank_data_v2 import v2_bank

SVG = "{http://www.w3.org/2000/svg}"
LEVELS = ["Initial", "Defined", "Managed", "Optimized"]
BANDS = [Band("Defined", 35.7), Band("Managed", 53.6), Band("Optimized", 71.4)]
# Eight teams, several of them close together (the labels must not collide).
POSITIONS = {
    "Support Copilot": [(40, 45), (60, 66), (76, 78)],
    "Knowledge Base": [(50, 50), (72, 75)],
    "Developer Tools": [(60, 52), (77, 65)],
    "Search Assistant": [(70, 40), (79, 47)],
    "Document Intelligence": [(46, 51)],
    "Sales Insights": [(35, 30), (39, 37)],
    "Fraud Signals": [(45, 50), (16, 35)],
    "Marketing Content": [(15, 10), (21, 14)],
}


def dashboard(dimensions=(("application", "Application"), ("operational", "Operational"))):
    teams = [
        TeamRow(
            n,
            f"team-{n}",
            name,
            "Q3",
            dt.datetime(2026, 9, 30, tzinfo=dt.UTC),
            "llmops v2",
            trail=[(Decimal(x), Decimal(y)) for x, y in trail],
        )
        for n, (name, trail) in enumerate(POSITIONS.items())
    ]
    return Dashboard(
        teams=teams,
        dimensions=list(dimensions),
        trend=[],
        level_counts=[(1, "Initial", 2), (2, "Defined", 2), (3, "Managed", 2), (4, "Optimized", 2)],
        hidden_rounds=0,
        bands=BANDS,
    )


def drawings(chart: str) -> dict[str, ET.Element]:
    """The wide and the compact SVG of a figure, parsed."""
    found = dict(
        re.findall(r'<div class="chart-(wide|compact)">(<svg.*?</svg>)</div>', chart, re.S)
    )
    assert set(found) == {"wide", "compact"}
    return {kind: ET.fromstring(svg) for kind, svg in found.items()}


def texts(svg: ET.Element, css_class: str) -> list[ET.Element]:
    return [t for t in svg.iter(f"{SVG}text") if t.get("class") == css_class]


def box(text: ET.Element) -> tuple[float, float, float, float]:
    """The box a text is drawn in (width estimated as the layout does)."""
    size = float(text.get("font-size"))
    width = text_width(text.text, size)
    x, y = float(text.get("x")), float(text.get("y"))
    anchor = text.get("text-anchor", "start")
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return left, y - size, width, size


def overlap(a, b) -> bool:
    return (
        min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]) > 0.5
        and min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) > 0.5
    )


@pytest.mark.parametrize("kind", ["wide", "compact"])
def test_every_team_is_labelled_beside_its_dot_and_no_two_labels_overlap(kind):
    svg = drawings(figures.maturity_grid(dashboard()))[kind]
    labels = texts(svg, "team-label")
    assert sorted(t.text for t in labels) == sorted(POSITIONS)
    for a, b in itertools.combinations(labels, 2):
        assert not overlap(box(a), box(b)), (a.text, b.text)
    # Each label sits in its team's group, with the team's dot: no legend to look up.
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "grid-team":
            assert len([c for c in group if c.get("class") == "team-dot"]) == 1
            assert len([t for t in group.iter(f"{SVG}text") if t.get("class") == "team-label"]) == 1


@pytest.mark.parametrize("kind", ["wide", "compact"])
def test_every_level_is_named_on_both_axes_initial_included(kind):
    svg = drawings(figures.maturity_grid(dashboard()))[kind]
    assert [t.text for t in texts(svg, "x-level")] == LEVELS
    assert [t.text for t in texts(svg, "y-level")] == LEVELS
    # Across: left to right; up: bottom to top.
    xs = [float(t.get("x")) for t in texts(svg, "x-level")]
    ys = [float(t.get("y")) for t in texts(svg, "y-level")]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)


@pytest.mark.parametrize("kind", ["wide", "compact"])
def test_axis_titles_collide_with_no_tick_label(kind):
    svg = drawings(figures.maturity_grid(dashboard()))[kind]
    titles = texts(svg, "axis-title")
    assert [t.text for t in titles] == ["Application \u2192", "\u2191 Operational"]
    ticks = texts(svg, "x-level") + texts(svg, "y-level")
    for title in titles:
        assert title.get("transform") is None  # written across, not rotated over the ticks
        for tick in ticks:
            assert not overlap(box(title), box(tick)), (title.text, tick.text)


@pytest.mark.parametrize("kind", ["wide", "compact"])
def test_trails_have_arrowheads_and_older_points_fade(kind):
    svg = drawings(figures.maturity_grid(dashboard()))[kind]
    markers = list(svg.iter(f"{SVG}marker"))
    assert len(markers) == 1 and markers[0].get("orient") == "auto"
    arrow = f"url(#{markers[0].get('id')})"
    support = next(
        g
        for g in svg.iter(f"{SVG}g")
        if g.get("class") == "grid-team" and g.get("data-team") == "team-0"
    )
    steps = [line for line in support if line.get("class") == "trail"]
    assert len(steps) == 2 and all(line.get("marker-end") == arrow for line in steps)
    fading = [float(c.get("fill-opacity")) for c in support if c.get("class") == "past-point"]
    assert len(fading) == 2 and fading[0] < fading[1] < 1  # the oldest palest


def test_the_quadrants_are_named_in_plain_words():
    chart = figures.maturity_grid(dashboard())
    svg = drawings(chart)["wide"]
    words = " ".join(t.text for t in svg.iter(f"{SVG}text"))
    for phrase in ("Risk", "sophisticated apps on weak", "Room to build", "solid operations"):
        assert phrase in words
    assert "Leading" in words and "Getting started" in words


def test_the_target_zone_is_shaded_where_both_targets_are_met():
    def target(key):
        return EffectiveTarget(
            "llmops", key, 3, "Managed", Decimal(15), Decimal(28), dt.date(2027, 3, 31), "org"
        )

    chart = figures.maturity_grid(
        dashboard(),
        targets={"application": target("application"), "operational": target("operational")},
    )
    for svg in drawings(chart).values():
        zone = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "target-zone")
        rect = zone.find(f"{SVG}rect")
        assert float(rect.get("fill-opacity")) > 0 and rect.get("stroke-dasharray")
        assert zone.find(f"{SVG}text").text == "Target zone"


def test_a_bank_of_two_dimensions_with_other_keys_gets_a_grid_named_after_them():
    chart = figures.maturity_grid(dashboard([("evaluate", "Evaluate"), ("operate", "Operate")]))
    svg = drawings(chart)["wide"]
    assert [t.text for t in texts(svg, "axis-title")] == ["Evaluate \u2192", "\u2191 Operate"]
    words = " ".join(t.text for t in svg.iter(f"{SVG}text"))
    assert "Ahead on operate" in words and "Ahead on evaluate" in words
    assert len(texts(svg, "team-label")) == len(POSITIONS)


@pytest.mark.parametrize(
    "dimensions",
    [
        [("application", "Application")],
        [("application", "Application"), ("operational", "Operational"), ("data", "Data")],
    ],
)
def test_banks_with_another_number_of_dimensions_have_no_grid(dimensions):
    assert figures.maturity_grid(dashboard(dimensions)) is None


@pytest.mark.django_db
def test_the_dashboard_draws_the_grid_of_a_bank_with_other_keys_and_level_names(client, org):
    """End to end: a published bank with dimensions "evaluate" and "operate" and levels of its
    own names; the trail comes from the stored scores, the levels from the bank."""
    data = v2_bank(slug="crawlwalk")
    for level, name in zip(data["levels"], ["Crawl", "Walk", "Run", "Fly"], strict=True):
        level["name"] = name
    bank = bank_services.bank_import(data, publish=True)
    team = TeamFactory(organization=org, name="Evaluators")
    submitted_round(team=team, bank=bank, days_ago=100, points=[1, 1, 1])
    submitted_round(team=team, bank=bank, days_ago=10, points=[2, 2, 3])
    data = executive_dashboard(org)
    assert [key for key, _ in data.dimensions] == ["evaluate", "operate"]
    assert len(data.teams[0].trail) == 2
    svg = drawings(figures.maturity_grid(data))["wide"]
    assert [t.text for t in texts(svg, "x-level")] == ["Crawl", "Walk", "Run", "Fly"]
    assert [t.text for t in texts(svg, "team-label")] == ["Evaluators"]
    assert len([line for line in svg.iter(f"{SVG}line") if line.get("class") == "trail"]) == 1


@pytest.mark.django_db
def test_the_team_history_shows_the_team_alone_on_the_grid_with_its_trail(client, org, member_of):
    team = TeamFactory(organization=org, name="Solo")
    other = TeamFactory(organization=org, name="Other")
    submitted_round(team=team, days_ago=200, title="First", points=[0, 1, 1])
    submitted_round(team=team, days_ago=20, title="Second", points=[2, 2, 1])
    submitted_round(team=other, days_ago=20, points=[2, 2, 2])
    client.force_login(member_of(Role.EXECUTIVE, email="exec@acme.example"))
    url = reverse("scoring:team_history", args=[org.slug, team.public_id])
    html = client.get(url).content.decode()
    wide = r'<div class="chart-wide">(<svg[^>]*team-grid-title.*?</svg>)</div>'
    grid = ET.fromstring(re.search(wide, html, re.S).group(1))
    assert [t.text for t in texts(grid, "team-label")] == ["Solo"]
    assert len(texts(grid, "round-label")) == 1  # the earlier round, named by its month
    assert len([line for line in grid.iter(f"{SVG}line") if line.get("class") == "trail"]) == 1
