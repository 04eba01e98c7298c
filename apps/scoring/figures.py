"""Every figure of the results, built once.

The pages and the PDF roadmaps call these functions with the selectors' output and embed what
they return as it is, so that a page and its PDF show byte-identical charts (DESIGN §4). What a
figure shows (its series, its title, its bands) is decided here and nowhere else; `charts.py`
only draws.
"""

from decimal import Decimal
from html import escape  # Django's escape without its wrapper for lazy text: once per cell

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from apps.core import design
from apps.scoring import charts
from apps.scoring.bands import bank_bands
from apps.scoring.calculations import percent
from apps.scoring.dashboard import Cell, Dashboard, TeamRow
from apps.scoring.selectors import HistoryPoint, QuestionRow, RoundResult, chart_bands

NO_VALUE = "\u2013"  # an en dash, as on the other pages
TOTAL = ("total", "Total")


def percent_text(value: Decimal) -> str:
    """A percentage from `calculations.percent` (already rounded, once) as the figures print it."""
    return f"{value}%"


def round_chart(result: RoundResult) -> SafeString:
    """A visible round result: a bar per dimension and the total, in its level's colour, over
    the level bands; wide and compact (`charts.responsive`)."""

    def draw(ident: str, width: int) -> SafeString:
        return charts.bar_chart(
            ident=ident,
            title=f"{result.round.team.name}: score per dimension",
            description="Team average per dimension and in total as a share of the maximum, "
            "with its level, over the level bands. The table with the chart gives the same "
            "numbers.",
            rows=[
                (row.name, row.percent, row.level_name, row.level_number)
                for row in [*result.dimensions, result.total]
            ],
            bands=chart_bands(result.bands, result.total.max_points),
            width=width,
        )

    return charts.responsive(
        draw("round-chart", charts.WIDE_WIDTH), draw("round-chart-compact", charts.COMPACT_WIDTH)
    )


def question_distribution_chart(row: QuestionRow) -> SafeString:
    """How the team answered one question: a bar of its options in level order (light to dark),
    "not applicable" and "don't know" apart after a gap, a disagreement or a knowledge gap
    written above it. The description says every count in words; the page and the PDF put the
    table with the options' full texts beside it."""
    options = [(level or f"Option {i + 1}", n) for i, (level, _, _, n) in enumerate(row.options)]
    aside = []
    if row.offers_na or row.na:
        aside.append(("Not applicable", row.na))
    if row.offers_dont_know or row.dont_know:
        aside.append(("Don't know", row.dont_know))
    findings = [
        text
        for flagged, text in [
            (row.disagreement, "Disagreement: answers two or more levels apart"),
            (row.knowledge_gap, "Knowledge gap: a third or more don't know"),
        ]
        if flagged
    ]
    counted = ", ".join(f"{name} {n}" for name, n in [*options, *aside])

    def draw(ident: str, width: int) -> SafeString:
        return charts.distribution_bar(
            ident=ident,
            title=f"{row.code}: how many chose each answer",
            description=f"How many chose each answer, options from the lowest level to the "
            f"highest: {counted}.{''.join(f' {text}.' for text in findings)}",
            options=options,
            aside=aside,
            marks=findings,
            width=width,
        )

    ident = f"question-{slugify(row.code)}"
    return charts.responsive(
        draw(ident, charts.WIDE_WIDTH), draw(f"{ident}-compact", charts.COMPACT_WIDTH)
    )


def _both(draw, ident: str, **kwargs) -> SafeString:
    """A chart drawn wide and compact (`charts.responsive`), with the same data."""
    return charts.responsive(
        draw(ident=ident, width=charts.WIDE_WIDTH, **kwargs),
        draw(ident=f"{ident}-compact", width=charts.COMPACT_WIDTH, **kwargs),
    )


def version_marker(bank: str) -> str:
    """The words that mark where a new question set starts, on the charts and the tables."""
    return f"New question set: {bank}"


