"""The Django side of benchmarks/load.py: its database, the seed, and the checks afterwards.

Everything goes through the project's own services and models (seed_demo, team_create,
round_create, participants_invite, participant_token), in the load script's process, with the
same environment (DATABASE_URL, DJANGO_SECRET_KEY, ...) as the gunicorn it starts: the survey
links are derived from DJANGO_SECRET_KEY, so both sides must share it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

EXECUTIVE_PASSWORD = "load-test-executive-pw"


@dataclass(frozen=True)
class Seeded:
    org_slug: str
    round_id: int
    round_title: str
    tokens: dict[int, str]  # participant id -> the token in their personal link
    executives: list[str]  # their e-mail addresses (password EXECUTIVE_PASSWORD)
    history_teams: list[str]  # public ids of teams with closed rounds
    question_count: int
    page_count: int
    warm_token: str  # a demo respondent's link, to warm the workers up without touching the round


@dataclass
class Outcome:
    """What one simulated respondent did, as the server acknowledged it."""

    participant_id: int
    # question id -> last answer saved: an option's id as the form posts it, "na" or "dk"
    answers: dict[int, str] = field(default_factory=dict)
    submitted: bool = False
    failure: str = ""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


# --- Database and Redis


def recreate_database(url: str) -> None:
    """Drop and create the load database, so every run starts from the same empty state."""
    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(url.replace("postgres://", "postgresql://", 1))
    name = info.pop("dbname")
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    """Empty the load run's Redis database: queued e-mails nobody consumes, rate-limit counters."""
    import redis

    redis.Redis.from_url(url).flushdb()


def migrate_and_collect_static() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


# --- Seed


def seed(respondents: int, executives: int) -> Seeded:
    from apps.demo.seed import seed_demo
    from apps.organizations.models import Team
    from apps.surveys import round_selectors, round_services
    from apps.surveys.models import Participant, RoundStatus

    organization = seed_demo()  # 8 teams, six closed quarterly rounds each: the dashboard's content
    round_ = _open_round(organization, respondents)
    participants = Participant.objects.filter(round=round_).order_by("email")
    history_teams = (
        Team.objects.filter(organization=organization, rounds__status=RoundStatus.CLOSED)
        .distinct()
        .values_list("public_id", flat=True)
    )
    pages = round_selectors.dimension_pages(round_.bank_id)
    warm = (
        Participant.objects.filter(round__status=RoundStatus.OPEN, submitted_at__isnull=True)
        .exclude(round=round_)
        .first()
    )
    return Seeded(
        org_slug=organization.slug,
        round_id=round_.pk,
        round_title=round_.title,
        tokens={p.pk: round_services.participant_token(p) for p in participants},
        executives=_executives(organization, executives),
        history_teams=[str(public_id) for public_id in history_teams],
        question_count=sum(len(page["questions"]) for page in pages),
        page_count=len(pages),
        warm_token=round_services.participant_token(warm),
    )


