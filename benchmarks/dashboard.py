"""Seed a large organization into PostgreSQL and time the dashboard and team history pages.

    .venv/bin/python benchmarks/dashboard.py [--teams 300] [--rounds 8] [--people 10] [--runs 15]

Prints, measured in one run, each page's median time as a ratio to the raw SQL aggregate it
needs, with the absolute times beside them. Uses its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/maturity_bench); seeding is skipped when it is there already.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
import warnings
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maturity_bench"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.pop("dbname")
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(teams: int, rounds: int, people: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.organizations.models import Membership, Organization, Role, Team
    from apps.scoring.calculations import respondent_scores
    from apps.scoring.models import DimensionScore, TeamScore
    from apps.scoring.services import bank_question_specs, team_scores_compute
    from apps.surveys.models import (
        Answer,
        BankStatus,
        Participant,
        QuestionBank,
        Response,
        Round,
        RoundStatus,
    )

    if Organization.objects.filter(slug="bench").exists():
        return
    started = time.perf_counter()
    bank = QuestionBank.objects.get(slug="llmops", status=BankStatus.PUBLISHED)
    questions = list(bank.questions.select_related("dimension").prefetch_related("choices"))
    choices = {(q.pk, c.points): c.pk for q in questions for c in q.choices.all()}
    specs = bank_question_specs(bank.pk)
    dimensions = dict(bank.dimensions.values_list("key", "pk"))
    rng = random.Random(7)
    now = timezone.now()
    with transaction.atomic():
        organization = Organization.objects.create(name="Benchmark Corp", slug="bench")
        executive = User.objects.create_user(
            "exec@bench.example", "benchmark-password", name="Exec"
        )
        Membership.objects.create(organization=organization, user=executive, role=Role.EXECUTIVE)
        team_rows = Team.objects.bulk_create(
            Team(organization=organization, name=f"Team {i:03}") for i in range(teams)
        )
    for team in team_rows:
        base, growth = rng.uniform(0.3, 1.2), rng.uniform(-0.05, 0.15)
        with transaction.atomic():
            round_rows = Round.objects.bulk_create(
                Round(
                    team=team,
                    bank=bank,
                    title=f"Round {r}",
                    status=RoundStatus.CLOSED,
                    opens_at=now - timedelta(days=92 * (rounds - r)),
                    closes_at=now - timedelta(days=92 * (rounds - r) - 14),
                    closed_at=now - timedelta(days=92 * (rounds - r) - 14),
                    min_respondents=3,
                )
                for r in range(rounds)
            )
            participants = Participant.objects.bulk_create(
                Participant(
                    round=round_,
                    email=f"p{p}@t{team.pk}.example",
                    token_hash=uuid.uuid4().hex * 2,
                    public_id=uuid.uuid4(),
                )
                for round_ in round_rows
                for p in range(people)
            )
            responses, answers, points_by_response = [], [], []
            for index, participant in enumerate(participants):
                round_number = index // people
                round_ = round_rows[round_number]
                skill = base + growth * round_number
                points = {
                    q.code: max(0, min(2, round(skill + rng.uniform(-0.8, 0.8)))) for q in questions
                }
                responses.append(Response(participant=participant, round=round_, bank=bank))
                points_by_response.append((points, respondent_scores(specs, points)))
            Response.objects.bulk_create(responses)
            for response, (points, _) in zip(responses, points_by_response, strict=True):
                answers.extend(
                    Answer(
                        response=response,
                        bank=bank,
                        question=q,
                        choice_id=choices[(q.pk, points[q.code])],
                    )
                    for q in questions
                )
            Answer.objects.bulk_create(answers, batch_size=5000)
            for response, (_, scores) in zip(responses, points_by_response, strict=True):
                response.status, response.submitted_at = (
                    "submitted",
                    response.round.opens_at + timedelta(days=2),
                )
                response.total_points, response.max_points = scores.total, scores.max_total
            Response.objects.bulk_update(
                responses, ["status", "submitted_at", "total_points", "max_points"], batch_size=2000
            )
            DimensionScore.objects.bulk_create(
                DimensionScore(
                    response=response,
                    dimension_id=dimensions[key],
                    points=value,
                    max_points=scores.max_by_dimension[key],
                )
                for response, (_, scores) in zip(responses, points_by_response, strict=True)
                for key, value in scores.by_dimension.items()
            )
            TeamScore.objects.bulk_create(
                s for round_ in round_rows for s in team_scores_compute(round_)
            )
    print(
        f"seeded {teams} teams x {rounds} rounds x {people} people x {len(questions)} questions "
        f"in {time.perf_counter() - started:.0f} s"
    )


def median_ms(function, runs: int) -> float:
    function()  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


RAW_DASHBOARD = """
SELECT r.team_id, ts.dimension_id, r.closes_at, ts.n, ts.mean, ts.max_points, ts.level_number
FROM scoring_teamscore ts
JOIN surveys_round r ON r.id = ts.round_id
JOIN organizations_team t ON t.id = r.team_id
WHERE t.organization_id = %s AND t.archived_at IS NULL AND r.status = 'closed'
  AND ts.n >= r.min_respondents
ORDER BY r.closes_at
"""

RAW_HISTORY = """
SELECT r.id, ts.dimension_id, ts.n, ts.mean, ts.max_points, ts.level_number
FROM surveys_round r JOIN scoring_teamscore ts ON ts.round_id = r.id
WHERE r.team_id = %s AND r.status = 'closed' ORDER BY r.opens_at
"""


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    seed(args.teams, args.rounds, args.people)
    setup_test_environment()
    from apps.accounts.models import User
    from apps.organizations.models import Organization, Team
    from apps.surveys.models import Answer

    organization = Organization.objects.get(slug="bench")
    team = Team.objects.filter(organization=organization).order_by("name").first()
    client = Client()
    client.force_login(User.objects.get(email="exec@bench.example"))
    dashboard_url = "/o/bench/dashboard/?period=all"
    history_url = f"/o/bench/teams/{team.public_id}/history/"
    assert client.get(dashboard_url).status_code == 200

    def raw(sql, param):
        with connection.cursor() as cursor:
            cursor.execute(sql, [param])
            cursor.fetchall()

    from apps.scoring.dashboard import executive_dashboard

    results = [
        (
            "executive dashboard data",
            median_ms(lambda: executive_dashboard(organization), args.runs),
            median_ms(lambda: raw(RAW_DASHBOARD, organization.pk), args.runs),
        ),
        (
            "executive dashboard page",
            median_ms(lambda: client.get(dashboard_url), args.runs),
            median_ms(lambda: raw(RAW_DASHBOARD, organization.pk), args.runs),
        ),
        (
            "team history page",
            median_ms(lambda: client.get(history_url), args.runs),
            median_ms(lambda: raw(RAW_HISTORY, team.pk), args.runs),
        ),
    ]
    print(
        f"dataset: {Team.objects.filter(organization=organization).count()} teams, "
        f"{Answer.objects.filter(response__round__team__organization=organization).count():,} "
        "answers"
    )
    for name, page_ms, raw_ms in results:
        print(
            f"{name:26} {page_ms:8.1f} ms   raw SQL aggregate {raw_ms:7.1f} ms   "
            f"ratio {page_ms / raw_ms:5.1f}x"
        )


if __name__ == "__main__":
    main()
