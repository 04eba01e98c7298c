"""The executive dashboard: every team per dimension, the trend, the spread and the movers.

One query reads every team aggregate of the period; rounds under their threshold never count.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from apps.scoring.calculations import percent
from apps.scoring.charts import Band
from apps.scoring.models import TeamScore
from apps.surveys.models import Level, RoundStatus


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
    bank: str
    cells: dict[str, Cell] = field(default_factory=dict)  # by dimension key, and "total"
    trail: list[tuple[Decimal, Decimal]] = field(
        default_factory=list
    )  # (app %, ops %) oldest first
    first_total: Decimal | None = None

    @property
    def total(self) -> Cell | None:
        return self.cells.get("total")

    @property
    def change(self) -> Decimal | None:
        if self.total is None or self.first_total is None:
            return None
        return self.total.percent - self.first_total


@dataclass
class Dashboard:
    teams: list[TeamRow]
    dimensions: list[tuple[str, str]]  # (key, name) in bank order
    trend: list[tuple[str, dict[str, Decimal]]]  # (quarter label, mean % by dimension key)
    level_counts: list[tuple[int, str, int]]  # (level number, name, teams at it now)
    hidden_rounds: int  # rounds in the period that stayed under their threshold
    bands: list[Band] = field(default_factory=list)  # level thresholds of the latest bank, in %

    @property
    def improvers(self) -> list[TeamRow]:
        moved = [t for t in self.teams if t.change is not None and t.change > 0]
        return sorted(moved, key=lambda t: t.change, reverse=True)[:3]

    @property
    def decliners(self) -> list[TeamRow]:
        moved = [t for t in self.teams if t.change is not None and t.change < 0]
        return sorted(moved, key=lambda t: t.change)[:3]


def _quarter(moment: dt.datetime) -> str:
    return f"Q{(moment.month - 1) // 3 + 1} {moment.year}"


def executive_dashboard(
    organization, *, since: dt.datetime | None = None, team_ids=None
) -> Dashboard:
    scores = TeamScore.objects.filter(
        round__team__organization=organization,
        round__team__archived_at__isnull=True,
        round__status=RoundStatus.CLOSED,
    )
    if since is not None:
        scores = scores.filter(round__closes_at__gte=since)
    if team_ids:
        scores = scores.filter(round__team_id__in=team_ids)
    rows = scores.order_by("round__closes_at", "round_id").values_list(
        "round_id",
        "round__team_id",
        "round__team__public_id",
        "round__team__name",
        "round__title",
        "round__closes_at",
        "round__min_respondents",
        "round__bank__slug",
        "round__bank__version",
        "dimension__key",
        "dimension__name",
        "dimension__order",
        "n",
        "mean",
        "max_points",
        "level_number",
        "level_name",
        "round__bank_id",
    )
    rounds: dict[int, dict] = {}
    dimensions: dict[str, tuple[int, str]] = {}
    bank_ids: set[int] = set()
    bank_maximum: dict[int, Decimal] = {}
    latest_bank = None
    hidden = set()
    for (
        round_id,
        team_id,
        public_id,
        team_name,
        title,
        closes,
        needed,
        slug,
        version,
        key,
        name,
        order,
        n,
        mean,
        maximum,
        level_number,
        level_name,
        bank_id,
    ) in rows:
        bank_ids.add(bank_id)
        if key is None:
            bank_maximum[bank_id] = maximum
            latest_bank = bank_id
        if n < needed:
            hidden.add(round_id)
            continue
        entry = rounds.setdefault(
            round_id,
            {
                "team": (team_id, str(public_id), team_name),
                "title": title,
                "closed": closes,
                "bank": f"{slug} v{version}",
                "cells": {},
            },
        )
        entry["cells"][key or "total"] = Cell(percent(mean, maximum), level_number, level_name)
        if key:
            dimensions.setdefault(key, (order, name))
    teams: dict[int, TeamRow] = {}
    by_quarter: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for entry in rounds.values():  # oldest first
        team_id, public_id, team_name = entry["team"]
        row = teams.get(team_id)
        if row is None:
            row = teams[team_id] = TeamRow(team_id, public_id, team_name, "", entry["closed"], "")
            row.first_total = entry["cells"]["total"].percent if "total" in entry["cells"] else None
        row.round_title, row.closed, row.bank, row.cells = (
            entry["title"],
            entry["closed"],
            entry["bank"],
            entry["cells"],
        )
        if "application" in entry["cells"] and "operational" in entry["cells"]:
            row.trail.append(
                (entry["cells"]["application"].percent, entry["cells"]["operational"].percent)
            )
        for key, cell in entry["cells"].items():
            by_quarter[_quarter(entry["closed"])][key].append(cell.percent)
    trend = [
        (
            quarter,
            {
                key: (sum(values) / len(values)).quantize(Decimal("0.1"))
                for key, values in per_key.items()
            },
        )
        for quarter, per_key in by_quarter.items()
    ]
    level_rows = list(
        Level.objects.filter(bank_id__in=bank_ids)
        .order_by("number")
        .values_list("bank_id", "number", "name", "min_score")
    )
    levels = {number: name for _, number, name, _ in level_rows}
    bands = [
        Band(name, float(percent(min_score, bank_maximum[bank_id])))
        for bank_id, _, name, min_score in level_rows
        if bank_id == latest_bank and min_score > 0
    ]
    now_counts = defaultdict(int)
    for row in teams.values():
        if row.total:
            now_counts[row.total.level_number] += 1
    return Dashboard(
        teams=sorted(teams.values(), key=lambda t: t.name),
        dimensions=[
            (key, name)
            for key, (_, name) in sorted(dimensions.items(), key=lambda item: item[1][0])
        ],
        trend=trend,
        level_counts=[(number, levels[number], now_counts[number]) for number in sorted(levels)],
        hidden_rounds=len(hidden),
        bands=bands,
    )
