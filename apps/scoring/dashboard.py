"""The executive dashboard: every team per dimension, the trend, the spread and the movers.

One query reads every team aggregate of the period; only rounds whose results may be seen
(`Round.objects.results_visible()`: closed, at or above their threshold) count.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from apps.core.dates import quarter_of
from apps.organizations.models import Team
from apps.scoring.calculations import percent
from apps.scoring.charts import GRID_AXES, Band
from apps.scoring.models import TeamScore
from apps.scoring.selectors import bank_version_label
from apps.surveys.models import Dimension, Level, Round, RoundStatus
from apps.surveys.models.rounds import round_closed_moment


@dataclass(frozen=True)
class Cell:
    percent: Decimal
    level_number: int
    level_name: str


@dataclass
class TeamRow:
    team_id: int
    public_id: str
    name: str
    round_title: str
    closed: dt.datetime
    bank: str  # of the latest round: "llmops v2"
    cells: dict[str, Cell] = field(default_factory=dict)  # by dimension key, and "total"
    trail: list[tuple[Decimal, Decimal]] = field(
        default_factory=list
    )  # (app %, ops %) oldest first
    first_total: Decimal | None = None
    first_bank: str | None = None  # the bank of the round `first_total` comes from

    # The cells in the dashboard's dimension order, so the template needs no lookups.
    ordered_cells: list[Cell | None] = field(default_factory=list)

    @property
    def total(self) -> Cell | None:
        return self.cells.get("total")

    @property
    def change(self) -> Decimal | None:
        if self.total is None or self.first_total is None:
            return None
        return self.total.percent - self.first_total

    @property
    def crosses_versions(self) -> bool:
        """The change compares rounds on two question sets (bank versions): not progress alone."""
        return self.first_bank is not None and self.first_bank != self.bank


@dataclass
class Dashboard:
    teams: list[TeamRow]
    dimensions: list[tuple[str, str]]  # (key, name) in bank order
    trend: list[tuple[str, dict[str, Decimal]]]  # (quarter label, mean % by dimension key)
    level_counts: list[tuple[int, str, int]]  # (level number, name, teams at it now)
    hidden_rounds: int  # rounds in the period that stayed under their threshold
    bands: list[Band] = field(default_factory=list)  # level thresholds of the latest bank, in %
    # Where a question set (bank version) is first used in the period: (index into `trend`,
    # bank label), so a step in the trend there is not read as progress alone.
    markers: list[tuple[int, str]] = field(default_factory=list)

    def _movers(self) -> list[TeamRow]:
        # A change across two question sets is not a move: those teams are listed apart.
        return [t for t in self.teams if t.change is not None and not t.crosses_versions]

    @property
    def improvers(self) -> list[TeamRow]:
        moved = [t for t in self._movers() if t.change > 0]
        return sorted(moved, key=lambda t: t.change, reverse=True)[:3]

    @property
    def decliners(self) -> list[TeamRow]:
        moved = [t for t in self._movers() if t.change < 0]
        return sorted(moved, key=lambda t: t.change)[:3]

    @property
    def version_changes(self) -> list[TeamRow]:
        """Teams whose change in the period spans a new question set, by name."""
        return [t for t in self.teams if t.change is not None and t.crosses_versions]


def executive_dashboard(
    organization, *, since: dt.datetime | None = None, team_ids=None
) -> Dashboard:
    """The dashboard's data in six queries, whatever the number of teams and rounds."""
    scores = TeamScore.objects.filter(
        round__team__organization=organization,
        round__team__archived_at__isnull=True,
        round__status=RoundStatus.CLOSED,
    )
    if since is not None:
        scores = scores.alias(closed=round_closed_moment("round__")).filter(closed__gte=since)
    if team_ids:
        scores = scores.filter(round__team_id__in=team_ids)
    # The threshold rule in SQL: Round.objects.results_visible() (see Round.results_visible).
    visible_rounds = Round.objects.filter(team__organization=organization).results_visible()
    hidden = scores.filter(dimension__isnull=True).exclude(round__in=visible_rounds).count()
    rows = (
        scores.filter(round__in=visible_rounds)
        .order_by(round_closed_moment("round__"), "round_id")
        .values_list(
            "round_id",
            "round__team_id",
            round_closed_moment("round__"),
            "round__bank_id",
            "round__bank__slug",
            "round__bank__version",
            "dimension_id",
            "mean",
            "max_points",
            "level_number",
            "level_name",
        )
    )
    # Rounds oldest first, each with its cells by dimension id (None: the total).
    rounds: dict[int, tuple[int, dt.datetime, int, dict]] = {}
    bank_maximum: dict[int, Decimal] = {}
    bank_label: dict[int, str] = {}
    for row in rows:
        round_id, team_id, closed, bank_id, slug, version, dimension_id = row[:7]
        mean, maximum, number, name = row[7:]
        cells = rounds.setdefault(round_id, (team_id, closed, bank_id, {}))[3]
        cells[dimension_id] = Cell(percent(mean, maximum), number, name)
        bank_label[bank_id] = bank_version_label(slug, version)
        if dimension_id is None:
            bank_maximum[bank_id] = maximum
    dimension_info = {
        pk: (key, name, order)
        for pk, key, name, order in Dimension.objects.filter(bank_id__in=bank_maximum).values_list(
            "pk", "key", "name", "order"
        )
    }

    def key_of(dimension_id) -> str:
        return "total" if dimension_id is None else dimension_info[dimension_id][0]

    latest: dict[int, int] = {}
    first_total: dict[int, Decimal] = {}
    first_bank: dict[int, str] = {}
    trails: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    by_quarter: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    new_banks: dict[str, list[str]] = defaultdict(list)  # quarter: banks first used in it
    seen_banks: set[int] = set()
    for round_id, (team_id, closed, bank_id, cells) in rounds.items():
        by_key = {key_of(dimension_id): cell for dimension_id, cell in cells.items()}
        quarter = quarter_of(closed, organization.time_zone)
        latest[team_id] = round_id
        if seen_banks and bank_id not in seen_banks:
            new_banks[quarter].append(bank_label[bank_id])
        seen_banks.add(bank_id)
        if "total" in by_key:
            first_total.setdefault(team_id, by_key["total"].percent)
            first_bank.setdefault(team_id, bank_label[bank_id])
        if all(key in by_key for key in GRID_AXES):
            trails[team_id].append(tuple(by_key[key].percent for key in GRID_AXES))
        for key, cell in by_key.items():
            by_quarter[quarter][key].append(cell.percent)
    team_info = {
        pk: (str(public_id), name)
        for pk, public_id, name in Team.objects.filter(pk__in=latest).values_list(
            "pk", "public_id", "name"
        )
    }
    round_info = {
        pk: (title, bank_version_label(slug, version))
        for pk, title, slug, version in Round.objects.filter(pk__in=latest.values()).values_list(
            "pk", "title", "bank__slug", "bank__version"
        )
    }
    teams = []
    for team_id, round_id in latest.items():
        _, closed, _, cells = rounds[round_id]
        public_id, team_name = team_info[team_id]
        title, bank = round_info[round_id]
        teams.append(
            TeamRow(
                team_id,
                public_id,
                team_name,
                title,
                closed,
                bank,
                cells={key_of(d): cell for d, cell in cells.items()},
                trail=trails[team_id],
                first_total=first_total.get(team_id),
                first_bank=first_bank.get(team_id),
            )
        )
    dimension_keys = {info[0]: (info[2], info[1]) for info in dimension_info.values()}
    ordered_keys = [key for key, _ in sorted(dimension_keys.items(), key=lambda item: item[1][0])]
    for row in teams:  # for the template: no lookups per cell
        row.ordered_cells = [row.cells.get(key) for key in ordered_keys]
    latest_bank = rounds[next(reversed(rounds))][2] if rounds else None
    level_rows = list(
        Level.objects.filter(bank_id__in=bank_maximum)
        .order_by("number")
        .values_list("bank_id", "number", "name", "min_score")
    )
    now_counts = defaultdict(int)
    for row in teams:
        if row.total:
            now_counts[row.total.level_number] += 1
    trend = [
        # The mean of the teams' percentages, rounded as every percentage is.
        (quarter, {key: percent(sum(v), 100 * len(v)) for key, v in per_key.items()})
        for quarter, per_key in by_quarter.items()
    ]
    markers = [
        (index, ", ".join(new_banks[quarter]))
        for index, (quarter, _) in enumerate(trend)
        if quarter in new_banks
    ]
    return Dashboard(
        teams=sorted(teams, key=lambda t: t.name),
        dimensions=[(key, dimension_keys[key][1]) for key in ordered_keys],
        trend=trend,
        level_counts=[
            (number, name, now_counts[number])
            for number, name in dict((n, nm) for _, n, nm, _ in level_rows).items()
        ],
        hidden_rounds=hidden,
        bands=[
            Band(name, float(percent(min_score, bank_maximum[bank_id])))
            for bank_id, _, name, min_score in level_rows
            if bank_id == latest_bank and min_score > 0
        ],
        markers=markers,
    )
