"""Server-rendered SVG chart primitives. `figures.py` decides what each figure shows and is
what the pages and the PDF call, so that both embed the same picture.

Each chart has a <title> and <desc> for screen readers; the pages put a data table beside it.
Colours are presentation attributes (the CSP forbids inline styles).
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

PALETTE = [
    "#0b5e55",
    "#b5541d",
    "#1f5f8b",
    "#7a3e9d",
    "#5b6b00",
    "#a3123a",
    "#00707a",
    "#8a5a00",
    "#4a4fb5",
    "#6b3b2a",
]
INK, MUTED, GRID = "#1b1b1b", "#5f6368", "#d0d4d8"
ZONE = "#3c4043"  # the grid's target zone: neutral, as level hues are for levels only
GRID_DETAIL_LIMIT = 12  # teams on the maturity grid with trails and a legend
# The dimensions a maturity grid plots, across and up. Only the LLMOps pair for now.
GRID_AXES = ("application", "operational")


def grid_axes(dimension_keys: Sequence[str]) -> tuple[str, str] | None:
    """The (x, y) dimension keys of the maturity grid for a bank whose dimensions, in order,
    have these keys; None when no grid can be drawn for it.

    The one home of this rule: the dashboard and the organization roadmap draw the grid through
    `figures.maturity_grid`, which asks it; the dashboard's data keeps each team's trail on the
    same GRID_AXES.
    """
    return GRID_AXES if tuple(dimension_keys)[:2] == GRID_AXES else None


@dataclass(frozen=True)
class Band:
    name: str
    percent: float  # where the band starts, as a share of the maximum


def _svg(
    width: int, height: int, ident: str, title: str, description: str, body: list[str]
) -> SafeString:
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-title {}-desc" class="chart"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>',
        width,
        height,
        ident,
        ident,
        ident,
        title,
        ident,
        description,
    )
    return mark_safe(head + "".join(body) + "</svg>")


def bar_chart(
    *,
    ident: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Decimal, str]],
    bands: Sequence[Band],
) -> SafeString:
    """Horizontal bars, one per (label, percent, level name), over the level bands.

    Percentages arrive rounded (calculations.percent) and are printed as they are."""
    left, right, top, bar, gap = 170, 20, 30, 26, 14
    width = 640
    plot = width - left - right
    height = top + len(rows) * (bar + gap) + 30
    body = []
    for band in bands:
        x = left + plot * band.percent / 100
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 26}" stroke="{GRID}" stroke-dasharray="4 3"/>'
            f'<text x="{x + 3:.1f}" y="{top - 12}" font-size="11" fill="{MUTED}">{escape(band.name)}</text>'
        )
    for index, (label, percent, level) in enumerate(rows):
        y = top + index * (bar + gap)
        length = plot * float(percent) / 100
        # The value goes after the bar in ink; with no room left there, inside its end in white
        # (dark ink on the dark bar would be unreadable).
        if length + 116 <= plot:
            value = f'x="{left + length + 6:.1f}" fill="{INK}"'
        else:
            value = f'x="{left + length - 6:.1f}" fill="#ffffff" text-anchor="end"'
        body.append(
            f'<text x="{left - 8}" y="{y + bar * 0.68:.1f}" font-size="13" text-anchor="end" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{plot}" height="{bar}" fill="#eef1f3"/>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text {value} y="{y + bar * 0.68:.1f}" font-size="12">'
            f"{percent}% · {escape(level)}</text>"
        )
    body.append(
        f'<text x="{left}" y="{height - 8}" font-size="11" fill="{MUTED}">0%</text>'
        f'<text x="{left + plot}" y="{height - 8}" font-size="11" fill="{MUTED}" text-anchor="end">100%</text>'
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
) -> SafeString:
    """One line per (name, percents) across rounds; a gap where a round is below its threshold.

    Each marker (index, label) is a vertical line just before the x position `index` with its
    label at the top: where the question set changed, so that a step there is not read as
    progress alone. Each target (series index, percent, label) is a dotted line across the
    plot in that series' colour, its label at the left."""
    left, right, top, bottom = 44, 40, 16, 64
    width, height = 640, 300
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(value) -> float:
        return top + plot_h * (1 - float(value) / 100)

    body = []
    for band in bands:
        body.append(
            f'<line x1="{left}" y1="{y(band.percent):.1f}" x2="{width - right}" y2="{y(band.percent):.1f}" '
            f'stroke="{GRID}" stroke-dasharray="4 3"/>'
            f'<text x="{width - right - 2}" y="{y(band.percent) - 3:.1f}" font-size="10" fill="{MUTED}" '
            f'text-anchor="end">{escape(band.name)}</text>'
        )
    for tick in (0, 50, 100):
        body.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="10" fill="{MUTED}" text-anchor="end">{tick}%</text>'
        )
    for index, label in markers:
        # Halfway between the last point before the change and the first after it.
        at = (x(index - 1) + x(index)) / 2 if index > 0 else x(index)
        # The label reads away from the nearer edge so it stays inside the chart.
        anchor, dx = ("end", -4) if at > left + plot_w / 2 else ("start", 4)
        body.append(
            f'<line x1="{at:.1f}" y1="{top:.1f}" x2="{at:.1f}" y2="{height - bottom + 4}" '
            f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 3"/>'
            f'<text x="{at + dx:.1f}" y="{top + 10}" font-size="11" fill="{INK}" '
            f'text-anchor="{anchor}" class="version-marker">{escape(label)}</text>'
        )
    for i, label in enumerate(x_labels):
        body.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="10" fill="{MUTED}" text-anchor="middle">{escape(label)}</text>'
        )
    for index, value, label in targets:
        colour = PALETTE[index % len(PALETTE)]
        body.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="2 3" class="target-line"/>'
            f'<text x="{left + 4}" y="{y(value) - 3:.1f}" font-size="10" fill="{colour}">'
            f"{escape(label)}</text>"
        )
    for s, (name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        segment: list[str] = []
        for i, value in enumerate(values):
            if value is None:
                if len(segment) > 1:
                    body.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
                    )
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(value):.1f}")
            body.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}"/>')
        if len(segment) > 1:
            body.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        legend_x = left + s * 200
        body.append(
            f'<rect x="{legend_x}" y="{height - 22}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 18}" y="{height - 12}" font-size="12" fill="{INK}">{escape(name)}</text>'
        )
    return _svg(width, height, ident, title, description, body)


