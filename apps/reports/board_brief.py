"""What the board brief says: the organization on two A4 pages, from the dashboard's data.

Page 1: where the teams stand (the heat map in level colours with level names) and the maturity
grid. Page 2: the trend by quarter. The figures are the dashboard's own (`figures`), built from
`executive_dashboard` over all of the organization's history. Each part is its own context
key, built by its own function; the template shows a part only when its key is there.
"""

from dataclasses import dataclass, replace

from django.utils.safestring import SafeString

from apps.reports.offer import ReportUnavailable, organization_unavailable
from apps.scoring import figures
from apps.scoring.dashboard import Dashboard, TeamRow, executive_dashboard

# Teams the heat map lists on the brief's first page; a larger organization's brief lists the
# teams with the lowest totals (those a board asks about) and says how many it leaves out.
MAX_HEATMAP_TEAMS = 14


@dataclass(frozen=True)
class Standing:
    """Page 1: the headline counts, the heat map and the grid."""

    data: Dashboard
    heatmap: SafeString
    listed: int  # teams in the heat map
    grid: SafeString | None

    @property
    def left_out(self) -> int:
        return len(self.data.teams) - self.listed

    @property
    def levels(self) -> str:
        """How many teams are at each level now: "2 at Initial, 3 at Managed"."""
        return ", ".join(f"{count} at {name}" for _, name, count in self.data.level_counts if count)

    @property
    def version_changes(self) -> list[str]:
        """The question-set changes ("llmops v1 → llmops v2") behind teams' unranked changes."""
        return list(dict.fromkeys(f"{t.first_bank} → {t.bank}" for t in self.data.version_changes))


def _listed(teams: list[TeamRow]) -> list[TeamRow]:
    if len(teams) <= MAX_HEATMAP_TEAMS:
        return teams
    lowest = sorted(teams, key=lambda t: (t.total.percent if t.total else -1, t.name))
    return sorted(lowest[:MAX_HEATMAP_TEAMS], key=lambda t: t.name)


def standing(data: Dashboard) -> Standing:
    listed = _listed(data.teams)
    return Standing(
        data=data,
        heatmap=figures.heatmap(replace(data, teams=listed)),
        listed=len(listed),
        grid=figures.maturity_grid(data),
    )


def board_brief(organization) -> dict:
    data = executive_dashboard(organization)
    reason = organization_unavailable(bool(data.teams))
    if reason:
        raise ReportUnavailable(reason)
    return {
        "kind_label": "Board brief",
        "heading": organization.name,
        "subheading": "Maturity across teams",
        "standing": standing(data),
        "trend_chart": figures.trend_chart(organization.name, data),
        "trend": data.trend,
        "dimensions": data.dimensions,
    }
