"""Organization patterns (DESIGN §4): practices that are weak across teams, as candidate platform
investments ("6 of 8 teams are at Initial on drift detection").

Counted per question over each team's latest visible round (closed, at its threshold: the one
visibility rule, `Round.objects.results_visible()`), so a pattern never shows more than the
dashboard already does. A question's level for a team is the one rule of the result page
(`calculations.question_current_level`). A team is weak on a question when its level there is
the bank's lowest. Teams are compared only on the same question set (bank version): codes of
two versions may ask different things.

A pattern needs at least `MIN_TEAMS` weak teams and a third of the teams on that question set:
one team's weak spot is that team's next step, not an organization's investment. The
recommendation quotes the bank's guidance for the level above the lowest, as a next step would.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from apps.scoring.bands import bank_bands, bank_scale
from apps.scoring.calculations import question_current_level
from apps.scoring.selectors import bank_version_label
from apps.surveys.models import (
    Answer,
    AnswerKind,
    Choice,
    Guidance,
    QuestionBank,
    ResponseStatus,
    Round,
)
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


def weak_patterns(levels_by_team: dict[str, dict[str, int | None]], *, lowest: int) -> list:
    """(code, weak team names, teams scored) for each question where enough teams sit at the
    lowest level, most teams first; pure (`levels_by_team`: team name → code → level)."""
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


def latest_visible_rounds(organization) -> dict[int, int]:
    """Each active team's latest visible round: {round id: team id}."""
    latest: dict[int, int] = {}  # team id → round id, the last one wins
    for team_id, round_id in (
        Round.objects.filter(team__organization=organization, team__archived_at__isnull=True)
        .results_visible()
        .order_by(round_closed_moment(), "pk")
        .values_list("team_id", "pk")
    ):
        latest[team_id] = round_id
    return {round_id: team_id for team_id, round_id in latest.items()}


def organization_patterns(organization, *, limit: int | None = None) -> list[Pattern]:
    """The organization's weak practices across teams, most teams first. A fixed number of
    queries whatever the number of teams: the latest rounds, one GROUP BY of their answers,
    and the banks' options, levels and guidance."""
    rounds = latest_visible_rounds(organization)
    if not rounds:
        return []
    round_rows = {
        pk: (team_name, bank_id)
        for pk, team_name, bank_id in Round.objects.filter(pk__in=rounds).values_list(
            "pk", "team__name", "bank_id"
        )
    }
    chosen: dict[tuple[int, int], int] = defaultdict(int)  # (round id, option id) → how many
    for round_id, choice_id, n in (
        Answer.objects.filter(
            response__round_id__in=rounds,
            response__status=ResponseStatus.SUBMITTED,
            kind=AnswerKind.CHOICE,
        )
        .values("response__round_id", "choice_id")
        .annotate(n=Count("pk"))
        .values_list("response__round_id", "choice_id", "n")
        .order_by()
    ):
        chosen[round_id, choice_id] = n
    bank_ids = {bank_id for _, bank_id in round_rows.values()}
    options: dict[int, list[Choice]] = defaultdict(list)  # question id → its options
    questions: dict[int, tuple[int, str, str, str, str]] = {}  # id → bank, code, text, dim
    for choice in (
        Choice.objects.filter(question__bank_id__in=bank_ids)
        .select_related("question__dimension")
        .order_by("question__dimension__order", "question__order", "points", "pk")
    ):
        options[choice.question_id].append(choice)
        q = choice.question
        questions[q.pk] = (q.bank_id, q.code, q.text, q.dimension.name, q.dimension.key)
    patterns = []
    for bank in QuestionBank.objects.filter(pk__in=bank_ids).order_by("slug", "version"):
        bands = bank_bands(bank.pk)
        if len(bands) < 2:
            continue
        scale = bank_scale(bank)
        levels_by_team: dict[str, dict[str, int | None]] = {}
        for round_id, (team_name, bank_id) in round_rows.items():
            if bank_id != bank.pk:
                continue
            levels_by_team[team_name] = {
                code: question_current_level(
                    [(c.points, c.level, chosen[round_id, c.pk]) for c in options[question_id]],
                    scale=scale,
                    bands=bands,
                )
                for question_id, (q_bank, code, *_rest) in questions.items()
                if q_bank == bank.pk
            }
        lowest, following = bands[0], bands[1]
        found = weak_patterns(levels_by_team, lowest=lowest.number)
        if not found:
            continue
        by_code = {
            code: rest for _, (q_bank, code, *rest) in questions.items() if q_bank == bank.pk
        }
        guidance = dict(
            Guidance.objects.filter(
                bank=bank, question__isnull=False, level__number=following.number
            ).values_list("question__code", "text")
        )
        for code, teams, total in found:
            text, dimension, _key = by_code[code]
            patterns.append(
                Pattern(
                    bank_id=bank.pk,
                    bank_label=bank_version_label(bank.slug, bank.version),
                    code=code,
                    text=text,
                    dimension=dimension,
                    level_name=lowest.name,
                    next_level_name=following.name,
                    weak_teams=teams,
                    team_count=total,
                    recommendation=guidance.get(code, ""),
                )
            )
    patterns.sort(key=lambda p: (-p.weak_count, -p.weak_count / p.team_count, p.code))
    return patterns[:limit] if limit is not None else patterns
