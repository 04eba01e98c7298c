"""What the board brief says: the organization on two A4 pages, from the dashboard's data.

Page 1: where the teams stand (the heat map in level colours with level names, the targets) and
the maturity grid. Page 2: the trend by quarter, the top three organization patterns (practices
weak across teams, `patterns.organization_patterns`) each with the bank's recommendation, and
the plans' progress (actions open, done and overdue per team, by the plans' own rules). The
figures are the dashboard's own (`figures`), built from `executive_dashboard` over all of the
organization's history. Each part is its own context key, built by its own function; what does
not fit two pages is counted and said where to find it.
"""

import datetime as dt
from dataclasses import dataclass, fields, replace

from django.db.models import Count, Q
from django.utils.safestring import SafeString

from apps.plans.models import OPEN_STATUSES, Action, ActionStatus, overdue_condition
from apps.plans.selectors import PlanSummary
from apps.reports.offer import ReportUnavailable, organization_unavailable
from apps.scoring import figures, targets
from apps.scoring.dashboard import Dashboard, TeamRow, executive_dashboard
from apps.scoring.patterns import latest_visible_rounds, organization_patterns

# Teams the heat map lists on the brief's first page (a team and its targets take two to three
# lines, and the grid follows); a larger organization's brief lists the teams with the lowest
# totals (those a board asks about) and says how many it leaves out.
MAX_HEATMAP_TEAMS = 8
MAX_PLAN_ROWS = 6  # teams in the plan progress table: the most overdue first
TREND_QUARTERS = 4  # quarters in the table under the trend chart (the chart has them all)
MAX_PATTERN_TEAMS = 6  # team names under a pattern
TOP_PATTERNS = 3


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


def standing(organization, data: Dashboard) -> Standing:
    """The heat map with each listed team's targets (met, or the gap in pp, and the date), as
    the dashboard shows them (`targets.round_gaps` over each team's latest visible round), and
    the grid with the organization's target zone."""
    listed = _listed(data.teams)
    shown = {team.team_id for team in data.teams}
    rounds = {
        team_id: round_id
        for round_id, team_id in latest_visible_rounds(organization).items()
        if team_id in shown
    }
    gaps = targets.round_gaps(organization, rounds)
    zone = gaps.defaults_for(sorted({slug for slug, _ in gaps.defaults}))
    return Standing(
        data=data,
        heatmap=figures.heatmap(replace(data, teams=listed), gaps=gaps.by_team),
        listed=len(listed),
        grid=figures.maturity_grid(data, targets=zone),
    )


@dataclass(frozen=True)
class PlanProgress:
    """Page 2: per team (and for the organization's own actions) its plan's counts, the teams
    with the most overdue first; the total over all of them."""

    rows: list[tuple[str, PlanSummary]]  # (team name, or "" for organization-level actions)
    more: int  # teams left out of `rows`
    total: PlanSummary


def plan_progress(organization, *, today: dt.date) -> PlanProgress:
    """The plans' counts per team in one query (`plan_summary`'s counts, grouped): open,
    doing, done, dropped, overdue (`overdue_condition`, the plans' rule) and due today."""
    grouped = (
        Action.objects.filter(organization=organization)
        .filter(Q(team__isnull=True) | Q(team__archived_at__isnull=True))
        .values("team_id", "team__name")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            doing=Count("pk", filter=Q(status=ActionStatus.DOING)),
            done=Count("pk", filter=Q(status=ActionStatus.DONE)),
            dropped=Count("pk", filter=Q(status=ActionStatus.DROPPED)),
            overdue=Count("pk", filter=overdue_condition(today)),
            due_today=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date=today)),
        )
        .order_by()
    )
    names = [f.name for f in fields(PlanSummary)]
    rows = [
        (row["team__name"] or "", PlanSummary(**{name: row[name] for name in names}))
        for row in grouped
    ]
    rows.sort(key=lambda item: (-item[1].overdue, -item[1].open, item[0] == "", item[0]))
    total = PlanSummary(**{name: sum(getattr(s, name) for _, s in rows) for name in names})
    return PlanProgress(
        rows=rows[:MAX_PLAN_ROWS], more=max(len(rows) - MAX_PLAN_ROWS, 0), total=total
    )


def default_targets(organization) -> list[tuple[str, str, object]]:
    """The organization's default targets: (bank title, dimension name, `DimensionTargets`),
    as its Targets page lists them."""
    return [
        (bank.title, dimension.name, dimension)
        for bank, dimensions in targets.target_page(organization)
        for dimension in dimensions
        if dimension.default is not None
    ]


def board_brief(organization, *, today) -> dict:
    data = executive_dashboard(organization)
    reason = organization_unavailable(bool(data.teams))
    if reason:
        raise ReportUnavailable(reason)
    return {
        "kind_label": "Board brief",
        "heading": organization.name,
        "subheading": "Maturity across teams",
        "standing": standing(organization, data),
        "trend_chart": figures.trend_chart(organization.name, data),
        "trend": data.trend[-TREND_QUARTERS:],
        "trend_span": " to ".join(dict.fromkeys([data.trend[0][0], data.trend[-1][0]]))
        if data.trend
        else "",
        "trend_markers": [
            (index - max(len(data.trend) - TREND_QUARTERS, 0), bank) for index, bank in data.markers
        ],
        "dimensions": data.dimensions,
        "patterns": [
            (
                pattern,
                pattern.weak_teams[:MAX_PATTERN_TEAMS],
                pattern.weak_count - MAX_PATTERN_TEAMS,
            )
            for pattern in organization_patterns(organization, limit=TOP_PATTERNS)
        ],
        "plans": plan_progress(organization, today=today),
        "default_targets": default_targets(organization),
    }