def history_chart(
    team_name: str,
    points: list[HistoryPoint],
    dimensions: list[tuple[str, str]],
    targets: dict | None = None,
) -> SafeString | None:
    """A line per dimension and the total over the team's closed rounds (a gap where a round
    stayed under its threshold), over the bands of the latest visible round's bank; None when
    no round is visible. `targets` (dimension key → `targets.EffectiveTarget`, those that apply
    now) draws each as a dotted line at its threshold in its dimension's colour."""
    visible = [p for p in points if p.visible]
    if not visible:
        return None
    latest = visible[-1]
    x_labels = [p.round.period.month(p.round.team.organization.time_zone) for p in points]

    def row(point: HistoryPoint, key: str):
        if not point.visible:
            return None
        return point.total if key == "total" else point.dimensions.get(key)

    lines = [
        (index, name, target)
        for index, (key, name) in enumerate(dimensions)
        if (target := (targets or {}).get(key))
    ]

    return _both(
        charts.line_chart,
        "history-chart",
        title=f"{team_name}: score per dimension over time",
        description="Team average per dimension and in total, as a share of the maximum, for "
        "every closed round that met its threshold. The table with the chart gives the same "
        "numbers."
        + "".join(
            f" A dashed line marks a new question set: {p.bank} from {label} on (was "
            f"{p.previous_bank}), so the step there is not progress alone."
            for p, label in zip(points, x_labels, strict=True)
            if p.new_question_set
        )
        + "".join(
            f" A dotted line marks the target for {name}: {target.level_name}, from "
            f"{percent_text(target.threshold)}."
            for _, name, target in lines
        ),
        x_labels=x_labels,
        series=[
            (name, [r.percent if (r := row(p, key)) else None for p in points])
            for key, name in [*dimensions, TOTAL]
        ],
        targets=[
            (index, target.threshold, f"Target {name}: {target.level_name}")
            for index, name, target in lines
        ],
        bands=chart_bands(bank_bands(latest.round.bank_id), latest.total.max_points),
        markers=[
            (index, version_marker(p.bank)) for index, p in enumerate(points) if p.new_question_set
        ],
    )


def trend_chart(organization_name: str, data: Dashboard) -> SafeString | None:
    """The organization's mean per dimension and in total by quarter; None without teams."""
    if not data.teams:
        return None
    return _both(
        charts.line_chart,
        "trend-chart",
        title=f"{organization_name}: average score per dimension by quarter",
        description="The mean of the teams' scores (share of the maximum) per dimension and in "
        "total in each quarter. The table with the chart gives the same numbers."
        + "".join(
            f" A dashed line marks a new question set: the first {bank} rounds closed in "
            f"{data.trend[index][0]}, so the step there is not progress alone."
            for index, bank in data.markers
        ),
        x_labels=[quarter for quarter, _ in data.trend],
        series=[
            (name, [values.get(key) for _, values in data.trend])
            for key, name in [*data.dimensions, TOTAL]
        ],
        bands=data.bands,
        markers=[(index, version_marker(bank)) for index, bank in data.markers],
    )


# The quadrants of the grid in plain words, for a bank whose two dimensions have these keys
# (top left, top right, bottom left, bottom right); other pairs are named from their names.
QUADRANTS = {
    ("application", "operational"): (
        charts.Quadrant("Room to build", "solid operations, simple apps"),
        charts.Quadrant("Leading", "strong on both"),
        charts.Quadrant("Getting started", "early on both"),
        charts.Quadrant("Risk", "sophisticated apps on weak operations"),
    ),
}


def grid_quadrants(axes: tuple[str, str], x_name: str, y_name: str) -> tuple:
    """The four quadrants' names for a grid on these (x, y) dimension keys and names."""
    if axes in QUADRANTS:
        return QUADRANTS[axes]
    x, y = x_name.lower(), y_name.lower()
    return (
        charts.Quadrant(f"Ahead on {y}", f"{y} ahead of {x}"),
        charts.Quadrant("Strong on both", f"{x} and {y}"),
        charts.Quadrant("Getting started", "early on both"),
        charts.Quadrant(f"Ahead on {x}", f"{x} ahead of {y}"),
    )


