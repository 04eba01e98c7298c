"""Organization patterns (DESIGN §4): practices that are weak across teams, as candidate platform
investments ("6 of 8 teams are at Initial on drift detection").

Counted per question over each team's latest visible round (closed, at its threshold: the one
visibility rule, `Round.objects.results_visible()`), so a pattern never shows more than the
dashboard already does. A question's level for a team is the one rule of the result page
(`calculations.question_current_level`), stored with the round's snapshot when it closes
(`models.QuestionLevel`, `services.team_scores_store`). A team is weak on a question when its
level there is the bank's lowest. Teams are compared only on the same question set (bank
version): codes of two versions may ask different things.

A pattern needs at least `MIN_TEAMS` weak teams and a third of the teams on that question set:
one team's weak spot is that team's next step, not an organization's investment. The
recommendation quotes the bank's guidance for the level above the lowest, as a next step would.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from apps.scoring.id_lists import among
from apps.scoring.models import QuestionLevel
from apps.scoring.selectors import bank_version_label
from apps.surveys.models import Guidance, Level, Question, Round
from apps.surveys.models.rounds import round_closed_moment

MIN_TEAMS = 2


@dataclass(frozen=True)
class Pattern:
    bank_id: int
    bank_label: str  # "llmops v2"
    code: str
    text: str
    dimension: str
    level_name: str  # the lowest level's name ("Initial")
    next_level_name: str
    weak_teams: tuple[str, ...]  # team names, sorted
    team_count: int  # teams whose latest visible round used this question set
    recommendation: str  # the guidance for the next level, "" where the bank has none

    @property
    def weak_count(self) -> int:
        return len(self.weak_teams)

    @property
    def sentence(self) -> str:
        return (
            f"{self.weak_count} of {self.team_count} teams are at {self.level_name} on "
            f"{self.code}: {self.text}"
        )


def weak_patterns(levels_by_team: dict[str, dict], *, lowest: int) -> list:
    """(question, weak team names, teams scored) for each question where enough teams sit at
    the lowest level, most teams first; pure (`levels_by_team`: team name → question (a code or
    an id) → level)."""
    weak: dict[str, list[str]] = defaultdict(list)
    for team, levels in levels_by_team.items():
        for code, level in levels.items():
            if level == lowest:
                weak[code].append(team)
    total = len(levels_by_team)
    found = [
        (code, tuple(sorted(teams)), total)
        for code, teams in weak.items()
        if len(teams) >= MIN_TEAMS and 3 * len(teams) >= total
    ]
    return sorted(found, key=lambda item: (-len(item[1]), item[0]))


def _latest_rounds(organization) -> dict[int, tuple[int, int, str]]:
    """Each active team's latest visible round, in one statement: {team id: (round id, its
    bank id, the team's name)}."""
    latest: dict[int, tuple[int, int, str]] = {}
    for team_id, round_id, bank_id, name in (
        Round.objects.filter(team__organization=organization, team__archived_at__isnull=True)
        .results_visible()
        .order_by(round_closed_moment(), "pk")
        .values_list("team_id", "pk", "bank_id", "team__name")
    ):
        latest[team_id] = (round_id, bank_id, name)  # the last one wins
    return latest


def latest_visible_rounds(organization) -> dict[int, int]:
    """Each active team's latest visible round: {round id: team id}."""
    return {round_id: team_id for team_id, (round_id, _, _) in _latest_rounds(organization).items()}


def organization_patterns(
    organization, *, limit: int | None = None, latest: dict | None = None
) -> list[Pattern]:
    """The organization's weak practices across teams, most teams first.

    Read from the rounds' question levels stored at close (`models.QuestionLevel`), never from
    their answers: at most four statements whatever the number of teams: the latest rounds, the
    levels of their banks, the questions at their bank's lowest level in those rounds, and the
    weak questions' texts with the guidance for the level above. `latest`, when the caller has
    read it already (the unfiltered dashboard: `Dashboard.latest_rounds`), spares the first."""
    if latest is None:
        latest = _latest_rounds(organization)
    if not latest:
        return []
    teams_by_bank: dict[int, dict[int, str]] = defaultdict(dict)  # bank → round → team name
    for round_id, bank_id, name in latest.values():
        teams_by_bank[bank_id][round_id] = name
    # Each bank's two lowest levels, the banks in order (a bank with fewer has no pattern).
    banks: dict[int, tuple[str, int, list[tuple[int, str]]]] = {}  # id → slug, version, levels
    for bank_id, number, name, slug, version in (
        Level.objects.filter(bank_id__in=teams_by_bank)
        .order_by("bank__slug", "bank__version", "number")
        .values_list("bank_id", "number", "name", "bank__slug", "bank__version")
    ):
        banks.setdefault(bank_id, (slug, version, []))[2].append((number, name))
    banks = {pk: bank for pk, bank in banks.items() if len(bank[2]) >= 2}
    if not banks:
        return []
    # Per bank, each team's weak questions (question id → the lowest level), every team there.
    levels_by_team: dict[int, dict[str, dict[int, int]]] = {
        bank_id: {name: {} for name in teams_by_bank[bank_id].values()} for bank_id in banks
    }
    bank_of = {round_id: bank_id for round_id, bank_id, _ in latest.values()}
    lowest = {bank_id: levels[0][0] for bank_id, (_, _, levels) in banks.items()}
    for round_id, question_id, level in QuestionLevel.objects.filter(
        among("round_id", bank_of), level_number__in=set(lowest.values())
    ).values_list("round_id", "question_id", "level_number"):
        bank_id = bank_of[round_id]
        if level == lowest.get(bank_id):
            levels_by_team[bank_id][teams_by_bank[bank_id][round_id]][question_id] = level
    found = {
        bank_id: weak_patterns(levels_by_team[bank_id], lowest=levels[0][0])
        for bank_id, (_, _, levels) in banks.items()
    }
    asked = [question_id for rows in found.values() for question_id, _, _ in rows]
    if not asked:
        return []
    following = Level.objects.filter(bank_id=OuterRef(OuterRef("bank_id"))).order_by("number")
    questions = {
        pk: rest
        for pk, *rest in Question.objects.filter(pk__in=asked)
        .annotate(
            next_guidance=Subquery(
                Guidance.objects.filter(
                    question_id=OuterRef("pk"),
                    level__number=Subquery(following.values("number")[1:2]),
                ).values("text")[:1]
            )
        )
        .values_list("pk", "code", "text", "dimension__name", "next_guidance")
    }
    patterns = []
    for bank_id, (slug, version, levels) in banks.items():  # in (slug, version) order
        (_, lowest), (_, next_level) = levels[0], levels[1]
        for question_id, teams, total in found[bank_id]:
            code, text, dimension, guidance = questions[question_id]
            patterns.append(
                Pattern(
                    bank_id=bank_id,
                    bank_label=bank_version_label(slug, version),
                    code=code,
                    text=text,
                    dimension=dimension,
                    level_name=lowest,
                    next_level_name=next_level,
                    weak_teams=teams,
                    team_count=total,
                    recommendation=guidance or "",
                )
            )
    # Stable: equal patterns of two versions keep the banks' order.
    patterns.sort(key=lambda p: (-p.weak_count, -p.weak_count / p.team_count, p.code))
    return patterns[:limit] if limit is not None else patterns
