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

from apps.scoring import charts
from apps.scoring.bands import bank_bands
from apps.scoring.dashboard import Cell, Dashboard, TeamRow
from apps.scoring.selectors import HistoryPoint, QuestionRow, RoundResult, chart_bands

NO_VALUE = "\u2013"  # an en dash, as on the other pages
TOTAL = ("total", "Total")


def percent_text(value: Decimal) -> str:
    """A percentage from `calculations.percent` (already rounded, once) as the figures print it."""
    return f"{value}%"


def round_chart(result: RoundResult) -> SafeString:
    """A visible round result: a bar per dimension and the total, over the level bands."""
    return charts.bar_chart(
        ident="round-chart",
        title=f"{result.round.team.name}: score per dimension",
        description="Team average per dimension and in total as a share of the maximum, over "
        "the level bands. The table with the chart gives the same numbers.",
        rows=[
            (row.name, row.percent, row.level_name) for row in [*result.dimensions, result.total]
        ],
        bands=chart_bands(result.bands, result.total.max_points),
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
    return charts.distribution_bar(
        ident=f"question-{slugify(row.code)}",
        title=f"{row.code}: how many chose each answer",
        description=f"How many chose each answer, options from the lowest level to the highest: "
        f"{counted}.{''.join(f' {text}.' for text in findings)}",
        options=options,
        aside=aside,
        mark=" · ".join(findings) or None,
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

    return charts.line_chart(
        ident="history-chart",
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
    return charts.line_chart(
        ident="trend-chart",
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


def maturity_grid(data: Dashboard, *, targets: dict | None = None) -> SafeString | None:
    """Each team at its latest (application, operational) score with its trail; None without
    teams or when the bank's dimensions have no grid (`charts.grid_axes`). `targets` (dimension
    key → `targets.EffectiveTarget`: the organization's defaults) shades the target zone where
    both axes' thresholds are met, when both have one."""
    if not data.teams or charts.grid_axes([key for key, _ in data.dimensions]) is None:
        return None
    x_target, y_target = ((targets or {}).get(key) for key in charts.GRID_AXES)
    zone = (x_target.threshold, y_target.threshold) if x_target and y_target else None
    return charts.maturity_grid(
        ident="maturity-grid",
        title="Maturity grid: application against operational maturity",
        description="Each team is a dot at its latest application and operational score, with a "
        "line through its earlier rounds. The teams and dimensions table gives the same numbers."
        + (
            f" The shaded target zone is where both targets are met: application from "
            f"{percent_text(zone[0])} ({x_target.level_name}), operational from "
            f"{percent_text(zone[1])} ({y_target.level_name})."
            if zone
            else ""
        ),
        x_name="Application maturity",
        y_name="Operational maturity",
        bands=data.bands,
        teams=[(team.name, team.trail) for team in data.teams],
        zone=zone,
    )


def _change(change: Decimal | None) -> str:
    if change is None:
        return NO_VALUE
    return f"{'+' if change > 0 else ''}{change} pts"


VERSION_CHANGE = "Compares two question sets (bank versions): not progress alone"


def _team_change(team: TeamRow) -> str:
    """The change in the period, and under it the two question sets when it spans both."""
    change = _change(team.change)  # a number, a sign, "pts" or a dash: nothing to escape
    if not team.crosses_versions or team.change is None:
        return change
    return (
        f'{change}<div class="small text-body-secondary version-change" title="{VERSION_CHANGE}">'
        f"{escape(team.first_bank)} → {escape(team.bank)}</div>"
    )


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
    return f'<td class="small targets">{"".join(lines) or NO_VALUE}</td>'


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

    def cell(cell: Cell | None) -> str:
        if cell is None:
            return f'<td class="">{NO_VALUE}</td>'
        key = (cell.level_number, cell.percent, cell.level_name)
        if key not in cells:
            cells[key] = (
                f'<td class="heat-{cell.level_number}">{percent_text(cell.percent)} · '
                f"{escape(cell.level_name)}</td>"
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
            f"{''.join(cell(c) for c in team.ordered_cells)}"
            f'<td class="heat-{total.level_number if total else ""} fw-semibold">'
            f"{text(f'{percent_text(total.percent)} · {total.level_name}') if total else ''}"
            f"</td>{_target_cell(team, dimensions, gaps.get(team.team_id, {})) if gaps else ''}"
            f'<td class="text-end">{_team_change(team)}</td></tr>'
        )
    return mark_safe("\n".join(rows))


def heatmap(
    data: Dashboard, *, organization_slug: str | None = None, gaps: dict | None = None
) -> SafeString:
    """The teams-by-dimensions table: per team (300 and more in a large organization, hence
    Python rather than a template loop) its latest round, a cell per dimension (share of the
    maximum and level, coloured by level), the total and the change in the period. With
    `organization_slug` each team's name links to its history (the page; not the PDF). With
    `gaps` (team id → dimension key → `targets.TargetGap`, any of them) a Target column says
    per dimension met or the gap in pp, and the due date (overdue marked)."""
    gaps = gaps if gaps and any(gaps.values()) else None
    head = format_html_join("", '<th scope="col">{}</th>', ((name,) for _, name in data.dimensions))
    target_head = mark_safe('<th scope="col">Target</th>') if gaps else ""
    return format_html(
        '<table class="table align-middle heatmap">'
        "<caption>Each team's latest closed round: score as a share of the maximum and level, "
        "per dimension; change in the total since the team's first round in the period (with "
        "two bank versions under it when those rounds are on different question sets, so it "
        "is not progress alone).</caption>"
        '<thead><tr><th scope="col">Team</th>{}<th scope="col">Total</th>{}'
        '<th scope="col" class="text-end">Change</th></tr></thead>'
        "<tbody>\n{}\n</tbody></table>",
        head,
        target_head,
        _team_rows(data.teams, organization_slug, gaps, data.dimensions),
    )
