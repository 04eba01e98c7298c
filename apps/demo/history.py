"""Believable history for the demo organization: six closed quarterly rounds per team, with
mostly improving trends, and one round in progress. Idempotent.

The first five rounds are on the first LLMOps bank version; once a later version is installed
(llmops v2), the latest closed round and the open one are on it, with some "not applicable"
(where a question allows it) and "I don't know" answers, so the history and the dashboard show
where the question set changed.

The latest closed round also shows the improvement plans (apps.demo.plans): each team's
questions of the actions it finished between its last two rounds move as `PLAN_DONE` says, and
a few practices are weak across teams (`WEAK_SPOTS`), so that the dashboard has organization
patterns. The answers are still drawn as before (the same random sequence), then those
questions' options are replaced."""

import datetime as dt
import random
import uuid
import zoneinfo

from django.db import transaction
from django.utils import timezone

from apps.core.tokens import hash_token
from apps.organizations.models import Membership, Organization, Team
from apps.scoring import services as scoring_services
from apps.scoring.selectors import round_team_result
from apps.scoring.services import team_scores_store
from apps.surveys import round_services
from apps.surveys.models import (
    Answer,
    AnswerKind,
    BankStatus,
    Participant,
    QuestionBank,
    Response,
    Round,
    RoundStatus,
)

QUARTERS = 6

# Per team: (starting skill in application, in operations, growth per quarter). Skill is the
# expected points per question (0-2); most teams improve, one slips, one stalls.
PROFILES = {
    "Support Copilot": (0.7, 0.5, 0.17),
    "Search Assistant": (0.9, 0.3, 0.14),
    "Document Intelligence": (0.4, 0.6, 0.12),
    "Sales Insights": (0.5, 0.2, 0.10),
    "Developer Tools": (1.1, 0.9, 0.08),
    "Knowledge Base": (0.6, 0.6, 0.15),
    "Fraud Signals": (0.8, 1.1, -0.06),
    "Marketing Content": (0.3, 0.2, 0.01),
}


# Per team: the questions of the actions it finished between its previous round and its latest
# one (apps.demo.plans adds them from the previous round's next steps and marks them done), and
# how many levels each moved in the latest round: 1 moved up, 0 did not move (the plan check
# flags it). Codes whose question asks the same in llmops v1 and v2, as the check compares codes.
PLAN_DONE = {
    "Support Copilot": {"APP-1": 1, "OPS-1": 1},
    "Search Assistant": {"OPS-1": 1, "APP-2": 1, "OPS-3": 0},
    "Document Intelligence": {"APP-1": 1, "APP-2": 1, "OPS-3": 0},
    "Sales Insights": {"OPS-2": 1, "OPS-1": 1, "APP-2": 0},
    "Knowledge Base": {"OPS-3": 1, "APP-1": 0},
    "Developer Tools": {"APP-2": 1, "OPS-2": 0},
    "Fraud Signals": {"OPS-1": 1},
    "Marketing Content": {"APP-1": 1},
}

# Practices weak across teams in their latest round (at Initial): the organization patterns
# (apps.scoring.patterns) of drift detection and of evaluation data.
WEAK_SPOTS = {
    "OPS-4": ("Document Intelligence", "Fraud Signals", "Marketing Content", "Sales Insights"),
    "APP-8": ("Fraud Signals", "Marketing Content", "Sales Insights"),
}


def _quarter_start(day: dt.date, back: int) -> dt.date:
    quarter = (day.month - 1) // 3 - back
    year = day.year + quarter // 4
    return dt.date(year, quarter % 4 * 3 + 1, 1)


def _participants(round_: Round, memberships: list[Membership]) -> list[Participant]:
    participants = []
    for membership in memberships:
        participant = Participant(
            round=round_, email=membership.user.email, user=membership.user, public_id=uuid.uuid4()
        )
        participant.token_hash = hash_token(round_services.participant_token(participant))
        participant.invited_at = round_.opens_at
        participants.append(participant)
    return Participant.objects.bulk_create(participants)


