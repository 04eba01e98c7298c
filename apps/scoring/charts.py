"""Server-rendered SVG chart primitives. `figures.py` decides what each figure shows and is
what the pages and the PDF call, so that both embed the same picture.

Each chart has a <title> and <desc> for screen readers; the pages put a data table beside it.
Colours are presentation attributes (the CSP forbids inline styles) and come from the design
tokens (`apps.core.design`): level colours for levels only, series colours for dimensions.

A chart is drawn at a given `width` in user units. The figures draw each chart twice: wide for
desktops and PDFs, and compact (COMPACT_WIDTH) for phones, where it is shown at about that width
so that no text is smaller than `design.MIN_TEXT` px (`responsive`).
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.core import design
from apps.core.design import GRID, INK, MUTED, ZONE

GRID_DETAIL_LIMIT = 12  # teams on the maturity grid with trails and a label each
# Rounds a trail goes back on a grid of several teams (wide, compact): more would tangle them.
# A one-team grid shows the whole trail.
GRID_TRAIL_POINTS = (4, 3)
WIDE_WIDTH, COMPACT_WIDTH = 640, 360
# The width a compact chart is shown at on a 390 px phone: the page's gutters (12 px a side)
# taken off. Its smallest text, scaled by this over its viewBox width, stays >= MIN_TEXT px.
PHONE_CHART_WIDTH = 366
CHAR_WIDTH = 0.6  # an average character's width in em (DejaVu Sans, the PDFs' font, is wide)


def grid_axes(dimension_keys: Sequence[str]) -> tuple[str, str] | None:
    """The (x, y) dimension keys of the maturity grid for a bank whose dimensions, in order,
    have these keys: the grid needs exactly two dimensions, whatever their keys; None else.

    The one home of this rule: the dashboard, the team history and the PDFs draw the grid
    through `figures`, which asks it."""
    keys = tuple(dimension_keys)
    return (keys[0], keys[1]) if len(keys) == 2 else None


@dataclass(frozen=True)
class Band:
    name: str
    percent: float  # where the band starts, as a share of the maximum


def text_width(text: str, size: float) -> float:
    """About how wide `text` is at font size `size` (for layout; generous rather than tight)."""
    return len(text) * size * CHAR_WIDTH


def _svg(
    width: float,
    height: float,
    ident: str,
    title: str,
    description: str,
    body: list[str],
    *,
    css_class: str = "chart",
    defs: str = "",
) -> SafeString:
    # format_html's escaping, written out: two charts a question, sixty on a round result.
    ident, css_class = _escaped(ident), _escaped(css_class)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'class="{css_class}"><title id="{ident}-title">{_escaped(title)}</title>'
        f'<desc id="{ident}-desc">{_escaped(description)}</desc>'
    )
    return mark_safe(head + defs + "".join(body) + "</svg>")


def _escaped(value) -> str:
    """`conditional_escape(value)` (what format_html applies to each argument) without Django's
    wrapper for lazy text."""
    return str(value.__html__()) if hasattr(value, "__html__") else html.escape(str(value))


def _n(value: float) -> str:
    """A coordinate as SVG reads it: no trailing ".0"."""
    return f"{value:.1f}".removesuffix(".0")


def responsive(wide: SafeString, compact: SafeString) -> SafeString:
    """A chart for every screen: the wide drawing on desktops and paper, the compact one on
    phones (static/css/app.css swaps them below 576 px; report.css shows the wide one)."""
    return mark_safe(
        f'<div class="chart-wide">{wide}</div><div class="chart-compact">{compact}</div>'
    )


def bar_chart(
    *,
    ident: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Decimal, str, int | None]],
    bands: Sequence[Band],
    width: int = WIDE_WIDTH,
) -> SafeString:
    """Horizontal bars, one per (label, percent, level name, level number), over the level
    bands. A bar is drawn in its level's colour and says its level in words beside it: level
    colours are for levels. Compact (narrow `width`), each label stands above its bar.

    Percentages arrive rounded (calculations.percent) and are printed as they are."""
    compact = width < WIDE_WIDTH
    left = 8 if compact else 170
    right, top, bar = 12, 30, 26
    label_room = 18 if compact else 0  # the label's line above the bar
    gap = 14
    plot = width - left - right
    step = label_room + bar + gap
    height = top + len(rows) * step + 30
    size = design.TEXT if not compact else design.TEXT_SMALL
    body = []
    for band in bands:
        x = left + plot * band.percent / 100
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 26}" stroke="{GRID}" '
            f'stroke-dasharray="4 3"/>'
            f'<text x="{x + 3:.1f}" y="{top - 12}" font-size="{design.MIN_TEXT}" fill="{MUTED}">'
            f"{escape(band.name)}</text>"
        )
    for index, (label, percent, level, number) in enumerate(rows):
        y = top + index * step + label_room
        length = plot * float(percent) / 100
        value_text = f"{percent}% · {escape(level)}"
        # The value goes after the bar in ink; with no room left there, inside its end in white
        # (dark ink on the dark bar would be unreadable).
        if length + text_width(f"{percent}% · {level}", size) + 10 <= plot:
            value = f'x="{left + length + 6:.1f}" fill="{INK}"'
        else:
            value = f'x="{left + length - 6:.1f}" fill="#ffffff" text-anchor="end"'
        if compact:
            name = f'<text x="{left}" y="{y - 5}" font-size="{size}" fill="{INK}">{escape(label)}</text>'
        else:
            name = (
                f'<text x="{left - 8}" y="{y + bar * 0.68:.1f}" font-size="{size}" '
                f'text-anchor="end" fill="{INK}">{escape(label)}</text>'
            )
        body.append(
            f"{name}"
            f'<rect x="{left}" y="{y}" width="{plot}" height="{bar}" fill="#eef1f3"/>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" '
            f'fill="{design.level_colour(number)}" class="level-bar level-{number or 0}"/>'
            f'<text {value} y="{y + bar * 0.68:.1f}" font-size="{design.TEXT_SMALL}">'
            f"{value_text}</text>"
        )
    body.append(
        f'<text x="{left}" y="{height - 8}" font-size="{design.MIN_TEXT}" fill="{MUTED}">0%</text>'
        f'<text x="{left + plot}" y="{height - 8}" font-size="{design.MIN_TEXT}" fill="{MUTED}" '
        f'text-anchor="end">100%</text>'
    )
    return _svg(width, height, ident, title, description, body)


def line_chart(
    *,
    ident: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    bands: Sequence[Band],
    markers: Sequence[tuple[int, str]] = (),
    targets: Sequence[tuple[int, Decimal, str]] = (),
    width: int = WIDE_WIDTH,
) -> SafeString:
    """One line per (name, percents) across rounds; a gap where a round is below its threshold.
    The last series is the total, drawn in ink and thicker; the others in the series colours.

    The level bands' names stand in the right margin, beside the plot, so that no line runs
    over them. Each marker (index, label) is a vertical line just before the x position `index`
    with its label at the top: where the question set changed, so that a step there is not read
    as progress alone. Each target (series index, percent, label) is a dotted line across the
    plot in that series' colour, named in the legend."""
    compact = width < WIDE_WIDTH
    size = design.MIN_TEXT
    band_room = max([text_width(b.name, size) for b in bands] + [0]) + 8
    left, right, top = 40, band_room, 18
    count = max(len(x_labels), 1)
    plot_w = width - left - right
    # The legend, wrapped at the chart's width: the series, then the targets (a dotted line
    # each: their labels stand here, not on the plot, where the lines would run over them).
    legend, lx, ly = [], 0.0, 0
    entries = [name for name, _ in series] + [label for _, _, label in targets]
    for name in entries:
        room = 22 + text_width(name, design.TEXT_SMALL) + 16
        if lx and left + lx + room > width:
            lx, ly = 0.0, ly + 18
        legend.append((lx, ly))
        lx += room
    plot_h = 180 if compact else 220
    # Every x label when they fit, else fewer, kept from the newest back: never overlapping.
    height = top + plot_h + 28 + ly + 26

    def x(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(value) -> float:
        return top + plot_h * (1 - float(value) / 100)

    body = []
    for band in bands:
        body.append(
            f'<line x1="{left}" y1="{y(band.percent):.1f}" x2="{left + plot_w:.1f}" '
            f'y2="{y(band.percent):.1f}" stroke="{GRID}" stroke-dasharray="4 3"/>'
            f'<text x="{left + plot_w + 4:.1f}" y="{y(band.percent) + 4:.1f}" font-size="{size}" '
            f'fill="{MUTED}" class="band-label">{escape(band.name)}</text>'
        )
    for tick in (0, 50, 100):
        body.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="{size}" fill="{MUTED}" '
            f'text-anchor="end">{tick}%</text>'
        )
    for index, label in markers:
        # Halfway between the last point before the change and the first after it.
        at = (x(index - 1) + x(index)) / 2 if index > 0 else x(index)
        # The label reads away from the nearer edge so it stays inside the chart.
        anchor, dx = ("end", -4) if at > left + plot_w / 2 else ("start", 4)
        body.append(
            f'<line x1="{at:.1f}" y1="{top:.1f}" x2="{at:.1f}" y2="{top + plot_h + 4}" '
            f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 3"/>'
            f'<text x="{at + dx:.1f}" y="{top - 5}" font-size="{size}" fill="{INK}" '
            f'text-anchor="{anchor}" class="version-marker">{escape(label)}</text>'
        )

    def anchor_of(i: int) -> str:
        return "middle" if 0 < i < count - 1 or count == 1 else ("start" if i == 0 else "end")

    shown: dict[int, tuple[float, float]] = {}  # label index: the span it is written over
    for i in reversed(range(len(x_labels))):
        w = text_width(x_labels[i], size)
        start = {"start": x(i), "end": x(i) - w, "middle": x(i) - w / 2}[anchor_of(i)]
        if all(start + w + 6 <= a or start >= b + 6 for a, b in shown.values()):
            shown[i] = (start, start + w)
    for i, label in enumerate(x_labels):
        if i not in shown:
            continue
        anchor = anchor_of(i)
        body.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" font-size="{size}" fill="{MUTED}" '
            f'text-anchor="{anchor}">{escape(label)}</text>'
        )
    for n, (index, value, label) in enumerate(targets):
        colour = design.series_colour(index)
        lx, ly = legend[len(series) + n]
        base = top + plot_h + 40 + ly
        body.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{left + plot_w:.1f}" y2="{y(value):.1f}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="2 3" class="target-line"/>'
            f'<line x1="{left + lx:.1f}" y1="{base - 4}" x2="{left + lx + 16:.1f}" y2="{base - 4}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="2 3"/>'
            f'<text x="{left + lx + 22:.1f}" y="{base}" font-size="{design.TEXT_SMALL}" '
            f'fill="{INK}" class="target-label">{escape(label)}</text>'
        )
    last = len(series) - 1
    for s, (name, values) in enumerate(series):
        colour = design.TOTAL_SERIES if s == last and s else design.series_colour(s)
        stroke = 3 if s == last and s else 2.5
        segment: list[str] = []
        for i, value in enumerate(values):
            if value is None:
                if len(segment) > 1:
                    body.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                        f'stroke-width="{stroke}" class="series"/>'
                    )
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(value):.1f}")
            body.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}"/>')
        if len(segment) > 1:
            body.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                f'stroke-width="{stroke}" class="series"/>'
            )
        lx, ly = legend[s]
        base = top + plot_h + 40 + ly
        body.append(
            f'<rect x="{left + lx:.1f}" y="{base - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + lx + 18:.1f}" y="{base}" font-size="{design.TEXT_SMALL}" '
            f'fill="{INK}">{escape(name)}</text>'
        )
    return _svg(width, height, ident, title, description, body)