def _grid(
    *,
    ident: str,
    axes: tuple[str, str],
    names: dict[str, str],
    levels: list[charts.Band],
    teams: list[charts.GridTeam],
    targets: dict | None,
    who: str,
) -> SafeString:
    """The maturity grid, wide and compact (`charts.responsive`), with what it shows in words."""
    x_key, y_key = axes
    x_name, y_name = names[x_key], names[y_key]
    x_target, y_target = ((targets or {}).get(key) for key in axes)
    zone = (x_target.threshold, y_target.threshold) if x_target and y_target else None
    quadrants = grid_quadrants(axes, x_name, y_name)
    kwargs = dict(
        title=f"Maturity grid: {x_name} against {y_name}",
        description=f"{who} {x_name} across and {y_name} up, on a grid of the levels "
        f"({', '.join(level.name for level in levels)}), with arrows through earlier rounds. "
        + " ".join(f"{q.headline}: {q.detail}." for q in quadrants)
        + (
            f" The shaded target zone is where both targets are met: {x_name} from "
            f"{percent_text(zone[0])} ({x_target.level_name}), {y_name} from "
            f"{percent_text(zone[1])} ({y_target.level_name})."
            if zone
            else ""
        )
        + " "
        + " ".join(
            f"{team.name}: {x_name} {team.trail[-1][0]}%, {y_name} {team.trail[-1][1]}%."
            for team in teams
            if team.trail
        ),
        x_name=x_name,
        y_name=y_name,
        levels=levels,
        teams=teams,
        quadrants=quadrants,
        zone=zone,
    )
    return charts.responsive(
        charts.maturity_grid(ident=ident, **kwargs),
        charts.maturity_grid(ident=f"{ident}-compact", compact=True, **kwargs),
    )


def maturity_grid(data: Dashboard, *, targets: dict | None = None) -> SafeString | None:
    """Each team at its latest score on the bank's two dimensions with its trail; None without
    teams or when the bank has not exactly two dimensions (`charts.grid_axes`). `targets`
    (dimension key → `targets.EffectiveTarget`: the organization's defaults) shades the target
    zone where both axes' thresholds are met, when both have one."""
    axes = charts.grid_axes([key for key, _ in data.dimensions])
    if not data.teams or axes is None:
        return None
    lowest = data.level_counts[0][1] if data.level_counts else ""
    return _grid(
        ident="maturity-grid",
        axes=axes,
        names=dict(data.dimensions),
        levels=[charts.Band(lowest, 0.0), *data.bands],
        teams=[charts.GridTeam(team.name, team.trail, team.public_id) for team in data.teams],
        targets=targets,
        who="Each team is a labelled dot at its latest score:",
    )


def team_grid(
    team,
    points: list[HistoryPoint],
    dimensions: list[tuple[str, str]],
    targets: dict | None = None,
) -> SafeString | None:
    """One team alone on the maturity grid: its dot at the latest of `points` that is visible
    and its trail through the earlier ones, each labelled with its month, over the levels of
    that round's bank; `targets` (dimension key → `targets.EffectiveTarget`) shades the zone
    where both are met. None without a visible round or for a bank without a grid. The team
    history page and the team PDFs call it."""
    axes = charts.grid_axes([key for key, _ in dimensions])
    visible = [p for p in points if p.visible and set(axes or ()) <= p.dimensions.keys()]
    if axes is None or not visible:
        return None
    latest = visible[-1]
    zone_name = team.organization.time_zone
    scale = latest.total.max_points
    return _grid(
        ident="team-grid",
        axes=axes,
        names=dict(dimensions),
        levels=[
            charts.Band(band.name, float(percent(band.min_score, scale)))
            for band in bank_bands(latest.round.bank_id)
        ],
        teams=[
            charts.GridTeam(
                team.name,
                [(p.dimensions[axes[0]].percent, p.dimensions[axes[1]].percent) for p in visible],
                str(team.public_id),
                [p.round.period.month(zone_name) for p in visible],
            )
        ],
        targets=targets,
        who=f"{team.name} is the dot at its latest round,",
    )