def maturity_grid(
    *,
    ident: str,
    title: str,
    description: str,
    x_name: str,
    y_name: str,
    bands: Sequence[Band],
    teams: Sequence[tuple[str, Sequence[tuple[Decimal, Decimal]]]],
    zone: tuple[Decimal, Decimal] | None = None,
) -> SafeString:
    """Each team a point at (x %, y %) on the grid of levels, with a trail through past rounds.

    `zone` (x %, y %), the targets' thresholds on both axes, shades the region where both are
    met (up to 100% on each) and labels it "Target zone".

    Trails and the legend are drawn for up to GRID_DETAIL_LIMIT teams; beyond that they would be
    unreadable, so each dot carries its team's name as a tooltip instead.
    """
    detailed = len(teams) <= GRID_DETAIL_LIMIT
    size, left, top, bottom = 420, 56, 12, 48
    width, height = left + size + 150, top + size + bottom

    def px(value) -> float:
        return left + size * float(value) / 100

    def py(value) -> float:
        return top + size * (1 - float(value) / 100)

    edges = [0.0, *[b.percent for b in bands], 100.0]
    body = []
    for i in range(len(edges) - 1):  # level cells, darker towards the top right
        for j in range(len(edges) - 1):
            shade = 245 - 12 * (i + j)
            body.append(
                f'<rect x="{px(edges[i]):.1f}" y="{py(edges[j + 1]):.1f}" width="{px(edges[i + 1]) - px(edges[i]):.1f}" '
                f'height="{py(edges[j]) - py(edges[j + 1]):.1f}" fill="rgb({shade},{shade + 4},{shade + 3})" stroke="#ffffff"/>'
            )
    if zone is not None:
        zx, zy = (float(v) for v in zone)
        body.append(
            f'<g class="target-zone"><rect x="{px(zx):.1f}" y="{py(100):.1f}" '
            f'width="{px(100) - px(zx):.1f}" height="{py(zy) - py(100):.1f}" fill="{ZONE}" '
            f'fill-opacity="0.14" stroke="{ZONE}" stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{px(100) - 4:.1f}" y="{py(100) + 13:.1f}" font-size="11" fill="{INK}" '
            f'text-anchor="end">Target zone</text></g>'
        )
    for band in bands:
        body.append(
            f'<text x="{px(band.percent) + 3:.1f}" y="{top + size + 14}" font-size="10" fill="{MUTED}">{escape(band.name)}</text>'
        )
        body.append(
            f'<text x="{left - 4}" y="{py(band.percent) - 3:.1f}" font-size="10" fill="{MUTED}" text-anchor="end">{escape(band.name)}</text>'
        )
    body.append(
        f'<text x="{left + size / 2:.1f}" y="{height - 8}" font-size="12" fill="{INK}" text-anchor="middle">{escape(x_name)} →</text>'
    )
    body.append(
        f'<text x="14" y="{top + size / 2:.1f}" font-size="12" fill="{INK}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + size / 2:.1f})">{escape(y_name)} →</text>'
    )
    for index, (name, trail) in enumerate(teams):
        if not trail:
            continue
        colour = PALETTE[index % len(PALETTE)]
        if detailed and len(trail) > 1:
            points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in trail)
            body.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-opacity="0.6"/>'
            )
        x, y = trail[-1]
        # html.escape is what Django's escape calls, without its wrapper for lazy text: this
        # runs once per team, a thousand times in a large organization.
        body.append(
            f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="6" fill="{colour}"><title>{html.escape(name)}: {x}% / {y}%</title></circle>'
        )
        if detailed:
            body.append(
                f'<text x="{left + size + 12}" y="{top + 14 + index * 18}" font-size="11" fill="{colour}">● {escape(name)}</text>'
            )
    return _svg(width, height, ident, title, description, body)


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
    mark: str | None = None,
) -> SafeString:
    """How many chose each option, as one bar: `options` (short name, how many) in level order
    from light to dark, then, apart after a gap, the answers that do not score (`aside`: not
    applicable in grey, don't know outlined). A legend under it names each part with its count,
    so that nothing depends on telling the shades apart; `mark` (e.g. "Disagreement") is
    written above the bar."""
    width, bar, gap = 640, 22, 12
    top = 22 if mark else 4
    total = sum(n for _, n in options) + sum(n for _, n in aside)
    # The gap sets the answers that do not score apart; without both kinds there is nothing to
    # set apart, and the bar is one run.
    has_aside = any(n for _, n in aside) and any(n for _, n in options)
    unit = (width - (gap if has_aside else 0)) / total if total else 0.0
    body = []
    if mark:
        body.append(
            f'<text x="0" y="14" font-size="12" font-weight="bold" fill="#8a3b00">'
            f"\u25b2 {escape(mark)}</text>"
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
                f'<text x="{x + w / 2:.1f}" y="{top + 15}" font-size="12" text-anchor="middle" '
                f'fill="{ink}">{n}</text>'
            )
        x += w
    # The legend, wrapped at the chart's width (about 6.5 units per character at this size).
    lx, ly = 0.0, top + bar + 16
    for name, n, fill, _, stroke in parts:
        label = f"{name}: {n}"
        room = 18 + 6.5 * len(label) + 14
        if lx and lx + room > width:
            lx, ly = 0.0, ly + 18
        body.append(
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="11" height="11" fill="{fill}"{stroke}/>'
            f'<text x="{lx + 16:.1f}" y="{ly}" font-size="11" fill="{INK}">{escape(label)}</text>'
        )
        lx += room
    return _svg(width, ly + 6, ident, title, description, body)