# The maturity grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GridTeam:
    """A team on the maturity grid: its trail (x %, y %), oldest first, the last point being
    now; `key` (its public id) lets the page's filter find it; `labels`, one per trail point
    when given, name the rounds beside the older points (a one-team grid)."""

    name: str
    trail: Sequence[tuple[Decimal, Decimal]]
    key: str = ""
    labels: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Quadrant:
    """A quadrant's name in plain words: a headline ("Risk") and what it means."""

    headline: str
    detail: str


Box = tuple[float, float, float, float]  # x, y, width, height


def _overlap(a: Box, b: Box) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _distance(box: Box, x: float, y: float) -> float:
    """From the point (x, y) to the nearest point of `box`."""
    dx = max(box[0] - x, 0.0, x - (box[0] + box[2]))
    dy = max(box[1] - y, 0.0, y - (box[1] + box[3]))
    return (dx * dx + dy * dy) ** 0.5


def _outside(box: Box, bounds: Box) -> float:
    """How much of `box` lies outside `bounds` (an area, 0 when inside)."""
    return box[2] * box[3] - _overlap(box, bounds)


def place_labels(
    points: Sequence[tuple[float, float, str, float]],
    obstacles: Sequence[Box],
    bounds: Box,
    size: float,
) -> list[tuple[Box, str, bool]]:
    """Where to write each point's label (x, y, text, radius) so that no two labels, no label
    and dot, and no label and obstacle overlap, all inside `bounds`: for each point the first
    free spot of eight around its dot, then the same further out (with a leader line); where
    none is free, the one that overlaps least. Returns per point (its label's box, its
    text-anchor, whether it needs a leader line)."""
    height = size + 2
    dots = [(x - r, y - r, 2 * r, 2 * r) for x, y, _, r in points]
    placed: list[Box] = []
    result: list[tuple[Box, str, bool] | None] = [None] * len(points)
    # The most crowded points first: they have the fewest free spots.
    order = sorted(
        range(len(points)),
        key=lambda i: (
            -sum(
                1
                for j in range(len(points))
                if j != i
                and abs(points[i][0] - points[j][0]) < 80
                and abs(points[i][1] - points[j][1]) < 40
            )
        ),
    )
    for i in order:
        x, y, text, r = points[i]
        w = text_width(text, size)
        best = None
        for distance in (3, 14, 28, 44, 62):
            d = r + distance
            candidates = [
                ((x + d, y - height / 2, w, height), "start"),
                ((x - d - w, y - height / 2, w, height), "end"),
                ((x - w / 2, y - d - height, w, height), "middle"),
                ((x - w / 2, y + d, w, height), "middle"),
                ((x + d * 0.7, y - d * 0.7 - height, w, height), "start"),
                ((x + d * 0.7, y + d * 0.7, w, height), "start"),
                ((x - d * 0.7 - w, y - d * 0.7 - height, w, height), "end"),
                ((x - d * 0.7 - w, y + d * 0.7, w, height), "end"),
            ]
            for box, anchor in candidates:
                # A label nearer another team's dot than its own would be read as that team's.
                own = _distance(box, x, y)
                cost = (
                    sum(_overlap(box, other) for other in placed)
                    + sum(_overlap(box, dot) for j, dot in enumerate(dots) if j != i) * 2
                    + sum(_overlap(box, obstacle) for obstacle in obstacles) * 0.5
                    + _outside(box, bounds) * 4
                    + sum(
                        max(0.0, own - _distance(box, ox, oy) + 2) * 20
                        for j, (ox, oy, _, _) in enumerate(points)
                        if j != i and (ox, oy) != (x, y)
                    )
                )
                if best is None or cost < best[0]:
                    best = (cost, box, anchor, distance > 3)
                if cost == 0:
                    break
            if best[0] == 0:
                break
        _, box, anchor, leader = best
        placed.append(box)
        result[i] = (box, anchor, leader)
    return [r for r in result if r is not None]