def _change(team: TeamRow) -> str:
    return design.change_html(team.change, team.first_quarter)


VERSION_CHANGE = "Compares two question sets (bank versions): not progress alone"


def _team_change(team: TeamRow) -> str:
    """The change in the period, and under it the two question sets when it spans both."""
    change = _change(team)
    if not team.crosses_versions or team.change is None:
        return change
    return (
        f'{change}<div class="small text-body-secondary version-change" title="{VERSION_CHANGE}">'
        f"{escape(team.first_bank)} → {escape(team.bank)}</div>"
    )


def team_options(teams: list[TeamRow]) -> SafeString:
    """The grid's "Highlight a team" options: "All teams", then each team by its public id
    (written out here, not by a template loop: at 1,000 teams that loop was a tenth of a cold
    dashboard)."""
    return mark_safe(  # every name escaped
        '<option value="">All teams</option>'
        + "".join(f'<option value="{escape(t.public_id)}">{escape(t.name)}</option>' for t in teams)
    )


def team_names_html(names, escaped: dict[str, str]) -> SafeString:
    """Team names, comma-separated, each escaped once per page: `escaped` keeps them, as the
    organization patterns list the same few hundred teams again and again."""
    parts = []
    for name in names:
        text = escaped.get(name)
        if text is None:
            text = escaped[name] = escape(name)
        parts.append(text)
    return mark_safe(", ".join(parts))


def target_text(gap) -> str:
    """A dimension's target on the dashboard, from `targets.target_gap`: "met", "gap 12 pp", with
    its due date, and "overdue" once that has passed unmet."""
    due = f"{'overdue since' if gap.overdue else 'due'} {gap.target.due_text}"
    return f"{gap.text} · {due}"


def _target_cell(team: TeamRow, dimensions, gaps: dict) -> str:
    """The Target column of one team: a line per dimension with a target."""
    lines = [
        f'<div class="{"text-danger-emphasis fw-semibold" if gap.overdue else ""}">'
        f"{escape(name)}: {escape(target_text(gap))}</div>"
        for key, name in dimensions
        if (gap := gaps.get(key))
    ]
    return f'<td class="small targets" data-label="Target">{"".join(lines) or NO_VALUE}</td>'


def _team_rows(
    teams: list[TeamRow],
    organization_slug: str | None,
    gaps: dict | None = None,
    dimensions=(),
) -> SafeString:
    """One table row per team, written out directly (a format_html per cell and per team was a
    sixth of the page's time at 300 teams). Every text from the data is escaped; a cell's HTML
    is built once per (level, percentage, level name), which repeat across teams."""
    # One reverse() for all rows: only the team's id differs. Without a slug (the PDF, where a
    # relative link leads nowhere) the name is plain text.
    marker = "00000000-0000-0000-0000-000000000000"
    history = (
        escape(reverse("scoring:team_history", args=[organization_slug, marker]))
        if organization_slug
        else None
    )
    cells: dict[tuple, str] = {}
    texts: dict[str, str] = {}  # escaped round titles and totals, which repeat across teams

    def text(value: str) -> str:
        if value not in texts:
            texts[value] = escape(value)
        return texts[value]

    # Each cell names its column (data-label): on a phone a row is a card, a cell a line.
    labels = [escape(name) for _, name in dimensions]  # as many as a team's ordered cells

    def cell(cell: Cell | None, label: str) -> str:
        if cell is None:
            return f'<td class="" data-label="{label}">{NO_VALUE}</td>'
        key = (cell.level_number, cell.percent, cell.level_name, label)
        if key not in cells:
            cells[key] = (
                f'<td class="heat-{cell.level_number}" data-label="{label}">'
                f"{percent_text(cell.percent)} · {escape(cell.level_name)}</td>"
            )
        return cells[key]

    rows = []
    for team in teams:
        name = escape(team.name)
        if history is not None:
            name = f'<a href="{history.replace(marker, team.public_id)}">{name}</a>'
        total = team.total
        rows.append(
            f'<tr><th scope="row">{name}<div class="small text-body-secondary fw-normal">'
            f"{text(team.round_title)}</div></th>"
            f"{''.join(cell(c, labels[i]) for i, c in enumerate(team.ordered_cells))}"
            f'<td class="heat-{total.level_number if total else ""} fw-semibold" '
            f'data-label="Total">'
            f"{text(f'{percent_text(total.percent)} · {total.level_name}') if total else ''}"
            f"</td>{_target_cell(team, dimensions, gaps.get(team.team_id, {})) if gaps else ''}"
            f'<td class="text-end change" data-label="Change">{_team_change(team)}</td></tr>'
        )
    return mark_safe("\n".join(rows))