def _open_round(organization, respondents: int):
    """A new team's open round on the LLMOps bank, with `respondents` people invited by e-mail."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.demo.seed import DEMO_LOGINS
    from apps.organizations.services import team_create
    from apps.surveys import round_services
    from apps.surveys.models import BankStatus, QuestionBank

    bank = (
        QuestionBank.objects.filter(slug="llmops", status=BankStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
    now = timezone.now()
    with transaction.atomic():
        round_ = round_services.round_create(
            team=team_create(organization=organization, name="Load Test", description="load.py"),
            bank=bank,
            title="Load test round",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
            anonymous=True,
            min_respondents=3,
            created_by=User.objects.get(email=DEMO_LOGINS[0].email),
        )
        emails = [f"respondent{i:04}@load.example" for i in range(respondents)]
        # As an admin pastes them: at most ROUND_INVITES_PER_REQUEST addresses per call.
        per_request = max(1, settings.ROUND_INVITES_PER_REQUEST)
        for start in range(0, len(emails), per_request):
            result = round_services.participants_invite(  # e-mails queued to Redis
                round_=round_, emails=emails[start : start + per_request]
            )
            if result.over_daily_cap:
                raise SystemExit(
                    f"only {len(emails) - len(result.over_daily_cap)} respondents can be invited "
                    f"today (ROUND_INVITES_PER_ROUND_PER_DAY="
                    f"{settings.ROUND_INVITES_PER_ROUND_PER_DAY}); ask for fewer or raise it"
                )
    return round_


def _executives(organization, count: int) -> list[str]:
    from apps.accounts.models import User
    from apps.accounts.services import email_mark_verified
    from apps.organizations.models import Membership, Role

    emails = []
    for i in range(count):
        user = User.objects.create_user(
            f"executive{i}@load.example", EXECUTIVE_PASSWORD, name=f"Load Executive {i}"
        )
        email_mark_verified(user)  # they log in through the form
        Membership.objects.create(organization=organization, user=user, role=Role.EXECUTIVE)
        emails.append(user.email)
    return emails


# --- Checks in the database


def verify(seeded: Seeded, outcomes: list[Outcome]) -> list[Check]:
    """Compare what the server acknowledged with what the database holds."""
    from django.db.models import Count

    from apps.scoring.models import DimensionScore
    from apps.scoring.services import round_recompute_differences
    from apps.surveys.models import (
        Answer,
        Participant,
        Response,
        ResponseStatus,
        Round,
    )

    round_ = Round.objects.get(pk=seeded.round_id)
    answers = Answer.objects.filter(response__round=round_)
    submitted_db = set(
        Response.objects.filter(round=round_, status=ResponseStatus.SUBMITTED).values_list(
            "participant_id", flat=True
        )
    )
    submitted_ok = {o.participant_id for o in outcomes if o.submitted}
    per_response = Counter(
        answers.filter(response__status=ResponseStatus.SUBMITTED).values_list(
            "response__participant_id", flat=True
        )
    )
    wrong_counts = {
        pid: per_response[pid] for pid in submitted_db if per_response[pid] != seeded.question_count
    }
    duplicates = (
        answers.values("response_id", "question_id").annotate(n=Count("pk")).filter(n__gt=1)
    ).count()
    double_responses = (
        Response.objects.filter(round=round_)
        .values("participant_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    stored = defaultdict(dict)
    for pid, question_id, kind, choice_id in answers.values_list(
        "response__participant_id", "question_id", "kind", "choice_id"
    ):
        stored[pid][question_id] = str(choice_id) if choice_id is not None else kind
    mismatched = [
        o.participant_id for o in outcomes if o.submitted and stored[o.participant_id] != o.answers
    ]
    marked = set(
        Participant.objects.filter(round=round_, submitted_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    unscored = (
        Response.objects.filter(round=round_, status=ResponseStatus.SUBMITTED)
        .exclude(pk__in=DimensionScore.objects.values("response_id"))
        .count()
    )
    # The round is still open: no team aggregates yet, only each response's snapshot to compare.
    bad_snapshots = [
        difference
        for difference in round_recompute_differences(round_)
        if difference.startswith("response ")
    ]
    return [
        Check(
            "submitted responses == respondents whose submit succeeded",
            submitted_db == submitted_ok,
            f"{len(submitted_db)} in the database, {len(submitted_ok)} acknowledged "
            f"(of {len(outcomes)} respondents)",
        ),
        Check(
            f"every submitted response has exactly {seeded.question_count} answers",
            not wrong_counts,
            f"{len(wrong_counts)} with another count" + _sample(wrong_counts),
        ),
        Check("no duplicate answer (response, question)", duplicates == 0, f"{duplicates} found"),
        Check("one response per participant", double_responses == 0, f"{double_responses} found"),
        Check(
            "stored choices == each respondent's last saved choices",
            not mismatched,
            f"{len(mismatched)} respondents differ" + _sample(mismatched),
        ),
        Check(
            "participants marked submitted == submitted responses",
            marked == submitted_db,
            f"{len(marked)} marked",
        ),
        Check(
            "every submitted response has its dimension scores",
            unscored == 0,
            f"{unscored} without",
        ),
        Check(
            "stored snapshots == scoring the stored answers again (N/A and don't know unscored)",
            not bad_snapshots,
            f"{len(bad_snapshots)} differ" + _sample(bad_snapshots)[:400],
        ),
    ]


def _sample(items) -> str:
    items = list(items)
    return f": {items[:5]}" if items else ""