def _wrap(text: str, size: float, room: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        attempt = f"{line} {word}".strip()
        if line and text_width(attempt, size) > room:
            lines.append(line)
            line = word
        else:
            line = attempt
    return [*lines, line] if line else lines


def maturity_grid(
    *,
    ident: str,
    title: str,
    description: str,
    x_name: str,
    y_name: str,
    levels: Sequence[Band],
    teams: Sequence[GridTeam],
    quadrants: tuple[Quadrant, Quadrant, Quadrant, Quadrant] | None = None,
    zone: tuple[Decimal, Decimal] | None = None,
    compact: bool = False,
) -> SafeString:
    """Each team a labelled dot at (x %, y %) on the grid of levels, with a trail through its
    past rounds: arrows from each round to the next, older points fainter (on a grid of several
    teams only the last GRID_TRAIL_POINTS rounds, so that the trails do not tangle).

    `levels` are every level of the bank from the lowest (at 0%) up; each is named on both
    axes, in the middle of its band. The thicker lines split the grid at the middle level into
    four `quadrants` (top left, top right, bottom left, bottom right), named in their corners.
    `zone` (x %, y %), the targets' thresholds on both axes, shades the region where both are
    met (up to 100% on each) and labels it "Target zone".

    Trails and labels are drawn for up to GRID_DETAIL_LIMIT teams; beyond that they would be
    unreadable, so each dot carries its team's name as a tooltip instead. Each team is a group
    (class "grid-team", data-team its key) that the page's filter can highlight.

    `compact` draws it for a phone (COMPACT_WIDTH wide, text at design.MIN_TEXT)."""
    detailed = len(teams) <= GRID_DETAIL_LIMIT
    if compact:
        size, small, left, right, top, bottom, plot = (
            design.MIN_TEXT,
            design.MIN_TEXT,
            70,
            8,
            28,
            54,
            COMPACT_WIDTH - 78,
        )
    else:
        size, small, left, right, top, bottom, plot = (
            design.TEXT,
            design.TEXT_SMALL,
            96,
            24,
            34,
            52,
            540,
        )
    width, height = left + plot + right, top + plot + bottom

    def px(value) -> float:
        return left + plot * float(value) / 100

    def py(value) -> float:
        return top + plot * (1 - float(value) / 100)

    starts = [level.percent for level in levels]
    if not starts or starts[0] > 0:  # the lowest level starts at 0, named or not
        levels = [Band("", 0.0), *levels]
        starts = [0.0, *starts]
    edges = [*starts, 100.0]
    body: list[str] = []
    count = len(levels)
    for i in range(count):  # level cells, darker towards the top right
        for j in range(count):
            shade = 246 - round(26 * (i + j) / max(2 * count - 2, 1))
            body.append(
                f'<rect x="{px(edges[i]):.1f}" y="{py(edges[j + 1]):.1f}" '
                f'width="{px(edges[i + 1]) - px(edges[i]):.1f}" '
                f'height="{py(edges[j]) - py(edges[j + 1]):.1f}" '
                f'fill="rgb({shade},{shade},{shade + 2})" stroke="#ffffff" stroke-width="2"/>'
            )
    split = edges[count // 2] if count > 1 else 50.0
    body.append(
        f'<line x1="{px(split):.1f}" y1="{py(100):.1f}" x2="{px(split):.1f}" y2="{py(0):.1f}" '
        f'stroke="{MUTED}" stroke-width="1.5" class="quadrant-split"/>'
        f'<line x1="{px(0):.1f}" y1="{py(split):.1f}" x2="{px(100):.1f}" y2="{py(split):.1f}" '
        f'stroke="{MUTED}" stroke-width="1.5" class="quadrant-split"/>'
    )
    obstacles: list[Box] = []
    if zone is not None:
        zx, zy = (float(v) for v in zone)
        label = "Target zone"
        lw = text_width(label, small)
        lx, ly = px(100) - 5, py(zy) - 6
        body.append(
            f'<g class="target-zone"><rect x="{px(zx):.1f}" y="{py(100):.1f}" '
            f'width="{px(100) - px(zx):.1f}" height="{py(zy) - py(100):.1f}" fill="{ZONE}" '
            f'fill-opacity="0.13" stroke="{ZONE}" stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{small}" fill="{INK}" '
            f'text-anchor="end" font-weight="bold">{label}</text></g>'
        )
        obstacles.append((lx - lw, ly - small, lw, small + 2))
    if quadrants is not None:
        corners = [  # (x, y of the first line's baseline, anchor, room, lines go down or up)
            (px(0) + 6, py(100) + size + 4, "start", px(split) - px(0) - 12, 1),
            (px(100) - 6, py(100) + size + 4, "end", px(100) - px(split) - 12, 1),
            (px(0) + 6, py(0) - 7, "start", px(split) - px(0) - 12, -1),
            (px(100) - 6, py(0) - 7, "end", px(100) - px(split) - 12, -1),
        ]
        for quadrant, (qx, qy, anchor, room, direction) in zip(quadrants, corners, strict=True):
            lines = [(quadrant.headline, True)]
            if not compact:
                lines += [(line, False) for line in _wrap(quadrant.detail, small, room)]
            if direction < 0:
                lines.reverse()
            texts = []
            for n, (line, bold) in enumerate(lines):
                ty = qy + direction * n * (size + 3)
                weight = ' font-weight="bold"' if bold else ""
                texts.append(
                    f'<text x="{qx:.1f}" y="{ty:.1f}" font-size="{size if bold else small}" '
                    f'fill="{INK if bold else MUTED}" text-anchor="{anchor}"{weight}>'
                    f"{escape(line)}</text>"
                )
                lw = text_width(line, size)
                bx = qx if anchor == "start" else qx - lw
                obstacles.append((bx, ty - size, lw, size + 3))
            body.append(
                f'<g class="quadrant"><title>{escape(quadrant.headline)}: '
                f"{escape(quadrant.detail)}</title>{''.join(texts)}</g>"
            )
    # Every level named on both axes, in the middle of its band; a tick at each boundary.
    for i, level in enumerate(levels):
        mid = (edges[i] + edges[i + 1]) / 2
        room = px(edges[i + 1]) - px(edges[i])
        lift = 13 if text_width(level.name, size) > room - 10 and i % 2 else 0
        body.append(
            f'<text x="{px(mid):.1f}" y="{py(0) + 17 + lift}" font-size="{size}" fill="{INK}" '
            f'text-anchor="middle" class="x-level">{escape(level.name)}</text>'
            f'<text x="{left - 8}" y="{py(mid) + size * 0.35:.1f}" font-size="{size}" '
            f'fill="{INK}" text-anchor="end" class="y-level">{escape(level.name)}</text>'
        )
    for edge in edges:
        body.append(
            f'<line x1="{px(edge):.1f}" y1="{py(0):.1f}" x2="{px(edge):.1f}" y2="{py(0) + 5:.1f}" '
            f'stroke="{MUTED}"/><line x1="{px(0) - 5:.1f}" y1="{py(edge):.1f}" x2="{px(0):.1f}" '
            f'y2="{py(edge):.1f}" stroke="{MUTED}"/>'
        )
    # Axis titles apart from the ticks: across under the level names, up above the plot.
    body.append(
        f'<text x="{px(100):.1f}" y="{height - 8}" font-size="{size}" fill="{INK}" '
        f'text-anchor="end" font-weight="bold" class="axis-title">{escape(x_name)} \u2192</text>'
        f'<text x="4" y="{top - 12}" font-size="{size}" fill="{INK}" font-weight="bold" '
        f'class="axis-title">\u2191 {escape(y_name)}</text>'
    )
    colour = INK
    defs = (
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker></defs>'
    )
    radius = 5.5 if compact else 6.5
    # Labels: each team's name beside its dot; on a one-team grid also each earlier round.
    points: list[tuple[float, float, str, float]] = []
    owners: list[tuple[int, bool]] = []  # (team index, is the team's name)
    shown = [(index, team) for index, team in enumerate(teams) if team.trail]
    if detailed:
        for index, team in shown:
            x, y = team.trail[-1]
            points.append((px(x), py(y), team.name, radius))
            owners.append((index, True))
        if len(shown) == 1 and shown[0][1].labels:
            index, team = shown[0]
            for (x, y), label in list(zip(team.trail, team.labels, strict=False))[:-1]:
                points.append((px(x), py(y), label, 3.5))
                owners.append((index, False))
    if detailed:  # the earlier rounds' points: a label should not hide them either
        for _, team in shown:
            back = len(team.trail) if len(shown) == 1 else GRID_TRAIL_POINTS[compact]
            for x, y in list(team.trail)[-back:-1]:
                obstacles.append((px(x) - 4, py(y) - 4, 8, 8))
    places = place_labels(points, obstacles, (0, top, width, height - top - 4), size)
    labels: dict[int, list[str]] = {}
    for (dot_x, dot_y, text, _), (index, is_name), (box, anchor, leader) in zip(
        points, owners, places, strict=True
    ):
        bx, by, bw, bh = box
        tx = bx if anchor == "start" else bx + bw if anchor == "end" else bx + bw / 2
        line = ""
        if leader:
            # From the dot's edge to the nearest point of the label's box.
            nx, ny = min(max(dot_x, bx), bx + bw), min(max(dot_y, by), by + bh)
            line = (
                f'<line x1="{dot_x:.1f}" y1="{dot_y:.1f}" x2="{nx:.1f}" y2="{ny:.1f}" '
                f'stroke="{MUTED}" stroke-width="1"/>'
            )
        # A white halo under the text (a copy with a white outline, drawn first: PDF renderers
        # ignore paint-order) keeps it legible where a trail runs behind it.
        weight = ' font-weight="bold"' if is_name else ""
        where = (
            f'x="{tx:.1f}" y="{by + bh - 3.5:.1f}" font-size="{size if is_name else small}" '
            f'text-anchor="{anchor}"{weight}'
        )
        labels.setdefault(index, []).append(
            f'{line}<text {where} fill="#ffffff" stroke="#ffffff" stroke-width="3" '
            f'stroke-linejoin="round" class="label-halo" aria-hidden="true">{escape(text)}</text>'
            f'<text {where} fill="{INK if is_name else MUTED}" '
            f'class="{"team-label" if is_name else "round-label"}">{escape(text)}</text>'
        )
    x_text, y_text = html.escape(x_name), html.escape(y_name)  # in every dot's tooltip
    for index, team in shown:
        trail = list(team.trail)
        if len(shown) > 1:
            trail = trail[-GRID_TRAIL_POINTS[compact] :]
        parts = []
        if detailed and len(trail) > 1:
            steps = len(trail) - 1
            for n in range(steps):
                (x1, y1), (x2, y2) = trail[n], trail[n + 1]
                ax, ay, bx, by = px(x1), py(y1), px(x2), py(y2)
                length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
                opacity = 0.3 + 0.5 * (n + 1) / steps  # older steps fainter
                if length < 1:
                    continue
                # Stop at the next dot's edge, so that the arrowhead shows.
                stop = radius + 1 if n == steps - 1 else 4.5
                shorten = min(stop, length) / length
                ex, ey = bx - (bx - ax) * shorten, by - (by - ay) * shorten
                arrow = f' marker-end="url(#{ident}-arrow)"' if length > 14 else ""
                parts.append(
                    f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" '
                    f'stroke="{colour}" stroke-width="1.8" stroke-opacity="{opacity:.2f}"'
                    f'{arrow} class="trail"/>'
                )
            for n, (x, y) in enumerate(trail[:-1]):
                opacity = 0.25 + 0.45 * (n + 1) / len(trail)
                parts.append(
                    f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{colour}" '
                    f'fill-opacity="{opacity:.2f}" class="past-point"/>'
                )
        x, y = trail[-1]
        # html.escape is what Django's escape calls, without its wrapper for lazy text: this
        # runs once per team, a thousand times in a large organization.
        parts.append(
            f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="{radius}" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="1.5" class="team-dot"><title>{html.escape(team.name)}: '
            f"{x_text} {x}%, {y_text} {y}%</title></circle>"
        )
        parts.extend(labels.get(index, []))
        body.append(
            f'<g class="grid-team" data-team="{html.escape(team.key)}">{"".join(parts)}</g>'
        )
    return _svg(
        width, height, ident, title, description, body, css_class="chart maturity-grid", defs=defs
    )


def _ramp(index: int, count: int) -> str:
    """The `index`-th of `count` shades from light to dark teal: options in level order, the
    higher level darker (one hue, so that it reads as an order, not as separate series)."""
    light, dark = (0xD2, 0xEA, 0xE5), (0x0B, 0x5E, 0x55)
    share = index / (count - 1) if count > 1 else 1.0
    return "#" + "".join(
        f"{round(a + (b - a) * share):02x}" for a, b in zip(light, dark, strict=True)
    )


def distribution_bar(
    *,
    ident: str,
    title: str,
    description: str,
    options: Sequence[tuple[str, int]],
    aside: Sequence[tuple[str, int]],
    marks: Sequence[str] = (),
    width: int = WIDE_WIDTH,
) -> SafeString:
    """How many chose each option, as one bar: `options` (short name, how many) in level order
    from light to dark, then, apart after a gap, the answers that do not score (`aside`: not
    applicable in grey, don't know outlined). A legend under it names each part with its count,
    so that nothing depends on telling the shades apart; `marks` (e.g. "Disagreement") are
    written above the bar, side by side where they fit, else each on its own lines, wrapped at
    the chart's width: never cut off, never under the bar."""
    bar, gap = 22, 12
    size = design.TEXT_SMALL
    # The findings side by side when they fit on one line (the second against the right edge),
    # else each on its own lines: never cut off, never under the bar.
    texts = [f"\u25b2 {mark}" for mark in marks]
    if len(texts) == 2 and sum(text_width(t, design.MIN_TEXT) for t in texts) + 24 <= width:
        mark_lines = [[(texts[0], 0, "start"), (texts[1], width, "end")]]
    else:
        mark_lines = [
            [(line, 0, "start")] for t in texts for line in _wrap(t, design.MIN_TEXT, width - 4)
        ]
    top = 4 + len(mark_lines) * 18
    total = sum(n for _, n in options) + sum(n for _, n in aside)
    # The gap sets the answers that do not score apart; without both kinds there is nothing to
    # set apart, and the bar is one run.
    has_aside = any(n for _, n in aside) and any(n for _, n in options)
    unit = (width - (gap if has_aside else 0)) / total if total else 0.0
    body = []
    for n, line in enumerate(mark_lines):
        for text, x, anchor in line:
            body.append(
                f'<text x="{x}" y="{16 + n * 18}" font-size="{design.MIN_TEXT}" '
                f'font-weight="bold" fill="#8a3b00" text-anchor="{anchor}" class="finding">'
                f"{escape(text)}</text>"
            )
    body.append(f'<rect x="0" y="{top}" width="{width}" height="{bar}" fill="#f4f6f7"/>')
    parts = [
        (name, n, _ramp(i, len(options)), "#ffffff" if i >= len(options) / 2 else INK, "")
        for i, (name, n) in enumerate(options)
    ]
    styles = [("#aeb4ba", INK, ""), ("#ffffff", INK, f' stroke="{MUTED}" stroke-dasharray="3 2"')]
    parts += [(name, n, *styles[min(i, 1)]) for i, (name, n) in enumerate(aside)]
    x = 0.0
    for index, (_, n, fill, ink, stroke) in enumerate(parts):
        if index == len(options) and has_aside:
            x += gap
        if not n:
            continue
        w = n * unit
        body.append(
            f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{bar}" fill="{fill}"{stroke}/>'
        )
        if w >= 16:
            body.append(
                f'<text x="{x + w / 2:.1f}" y="{top + 15}" font-size="{size}" '
                f'text-anchor="middle" fill="{ink}">{n}</text>'
            )
        x += w
    # The legend, wrapped at the chart's width.
    lx, ly = 0.0, top + bar + 16
    for name, n, fill, _, stroke in parts:
        label = f"{name}: {n}"
        room = 18 + text_width(label, design.MIN_TEXT) + 10
        if lx and lx + room > width:
            lx, ly = 0.0, ly + 18
        body.append(
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="11" height="11" fill="{fill}"{stroke}/>'
            f'<text x="{lx + 16:.1f}" y="{ly}" font-size="{design.MIN_TEXT}" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        lx += room
    return _svg(width, ly + 6, ident, title, description, body)
