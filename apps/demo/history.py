"""Believable history for the demo organization: six closed quarterly rounds per team, with
mostly improving trends, and one round in progress. Idempotent.

The first five rounds are on the first LLMOps bank version; once a later version is installed
(llmops v2), the latest closed round and the open one are on it, with some "not applicable"
(where a question allows it) and "I don't know" answers, so the history and the dashboard show
where the question set changed."""

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from apps.core.tokens import hash_token
from apps.organizations.models import Membership, Organization, Team
from apps.scoring import services as scoring_services
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


def _answer(round_, participants, questions, skill, rng, *, submit: bool, unsure: bool) -> None:
    """Everyone answers every question; with `unsure`, some answers are N/A or don't know."""
    for participant in participants:
        response = Response.objects.create(participant=participant, round=round_, bank=round_.bank)
        answers = []
        for question in questions:
            level = skill[question.dimension.key]
            kind = _unsure(question, level, rng) if unsure else None
            choice = None if kind else _option(question, level, rng)
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
            _answer(
                round_,
                _participants(round_, people),
                questions[bank.pk],
                skill,
                rng,
                submit=True,
                unsure=bank != first,
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
    now = timezone.now()
    round_ = Round.objects.create(
        team=team,
        bank=bank,
        title="This quarter's LLMOps check",
        opens_at=now - dt.timedelta(days=5),
        closes_at=now + dt.timedelta(days=9),
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