def _unsure(question, skill: float, rng) -> str | None:
    """Now and then "not applicable" (where the question allows it) or "I don't know" (more
    often in a weaker team: knowledge gaps), else None."""
    if question.allow_na and rng.random() < 0.2:
        return AnswerKind.NOT_APPLICABLE
    if question.bank.allow_dont_know and rng.random() < 0.04 + 0.06 * max(0.0, 1 - skill / 2):
        return AnswerKind.DONT_KNOW
    return None


def _option(question, skill: float, rng):
    """The option nearest to the skill (expected points of 0-2, scaled to the question's top
    points) give or take a third of the range."""
    choices = list(question.choices.all())
    top = max(c.points for c in choices)
    wanted = max(0, min(top, round((skill + rng.uniform(-0.7, 0.7)) * top / 2)))
    return min(choices, key=lambda c: (abs(c.points - wanted), c.points))


def _spread(n: int, level: int, lowest: int, top: int, rng) -> list[int]:
    """`n` answers' levels whose median (`calculations.median_level`) is `level`: from three
    answers one of them a level below (at the lowest level, one above), never two levels
    apart, which would read as disagreement; shuffled."""
    levels = [level] * n
    if n >= 3:
        levels[0] = level - 1 if level > lowest else min(level + 1, top)
    rng.shuffle(levels)
    return levels


def _forced_levels(team: Team, previous: Round | None, bank, n: int) -> dict[str, list[int]]:
    """For the latest round: {question code: each participant's level} of the questions the
    plan and the weak spots decide. A planned question's level is its level in `previous`
    plus what `PLAN_DONE` says; a weak spot's is the lowest."""
    levels = sorted(bank.levels.values_list("number", flat=True))
    if not levels or not bank.options_per_level:
        return {}
    lowest, top = levels[0], levels[-1]
    rng = random.Random(f"{team.name} plan")
    wanted = {code: lowest for code, teams in WEAK_SPOTS.items() if team.name in teams}
    planned = PLAN_DONE.get(team.name, {})
    if planned and previous is not None:
        before = {q.code: q.level_number for q in round_team_result(previous).questions}
        for code, moved in planned.items():
            if before.get(code) is not None:
                wanted[code] = min(before[code] + moved, top)
    return {code: _spread(n, level, lowest, top, rng) for code, level in sorted(wanted.items())}


def _answer(
    round_, participants, questions, skill, rng, *, submit: bool, unsure: bool, forced=None
) -> None:
    """Everyone answers every question; with `unsure`, some answers are N/A or don't know;
    `forced` ({code: a level per participant}) replaces the options drawn for those questions."""
    forced = forced or {}
    for index, participant in enumerate(participants):
        response = Response.objects.create(participant=participant, round=round_, bank=round_.bank)
        answers = []
        for question in questions:
            level = skill[question.dimension.key]
            kind = _unsure(question, level, rng) if unsure else None
            choice = None if kind else _option(question, level, rng)
            if question.code in forced:
                wanted = forced[question.code][index]
                choice = next(c for c in question.choices.all() if c.level == wanted)
                kind = None
            answers.append(
                Answer(
                    response=response,
                    bank=round_.bank,
                    question=question,
                    kind=kind or AnswerKind.CHOICE,
                    choice=choice,
                )
            )
        Answer.objects.bulk_create(answers)
        if not submit:
            continue
        submitted_at = round_.opens_at + dt.timedelta(
            days=rng.randint(1, 10), hours=rng.randint(8, 17)
        )
        submitted_at = min(submitted_at, timezone.now())  # the open round: never in the future
        scoring_services.response_score(response=response)
        round_services.response_mark_submitted(response=response, submitted_at=submitted_at)


def _questions(bank) -> list:
    return list(
        bank.questions.select_related("dimension", "bank")
        .prefetch_related("choices")
        .order_by("dimension__order", "order", "pk")
    )


