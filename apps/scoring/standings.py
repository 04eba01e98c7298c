"""Where each team stands now: its latest visible round's total (level and percentage) and the
change since the team's previous visible round, for the home page and the team pages.

The same answer as the round result's Total row (`selectors.round_team_result`: the previous
round is the team's latest visible round that opened before this one; a change only on the
same question set), for many teams in one query instead of a few per team. Only rounds whose
results may be seen count (`Round.objects.results_visible()`, DESIGN §3).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from apps.scoring.calculations import percent
from apps.scoring.models import TeamScore
from apps.surveys.models import Round


@dataclass(frozen=True)
class Standing:
    round_public_id: str
    round_title: str
    level_number: int
    level_name: str
    percent: Decimal
    # Percentage points since `previous_title`; None without a previous round or when it used
    # another question set (`new_question_set`), which is never compared.
    change: Decimal | None = None
    previous_title: str | None = None
    new_question_set: bool = False


def team_standings(team_ids) -> dict[int, Standing]:
    """{team id: Standing} for the teams with a visible round (the others are left out)."""
    team_ids = list(team_ids)
    if not team_ids:
        return {}
    rows = (
        TeamScore.objects.filter(
            dimension__isnull=True,
            round__team_id__in=team_ids,
            round__in=Round.objects.results_visible(),
        )
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=F("round__team_id"),
                order_by=[F("round__opens_at").desc(), F("round_id").desc()],
            )
        )
        .filter(place__lte=2)
        .order_by("round__team_id", "place")
        .values_list(
            "round__team_id",
            "round__public_id",
            "round__title",
            "round__bank_id",
            "mean",
            "max_points",
            "level_number",
            "level_name",
            "n",
        )
    )
    latest: dict[int, int] = {}  # team: the bank of its latest round
    standings: dict[int, Standing] = {}
    for team_id, public_id, title, bank_id, mean, max_points, number, name, n in rows:
        if team_id not in latest:  # the latest round, first
            latest[team_id] = bank_id
            if n:  # nobody scored: not assessed, never shown as 0
                standings[team_id] = Standing(
                    str(public_id), title, number, name, percent(mean, max_points)
                )
            continue
        now = standings.get(team_id)
        if now is None:
            continue
        same_set = bank_id == latest[team_id]
        standings[team_id] = Standing(
            now.round_public_id,
            now.round_title,
            now.level_number,
            now.level_name,
            now.percent,
            change=now.percent - percent(mean, max_points) if same_set and n else None,
            previous_title=title,
            new_question_set=not same_set,
        )
    return standings


def headline_changes(standings: dict[int, Standing], names: dict[int, str], count: int = 3):
    """The largest moves since each team's previous round, either way: (team name, Standing),
    largest first (then by name); teams without a change are left out."""
    moved = [(names[team_id], s) for team_id, s in standings.items() if s.change]
    moved.sort(key=lambda item: (-abs(item[1].change), item[0]))
    return moved[:count]