# How the heat map may be sorted (the dashboard's "Sort teams by"), the default first.
SORTS = [
    ("name", "Name"),
    ("total", "Total, highest first"),
    ("change", "Change, biggest rise first"),
    ("gap", "Gap to target, largest first"),
]


def _gap_to_target(gaps: dict | None, team: TeamRow) -> Decimal:
    """A team's gaps to its targets added over the dimensions (0 when all are met or none)."""
    return sum((gap.gap for gap in (gaps or {}).get(team.team_id, {}).values()), Decimal(0))


def sorted_teams(teams: list[TeamRow], sort: str, gaps: dict | None = None) -> list[TeamRow]:
    """The teams in the heat map's order (`SORTS`); by name within a tie, teams without a
    value last."""
    by_name = sorted(teams, key=lambda t: t.name.lower())
    if sort == "total":
        return sorted(by_name, key=lambda t: -t.total.percent if t.total else 1)
    if sort == "change":
        return sorted(by_name, key=lambda t: -t.change if t.change is not None else 1000)
    if sort == "gap":
        return sorted(by_name, key=lambda t: -_gap_to_target(gaps, t))
    return by_name


def heatmap(
    data: Dashboard,
    *,
    organization_slug: str | None = None,
    gaps: dict | None = None,
    sort: str = "name",
) -> SafeString:
    """The teams-by-dimensions table: per team (300 and more in a large organization, hence
    Python rather than a template loop) its latest round, a cell per dimension (share of the
    maximum and level, coloured by level), the total and the change in the period. With
    `organization_slug` each team's name links to its history (the page; not the PDF). With
    `gaps` (team id → dimension key → `targets.TargetGap`, any of them) a Target column says
    per dimension met or the gap in pp, and the due date (overdue marked). `sort` is one of
    `SORTS`."""
    gaps = gaps if gaps and any(gaps.values()) else None
    head = format_html_join("", '<th scope="col">{}</th>', ((name,) for _, name in data.dimensions))
    target_head = mark_safe('<th scope="col">Target</th>') if gaps else ""
    return format_html(
        '<table class="table align-middle heatmap">'
        "<caption>Each team's latest closed round: score as a share of the maximum and level, "
        "per dimension; change in the total, in percentage points (pp), since the quarter of "
        "the team's first round in the period (with two bank versions under it when those "
        "rounds are on different question sets, so it is not progress alone).</caption>"
        '<thead><tr><th scope="col">Team</th>{}<th scope="col">Total</th>{}'
        '<th scope="col" class="text-end">Change</th></tr></thead>'
        "<tbody>\n{}\n</tbody></table>",
        head,
        target_head,
        _team_rows(sorted_teams(data.teams, sort, gaps), organization_slug, gaps, data.dimensions),
    )