@transaction.atomic
def seed_history(organization: Organization) -> int:
    """Create the quarterly rounds that do not exist yet; return how many were created.

    The history is on the first LLMOps version; the latest closed round (and the open one) on
    the newest, when a later one is installed."""
    banks = list(
        QuestionBank.objects.filter(
            slug="llmops", status__in=[BankStatus.PUBLISHED, BankStatus.RETIRED]
        ).order_by("version")
    )
    if not banks:
        return 0
    first, newest = banks[0], banks[-1]
    questions = {bank.pk: _questions(bank) for bank in {first, newest}}
    zone = timezone.get_default_timezone()
    today = timezone.localdate()
    created = 0
    for team in Team.objects.filter(organization=organization, name__in=PROFILES).order_by("name"):
        app, ops, growth = PROFILES[team.name]
        rng = random.Random(team.name)  # the same history on every machine
        memberships = list(
            Membership.objects.filter(team_memberships__team=team).select_related("user")
        )
        for back in range(QUARTERS, 0, -1):
            start = _quarter_start(today, back)
            title = f"Q{(start.month - 1) // 3 + 1} {start.year} LLMOps check"
            if Round.objects.filter(team=team, title=title).exists():
                continue
            bank = newest if back == 1 else first
            opens_at = dt.datetime.combine(start + dt.timedelta(days=14), dt.time(9), zone)
            round_ = Round.objects.create(
                team=team,
                bank=bank,
                title=title,
                opens_at=opens_at,
                closes_at=opens_at + dt.timedelta(days=14),
                anonymous=True,
                min_respondents=3,
            )
            step = QUARTERS - back
            skill = {"application": app + growth * step, "operational": ops + growth * 1.2 * step}
            people = memberships[: max(3, len(memberships) - rng.randint(0, 1))]
            forced = {}
            if back == 1:
                previous = (
                    Round.objects.filter(team=team, status=RoundStatus.CLOSED)
                    .select_related("bank", "team")
                    .order_by("-closes_at")
                    .first()
                )
                forced = _forced_levels(team, previous, bank, len(people))
            _answer(
                round_,
                _participants(round_, people),
                questions[bank.pk],
                skill,
                rng,
                submit=True,
                unsure=bank != first,
                forced=forced,
            )
            Round.objects.filter(pk=round_.pk).update(
                status=RoundStatus.CLOSED, closed_at=round_.closes_at
            )
            round_.refresh_from_db()
            team_scores_store(round_=round_)
            created += 1
    created += _seed_open_round(organization, newest, questions[newest.pk], unsure=newest != first)
    return created


def _seed_open_round(organization, bank, questions, *, unsure: bool) -> int:
    team = Team.objects.filter(organization=organization, name="Support Copilot").first()
    if team is None or Round.objects.filter(team=team, status=RoundStatus.OPEN).exists():
        return 0
    # Whole days in the organization's time zone, as a lead enters them: opened at 09:00 five
    # days ago, closing at the end of the ninth day from today (midnight: "end of <day>").
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    today = timezone.localdate(timezone=zone)
    round_ = Round.objects.create(
        team=team,
        bank=bank,
        title="This quarter's LLMOps check",
        opens_at=dt.datetime.combine(today - dt.timedelta(days=5), dt.time(9), zone),
        closes_at=dt.datetime.combine(today + dt.timedelta(days=10), dt.time(0), zone),
        anonymous=True,
        min_respondents=3,
    )
    memberships = list(
        Membership.objects.filter(team_memberships__team=team)
        .select_related("user")
        .order_by("user__email")
    )
    participants = _participants(round_, memberships)
    rng = random.Random("open round")
    skill = {"application": 1.6, "operational": 1.4}
    done = [p for p in participants if not p.email.startswith(("member@", "lead@"))][:2]
    _answer(round_, done, questions, skill, rng, submit=True, unsure=unsure)
    return 1
