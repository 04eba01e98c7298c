"""The executive dashboard: every team per dimension, the trend, the spread and the movers.

Only rounds whose results may be seen (`Round.objects.results_visible()`: closed, at or above
their threshold) count. The database does the per-row work: each aggregate's percentage
(`percent_sql`, the SQL twin of `calculations.percent`) and each round's quarter
(`closing_quarter_sql`, the twin of `dates.quarter_of`), so that Python is left with one pass
over small integers: the trend's sums, each team's newest cells, first total and trail, each
bank's first quarter. The rows carry a round's visibility, quarter, title and close once, on its
total row.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    ExtractQuarter,
    ExtractYear,
    Round,
)

from apps.organizations.models import Team
from apps.scoring.calculations import percent
from apps.scoring.charts import Band, grid_axes
from apps.scoring.models import TeamScore
from apps.scoring.selectors import bank_version_label
from apps.surveys.models import Dimension, Level, RoundStatus
from apps.surveys.models import Round as SurveyRound
from apps.surveys.models.rounds import round_closed_moment


class Cell(NamedTuple):  # a tuple: thousands are made per view, and many are alike
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
    )  # (x %, y %) on the grid's two dimensions (`charts.grid_axes`), oldest first
    first_total: Decimal | None = None
    first_bank: str | None = None  # the bank of the round `first_total` comes from
    first_quarter: str | None = None  # when that round closed: "Q2 2026" (a change's basis)
    round_id: int | None = None  # the latest round's, whose cells these are

    # The cells in the dashboard's dimension order, so the template needs no lookups.
    ordered_cells: list[Cell | None] = field(default_factory=list)

    @property
    def total(self) -> Cell | None:
        return self.cells.get("total")

    @cached_property  # read several times per team by the page's lists
    def change(self) -> Decimal | None:
        if self.total is None or self.first_total is None:
            return None
        return self.total.percent - self.first_total

    @cached_property
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
    # With neither a period nor a team filter: each active team's latest visible round,
    # {team id: (round id, bank id, team name)}, as `patterns.organization_patterns` reads it.
    latest_rounds: dict[int, tuple[int, int, str]] | None = None

    def _movers(self) -> list[TeamRow]:
        # A change across two question sets is not a move: those teams are listed apart.
        return [t for t in self.teams if t.change is not None and not t.crosses_versions]

    @cached_property
    def improvers(self) -> list[TeamRow]:
        moved = [t for t in self._movers() if t.change > 0]
        return sorted(moved, key=lambda t: t.change, reverse=True)[:3]

    @cached_property
    def decliners(self) -> list[TeamRow]:
        moved = [t for t in self._movers() if t.change < 0]
        return sorted(moved, key=lambda t: t.change)[:3]

    @cached_property
    def version_changes(self) -> list[TeamRow]:
        """Teams whose change in the period spans a new question set, by name."""
        return [t for t in self.teams if t.change is not None and t.crosses_versions]


def percent_sql(score: str, maximum: str):
    """`calculations.percent(score, maximum)` in SQL, for two columns with two decimal places:
    the whole percentage rounded half up (17.50 of 28 is 63), 0 for a zero maximum, NULL for a
    NULL score. The one rounding rule, computed in the database where a query needs thousands of
    them; tests/support/dashboard_sql.py checks it against `percent` on every half-way value
    and at random, on PostgreSQL and SQLite.

    Exact on both backends. PostgreSQL divides exact decimals: score * 100 / maximum, with at
    least 16 significant digits, is exactly k.5 when the percentage is half-way and otherwise
    at least 1 / (2 * maximum in hundredths) away from it, so ROUND (half away from zero, the
    same as half up here) rounds it as `percent` does. SQLite keeps 23.33 as a float
    (2332.9999…), so there it is integer arithmetic on the values in hundredths a and b (each
    rounded before its cast, as a cast alone would truncate): floor((200a + b) / 2b).
    """
    if connection.vendor == "postgresql":
        rounded = Round(F(score) * 100 / F(maximum))
    else:

        def hundredths(name: str):
            return Cast(Round(F(name) * 100), BigIntegerField())

        a, b = hundredths(score), hundredths(maximum)
        rounded = ExpressionWrapper((200 * a + b) / (2 * b), output_field=BigIntegerField())
    return Case(
        When(**{maximum: 0}, then=Value(0)),
        default=Cast(rounded, BigIntegerField()),
        output_field=BigIntegerField(),
    )


def closing_quarter_sql(moment, time_zone: str):
    """`dates.quarter_of` in SQL, as one integer (the year times 10 plus the quarter: 20264;
    `quarter_label` names it): the quarter of the closing day in `time_zone`, where a close at
    local midnight ends the day before (the instant a microsecond earlier is on the closing day
    either way). tests/support/dashboard_sql.py checks it against `quarter_of` at midnights,
    microseconds either side and daylight-saving changes, on PostgreSQL and SQLite.

    PostgreSQL formats it in one call (to_char); its EXTRACT gives exact decimals, several
    times slower over thousands of rows. Elsewhere Django's extracts in the zone.
    """
    day = ExpressionWrapper(moment - dt.timedelta(microseconds=1), output_field=DateTimeField())
    if connection.vendor == "postgresql":
        local = Func(Value(time_zone), day, function="timezone", output_field=DateTimeField())
        quarter = Func(local, Value("YYYYQ"), function="to_char", output_field=CharField())
    else:
        zone = zoneinfo.ZoneInfo(time_zone)
        quarter = ExtractYear(day, tzinfo=zone) * 10 + ExtractQuarter(day, tzinfo=zone)
    return Cast(quarter, IntegerField())


def quarter_label(index: int) -> str:
    """A quarter from `closing_quarter_sql` as `dates.quarter_of` names it: "Q4 2026"."""
    return f"Q{index % 10} {index // 10}"


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NUMBER, VALUE = 2, 3  # in the dashboard's rows: the level and the percentage


def _moment_sql(moment):
    """A moment to read thousands of: on PostgreSQL as whole microseconds since the epoch (an
    integer is read several times faster than a timestamp, which Django's loader converts in
    Python); elsewhere as it is. `_moment` reads either back."""
    if connection.vendor == "postgresql":
        seconds = Func(moment, template="EXTRACT(EPOCH FROM %(expressions)s)")
        return _Integer(Cast(seconds * 1_000_000, BigIntegerField()))
    return moment


def _moment(value) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value) if isinstance(value, int) else value


class _Integer(ExpressionWrapper):
    """An integer expression whose value the database driver already gives as an int (both
    backends): read without Django's per-value conversion, which over thousands of rows costs
    more than the query."""

    def __init__(self, expression):
        super().__init__(expression, output_field=BigIntegerField())

    @property
    def convert_value(self):
        return self._convert_value_noop


def executive_dashboard(
    organization, *, since: dt.datetime | None = None, team_ids=None
) -> Dashboard:
    """The dashboard's data in four queries, whatever the number of teams and rounds.

    One scan reads every team aggregate of the period, a round's rows together and its total
    first, as a few integers (round, dimension, level, percentage; on the total row also
    whether the round may be seen, its team, bank, quarter and close, and its title). A level
    is named as its bank names it.
    """
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
    visible_rounds = SurveyRound.objects.filter(team__organization=organization).results_visible()
    total_row = Q(dimension__isnull=True)

    def per_round(expression, output_field=None):
        # Once per round, on its total row (which every round with results has; read first).
        return Case(When(total_row, then=expression), output_field=output_field)

    rows = (
        scores.annotate(
            moment=round_closed_moment("round__"),
            percent=_Integer(percent_sql("mean", "max_points")),
            visible=per_round(Q(round__in=visible_rounds), BooleanField()),
            team=_Integer(per_round(F("round__team_id"))),
            bank=_Integer(per_round(F("round__bank_id"))),
            quarter=_Integer(per_round(closing_quarter_sql(F("moment"), organization.time_zone))),
            title=per_round(F("round__title")),
            round_closed=_moment_sql(per_round(F("moment"))),
        )
        # A round's rows together, its total first; sorting by the closing moment here would
        # cost more than sorting the rounds below.
        .order_by("round_id", F("dimension_id").asc(nulls_first=True))
        .values_list(  # as Django selects them (fields, then annotations): no reordering
            # (NUMBER and VALUE are the places of the level and the percentage)
            "round_id",
            "dimension_id",
            "level_number",
            "percent",
            "visible",
            "team",
            "bank",
            "quarter",
            "title",
            "round_closed",
        )
    )
    # Every bank's dimensions (a small table): their keys, names and order, and the bank's name.
    dimension_info: dict[int, tuple[str, str, int, int]] = {}  # key, name, order, bank
    bank_label: dict[int, str] = {}
    axes: dict[int, int] = {}  # dimension: 0 for the grid's x, 1 for its y
    grid_dimensions: dict[int, list] = defaultdict(list)  # bank: [(order, key, dimension)]
    for pk, bank_id, key, name, order, slug, version in Dimension.objects.values_list(
        "pk", "bank_id", "key", "name", "order", "bank__slug", "bank__version"
    ):
        dimension_info[pk] = (key, name, order, bank_id)
        bank_label[bank_id] = bank_version_label(slug, version)
        grid_dimensions[bank_id].append((order, key, pk))
    for dimensions in grid_dimensions.values():  # `grid_axes`: the bank's two, across and up
        if axes_keys := grid_axes([key for _, key, _ in sorted(dimensions)]):
            for _, key, pk in dimensions:
                axes[pk] = axes_keys.index(key)

    # One pass over the rows, keeping only what the page shows: each team's newest round's cells
    # (a newer round replaces them: the rows of the others are let go at once, which spares
    # the garbage collector thousands of live objects), its first total, its trail points, each
    # bank's first use, the trend's sums. A round is ordered by (closed, id).
    hidden = 0
    latest: dict[int, tuple] = {}  # team: ((closed, id), its bank, its cells, its title, closed)
    firsts: dict[int, tuple] = {}  # team: ((closed, id), its total, its bank, its quarter)
    trails: dict[int, list[tuple]] = defaultdict(list)  # team: [((closed, id), x, y)]
    banks_first: dict[int, tuple] = {}  # bank: ((closed, id), its quarter)
    # quarter: {dimension: [sum of the rounds' percentages, how many]}
    sums: dict[int, dict[int | None, list[int]]] = {}
    round_id = order = round_team = cells = totals = x = y = None
    shown = False
    for row in rows:
        round_, dimension, _, value, visible, team, bank, at, title, closed = row
        if round_ != round_id:  # a round's first row: its total
            if shown and x is not None and y is not None:
                trails[round_team].append((order, x, y))
            round_id, shown = round_, visible
            if not shown:  # under its threshold (or, with no total, nothing to show)
                hidden += dimension is None
                continue
            order, round_team, x, y = (closed, round_id), team, None, None
            totals = sums.setdefault(at, {})
            newest = latest.get(team)
            if newest is None or order > newest[0]:
                cells = {}
                latest[team] = (order, bank, cells, title, closed)
            else:
                cells = None  # an older round: its cells are not shown
            first = firsts.get(team)
            if first is None or order < first[0]:
                firsts[team] = (order, value, bank, at)
            used = banks_first.get(bank)
            if used is None or order < used[0]:
                banks_first[bank] = (order, at)
        elif not shown:
            continue
        if value is None:  # nobody scored here: not assessed, no cell
            continue
        if cells is not None:
            cells[dimension] = row  # the row itself: no new object per cell
        total = totals.get(dimension)
        if total is None:
            totals[dimension] = [value, 1]
        else:
            total[0] += value
            total[1] += 1
        if dimension in axes:
            if axes[dimension]:
                y = value
            else:
                x = value
    if shown and x is not None and y is not None:
        trails[round_team].append((order, x, y))
    if not latest:
        return Dashboard([], [], [], [], hidden)
    decimals: dict[int, Decimal] = {}  # whole percentages repeat: one Decimal each

    def decimal(value: int) -> Decimal:
        if value not in decimals:
            decimals[value] = Decimal(value)
        return decimals[value]

    def key_of(dimension_id) -> str:
        return "total" if dimension_id is None else dimension_info[dimension_id][0]

    # The trend: per quarter and dimension the mean of the rounds' percentages, rounded as every
    # percentage is (a dimension's key joins its versions in two banks).
    trend = []
    for quarter in sorted(sums):
        by_key: dict[str, list[int]] = {}
        for dimension, (total, count) in sums[quarter].items():
            both = by_key.setdefault(key_of(dimension), [0, 0])
            both[0] += total
            both[1] += count
        trend.append(
            (quarter_label(quarter), {key: percent(s, 100 * n) for key, (s, n) in by_key.items()})
        )
    # A marker where each bank after the first is first used.
    new_banks: dict[str, list[str]] = defaultdict(list)
    for bank_id, (_, quarter) in sorted(banks_first.items(), key=lambda item: item[1][0])[1:]:
        new_banks[quarter_label(quarter)].append(bank_label[bank_id])
    markers = [
        (index, ", ".join(new_banks[label]))
        for index, (label, _) in enumerate(trend)
        if label in new_banks
    ]

    # The dimensions of the banks in the period, in order; a key's name and place are those of
    # its last bank.
    dimension_keys = {
        key: (order, name)
        for key, name, order, bank_id in dimension_info.values()
        if bank_id in banks_first
    }
    ordered_keys = [key for key, _ in sorted(dimension_keys.items(), key=lambda item: item[1][0])]
    active_teams = Team.objects.filter(organization=organization, archived_at__isnull=True)
    if team_ids:
        active_teams = active_teams.filter(pk__in=team_ids)
    team_info = {
        pk: (str(public_id), name)
        for pk, public_id, name in active_teams.values_list("pk", "public_id", "name")
    }
    # The levels of the banks in the period: their names (a cell's level is named by its round's
    # bank, which a published bank never changes) and the bands of the bank of the newest round
    # of all, on that round's scale (its total's maximum).
    (_, latest_round), latest_bank = max((order, bank) for order, bank, *_ in latest.values())
    level_rows = list(
        Level.objects.filter(bank_id__in=banks_first)
        .annotate(
            scale=TeamScore.objects.filter(round_id=latest_round, dimension__isnull=True).values(
                "max_points"
            )
        )
        .order_by("number")
        .values_list("bank_id", "number", "name", "min_score", "scale")
    )
    level_names = {(bank_id, number): name for bank_id, number, name, _, _ in level_rows}
    made: dict[tuple, Cell] = {}  # one Cell per (bank, level, percentage): they repeat

    def cell(row: tuple, bank_id: int) -> Cell:
        key = (bank_id, row[NUMBER], row[VALUE])
        if key not in made:
            made[key] = Cell(decimal(row[VALUE]), row[NUMBER], level_names[bank_id, row[NUMBER]])
        return made[key]

    teams = []
    latest_rounds = {}
    for team_id, ((_, newest_round), bank_id, round_cells, title, closed) in latest.items():
        public_id, team_name = team_info[team_id]
        latest_rounds[team_id] = (newest_round, bank_id, team_name)
        _, first, first_bank, first_at = firsts[team_id]
        row = TeamRow(
            team_id,
            public_id,
            team_name,
            title,
            _moment(closed),
            bank_label[bank_id],
            cells={
                key_of(dimension_id): cell(row, bank_id)
                for dimension_id, row in round_cells.items()
            },
            trail=[(decimal(x), decimal(y)) for _, x, y in sorted(trails[team_id])],
            first_total=None if first is None else decimal(first),
            first_bank=None if first is None else bank_label[first_bank],
            first_quarter=None if first is None else quarter_label(first_at),
            round_id=newest_round,
        )
        row.ordered_cells = [row.cells.get(key) for key in ordered_keys]  # no lookups per cell
        teams.append(row)
    now_counts = defaultdict(int)
    for row in teams:
        if row.total:
            now_counts[row.total.level_number] += 1
    return Dashboard(
        teams=sorted(teams, key=lambda t: t.name),
        dimensions=[(key, dimension_keys[key][1]) for key in ordered_keys],
        trend=trend,
        level_counts=[
            (number, name, now_counts[number])
            for number, name in dict((n, nm) for _, n, nm, _, _ in level_rows).items()
        ],
        hidden_rounds=hidden,
        bands=[
            Band(name, float(percent(min_score, scale)))
            for bank_id, _, name, min_score, scale in level_rows
            if bank_id == latest_bank and min_score > 0
        ],
        markers=markers,
        # Unfiltered, the newest round shown of each team is its latest visible round.
        latest_rounds=latest_rounds if since is None and not team_ids else None,
    )
