"""The dashboard's heat map rows, rendered in Python: one row per team (300 and more in a large
organization), where a template loop cost more than the queries behind it."""

from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from apps.scoring.dashboard import Cell, TeamRow

NO_VALUE = "\u2013"  # an en dash, as on the other pages


def _cell(cell: Cell | None) -> SafeString:
    if cell is None:
        return mark_safe(f'<td class="">{NO_VALUE}</td>')
    return format_html('<td class="heat-{}">{}</td>', cell.level_number, cell.label)


def _change(change: Decimal | None) -> str:
    if change is None:
        return NO_VALUE
    return f"{'+' if change > 0 else ''}{floatformat(change, 0)} pts"


def heatmap_rows(teams: list[TeamRow], organization_slug: str) -> SafeString:
    """The `<tr>` of every team: name linking to its history, its latest round, a cell per
    dimension (share of the maximum and level), the total and the change in the period."""
    # One reverse() for all rows: only the team's id differs.
    marker = "00000000-0000-0000-0000-000000000000"
    history = reverse("scoring:team_history", args=[organization_slug, marker])
    return format_html_join(
        "\n",
        '<tr><th scope="row"><a href="{}">{}</a><div class="small text-body-secondary fw-normal">'
        '{}</div></th>{}<td class="heat-{} fw-semibold">{}</td><td class="text-end">{}</td></tr>',
        (
            (
                history.replace(marker, str(team.public_id)),
                team.name,
                team.round_title,
                mark_safe("".join(_cell(cell) for cell in team.ordered_cells)),
                team.total.level_number if team.total else "",
                team.total.label if team.total else "",
                _change(team.change),
            )
            for team in teams
        ),
    )
