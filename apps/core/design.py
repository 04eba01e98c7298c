"""Design tokens: the one visual language of pages, SVG charts and PDFs (DESIGN §4).

Level colours are for levels only (badges, heat-map cells, level chips, the bars of a level).
Series colours tell dimensions apart in charts; they come from Paul Tol's colour-blind-safe
palettes and share no hue with the level scale (`hue_distance`, checked by the tests), so that
a line is never read as a level. The total is drawn in ink, not in a hue.

The stylesheets carry these values as CSS custom properties (`css_custom_properties`); a test
keeps static/css/app.css and static/css/report.css in step with this module.
"""

import colorsys
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Level number → colour of a badge or a bar of that level (white text on it), and the light
# tint of a heat-map cell at that level. Brown to teal: lower levels warm, higher levels cool.
LEVEL_COLOURS = {1: "#6c3d00", 2: "#7a5c00", 3: "#1f5f8b", 4: "#0b5e55", 5: "#08443d"}
LEVEL_TINTS = {1: "#f6e3d3", 2: "#f7efc9", 3: "#d7e8f4", 4: "#cfeae3", 5: "#b9e0d6"}

# Dimensions' series colours in bank order (Tol: indigo, wine, green, rose), then the total.
SERIES = ("#332288", "#882255", "#228833", "#cc6677")
TOTAL_SERIES = "#1b1b1b"

INK, MUTED, GRID, ZONE = "#1b1b1b", "#5f6368", "#d0d4d8", "#3c4043"
# The product's own colour (buttons, links, headings of the PDFs): a deep violet, so that no
# button or link is drawn in a level's colour (it used to be Optimized's teal).
BRAND, BRAND_DARK = "#37306b", "#262152"
DECLINE = "#a3123a"  # a fall: coloured, and also signed and marked with DECLINE_ICON
RISE = INK  # a rise is signed and marked; it needs no colour
DECLINE_ICON, RISE_ICON = "\u25bc", "\u25b2"  # ▼ ▲

# Font sizes of chart text in SVG user units; a chart drawn for phones is drawn at about the
# width it is shown, so that its smallest text stays legible (MIN_TEXT px or more at 390 px).
MIN_TEXT = 11
TEXT_SMALL, TEXT, TEXT_LARGE = 12, 13, 14

UNIT = "pp"  # a change of a percentage of the maximum: percentage points
MIN_HUE_DISTANCE = 30  # degrees between a series colour and any level colour or tint


def level_colour(number: int | None) -> str:
    """The colour of a level (its number in the bank, from 1); a neutral grey for none."""
    if not number:
        return GRID
    return LEVEL_COLOURS.get(number, LEVEL_COLOURS[max(LEVEL_COLOURS)])


def series_colour(index: int) -> str:
    return SERIES[index % len(SERIES)]


def hue(colour: str) -> float:
    """The hue of "#rrggbb" in degrees."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def hue_distance(a: str, b: str) -> float:
    d = abs(hue(a) - hue(b)) % 360
    return min(d, 360 - d)


def signed_pp(change: Decimal | int) -> str:
    """A change in percentage points with its sign: "+4 pp", "-3 pp", "0 pp"."""
    if change > 0:
        return f"+{change} {UNIT}"
    if change < 0:
        return f"-{abs(change)} {UNIT}"
    return f"0 {UNIT}"


def change_icon(change: Decimal | int) -> str:
    """▲ for a rise, ▼ for a fall, nothing for none: so a change never relies on colour."""
    return RISE_ICON if change > 0 else DECLINE_ICON if change < 0 else ""


def change_text(change: Decimal | int, since: str | None = None) -> str:
    """A change, and what it is measured against when the text around it does not say:
    "▼ -3 pp since Q2 2026", "▲ +4 pp"."""
    icon = change_icon(change)
    return f"{icon + ' ' if icon else ''}{signed_pp(change)}{f' since {since}' if since else ''}"


_CHANGE_HTML: dict[tuple[str, str | None], SafeString] = {}  # values repeat across teams


def change_html(change: Decimal | int | None, since: str | None = None) -> SafeString:
    """`change_text` as the pages and PDFs print it: a decline in its colour (class "decline");
    an en dash when there is no change to show. Remembered per written value (3 and 3.0 are
    written apart), as a dashboard asks for the same few hundred times over."""
    if change is None:
        return mark_safe("\u2013")
    key = (str(change), since)
    html = _CHANGE_HTML.get(key)
    if html is None:
        if len(_CHANGE_HTML) >= 4096:
            _CHANGE_HTML.clear()
        html = _CHANGE_HTML[key] = _change_html(change, since)
    return html


def _change_html(change: Decimal | int, since: str | None) -> SafeString:
    # Two parts that each stay on one line: a narrow column breaks between them only.
    text = f'<span class="change-value">{escape(change_text(change))}</span>'
    if since:
        text += f' <span class="change-since">since {escape(since)}</span>'
    return mark_safe(f'<span class="decline">{text}</span>' if change < 0 else text)


def css_custom_properties() -> str:
    """The tokens as the :root block both stylesheets carry (kept in step by a test)."""
    lines = [f"  --level-{n}: {c};" for n, c in LEVEL_COLOURS.items()]
    lines += [f"  --level-{n}-tint: {c};" for n, c in LEVEL_TINTS.items()]
    lines += [f"  --series-{i + 1}: {c};" for i, c in enumerate(SERIES)]
    lines += [
        f"  --series-total: {TOTAL_SERIES};",
        f"  --ink: {INK};",
        f"  --muted: {MUTED};",
        f"  --decline: {DECLINE};",
        f"  --rise: {RISE};",
        f"  --brand: {BRAND};",
        f"  --brand-dark: {BRAND_DARK};",
    ]
    return ":root {\n" + "\n".join(lines) + "\n}"
