"""Seed large organizations into PostgreSQL and time the dashboard and team history pages.

    .venv/bin/python benchmarks/dashboard.py [--teams 30,300,1000] [--rounds 8]
        [--large-rounds 4] [--people 10] [--runs 15]

One organization per size (slug bench-<teams>x<rounds>x<people>): each team has `--rounds`
closed rounds a quarter apart (`--large-rounds` from 1,000 teams on, to keep seeding in
minutes), `--people` respondents each, on LLMOps v1; every other team's latest round is on v2,
so the dashboard shows version markers and changes across question sets. Seeding is skipped
when the organization is there already.

Prints per size, measured in one run and interleaved (each repetition times every item once,
so a busy machine slows them alike), each item's median time as a ratio to the raw SQL
aggregate the dashboard needs: the dashboard's data, its page with the fragment cache empty
(cold; with the garbage collector's share of it, and again with every object alive before the
view frozen out of the collector's reach, as config/gunicorn.py does in each worker) and
filled (warm), and the team history page against its own raw query. Pages are read as served:
the test runner's template instrumentation (a copy of each template's context for the test
client) is not installed.

Uses its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/maturity_bench) and its own Redis database for the cache
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/12), which it flushes before each cold view.
"""

import argparse
import gc
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
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)

from benchmarks._db import ensure_database

LARGE = 1000  # from this many teams on, each team has --large-rounds rounds


class BankParts:
    """What seeding needs of one bank version: its questions, choices by points, scoring specs."""

    def __init__(self, bank):
        from apps.scoring.services import bank_question_specs

        self.bank = bank
        self.questions = list(bank.questions.prefetch_related("choices"))
        self.choices = {(q.pk, c.points): c.pk for q in self.questions for c in q.choices.all()}
        self.top = {q.pk: max(c.points for c in q.choices.all()) for q in self.questions}
        self.specs = bank_question_specs(bank.pk)
        self.dimensions = dict(bank.dimensions.values_list("key", "pk"))


def seed(slug: str, teams: int, rounds: int, people: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.organizations.models import Membership, Organization, Role, Team
    from apps.scoring.calculations import respondent_scores
    from apps.scoring.models import DimensionScore, QuestionLevel, TeamScore
    from apps.scoring.services import question_levels_compute, team_scores_compute
    from apps.surveys.models import (
        Answer,
        BankStatus,
        Participant,
        QuestionBank,
        Response,
        Round,
        RoundStatus,
    )

    if Organization.objects.filter(slug=slug).exists():
        return
    started = time.perf_counter()
    published = QuestionBank.objects.filter(slug="llmops", status=BankStatus.PUBLISHED)
    v1 = BankParts(published.get(version=1))
    newer = published.filter(version__gt=1).order_by("-version").first()
    v2 = BankParts(newer) if newer else v1
    rng = random.Random(7)
    now = timezone.now()
    with transaction.atomic():
        organization = Organization.objects.create(name=f"Benchmark {teams}", slug=slug)
        executive, _ = User.objects.get_or_create(
            email="exec@bench.example", defaults={"name": "Exec"}
        )
        executive.set_password("benchmark-password")
        executive.save()
        Membership.objects.create(organization=organization, user=executive, role=Role.EXECUTIVE)
        team_rows = Team.objects.bulk_create(
            Team(organization=organization, name=f"Team {i:04}") for i in range(teams)
        )
    for team_index, team in enumerate(team_rows):
        base, growth = rng.uniform(0.15, 0.6), rng.uniform(-0.03, 0.08)
        banks = [v1] * rounds
        if team_index % 2 == 0:
            banks[-1] = v2
        with transaction.atomic():
            round_rows = Round.objects.bulk_create(
                Round(
                    team=team,
                    bank=banks[r].bank,
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
                round_, parts = round_rows[round_number], banks[round_number]
                skill = base + growth * round_number
                points = {
                    q.code: max(
                        0,
                        min(
                            parts.top[q.pk],
                            round(parts.top[q.pk] * (skill + rng.uniform(-0.4, 0.4))),
                        ),
                    )
                    for q in parts.questions
                }
                responses.append(Response(participant=participant, round=round_, bank=parts.bank))
                points_by_response.append((parts, points, respondent_scores(parts.specs, points)))
            Response.objects.bulk_create(responses)
            for response, (parts, points, _) in zip(responses, points_by_response, strict=True):
                answers.extend(
                    Answer(
                        response=response,
                        bank=parts.bank,
                        question=q,
                        choice_id=parts.choices[(q.pk, points[q.code])],
                    )
                    for q in parts.questions
                )
            Answer.objects.bulk_create(answers, batch_size=5000)
            for response, (_, _, scores) in zip(responses, points_by_response, strict=True):
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
                    dimension_id=parts.dimensions[key],
                    points=value,
                    max_points=scores.max_by_dimension[key],
                )
                for response, (parts, _, scores) in zip(responses, points_by_response, strict=True)
                for key, value in scores.by_dimension.items()
            )
            TeamScore.objects.bulk_create(
                s for round_ in round_rows for s in team_scores_compute(round_)
            )
            QuestionLevel.objects.bulk_create(
                row for round_ in round_rows for row in question_levels_compute(round_)
            )
    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
        cursor.execute("ANALYZE")
    print(
        f"  seeded {teams} teams x {rounds} rounds x {people} people in "
        f"{time.perf_counter() - started:.0f} s"
    )


# What the dashboard needs, as one plain statement: every visible team aggregate of the
# organization's active teams (the threshold rule as Round.objects.results_visible() has it).
RAW_DASHBOARD = """
SELECT r.team_id, ts.dimension_id, r.closes_at, ts.n, ts.mean, ts.max_points, ts.level_number
FROM scoring_teamscore ts
JOIN surveys_round r ON r.id = ts.round_id
JOIN organizations_team t ON t.id = r.team_id
JOIN scoring_teamscore total ON total.round_id = r.id AND total.dimension_id IS NULL
WHERE t.organization_id = %s AND t.archived_at IS NULL AND r.status = 'closed'
  AND total.submitted >= r.min_respondents
ORDER BY r.closes_at
"""

RAW_HISTORY = """
SELECT r.id, ts.dimension_id, ts.n, ts.mean, ts.max_points, ts.level_number
FROM surveys_round r JOIN scoring_teamscore ts ON ts.round_id = r.id
WHERE r.team_id = %s AND r.status = 'closed' ORDER BY r.opens_at
"""


class GarbageCollectorTime:
    """Time spent in the garbage collector while `measuring` (gc.callbacks), in ms."""

    def __init__(self):
        self.measuring, self.total, self.started = False, 0.0, 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase, info):
        if not self.measuring:
            return
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.total += (time.perf_counter() - self.started) * 1000


def frozen(function):
    """`function` with every object alive now out of the garbage collector's reach
    (gc.freeze(), as config/gunicorn.py does once a worker has loaded the app)."""

    def call():
        gc.freeze()
        try:
            function()
        finally:
            gc.unfreeze()

    return call


def interleaved_medians(items: dict, runs: int) -> dict[str, float]:
    """Median milliseconds of each (setup, function) in `items`, timing each once per
    repetition in turn; `setup` (untimed) runs before each call."""
    for setup, function in items.values():  # warm up
        setup()
        function()
    times: dict[str, list[float]] = {name: [] for name in items}
    for _ in range(runs):
        for name, (setup, function) in items.items():
            setup()
            started = time.perf_counter()
            function()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def measure(slug: str, runs: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from apps.accounts.models import User
    from apps.organizations.models import Organization, Team
    from apps.scoring.dashboard import executive_dashboard
    from apps.scoring.models import TeamScore
    from apps.surveys.models import Answer

    organization = Organization.objects.get(slug=slug)
    team = Team.objects.filter(organization=organization).order_by("name").first()
    client = Client()
    client.force_login(User.objects.get(email="exec@bench.example"))
    dashboard_url = f"/o/{slug}/dashboard/?period=all"
    history_url = f"/o/{slug}/teams/{team.public_id}/history/"
    assert client.get(dashboard_url).status_code == 200

    def raw(sql, param):
        with connection.cursor() as cursor:
            cursor.execute(sql, [param])
            cursor.fetchall()

    def nothing():
        pass

    def page():
        assert client.get(dashboard_url).status_code == 200

    collector = GarbageCollectorTime()
    collected: list[float] = []

    def cold_collected():  # the cold page, counting the garbage collector's time in it
        collector.total, collector.measuring = 0.0, True
        try:
            page()
        finally:
            collector.measuring = False
            collected.append(collector.total)

    medians = interleaved_medians(
        {
            "raw": (nothing, lambda: raw(RAW_DASHBOARD, organization.pk)),
            "data": (nothing, lambda: executive_dashboard(organization)),
            "cold": (cache.clear, cold_collected),
            "cold frozen": (cache.clear, frozen(page)),
            "warm": (nothing, page),
            "raw history": (nothing, lambda: raw(RAW_HISTORY, team.pk)),
            "history": (nothing, lambda: client.get(history_url)),
        },
        runs,
    )
    gc.callbacks.remove(collector._callback)
    answers = Answer.objects.filter(response__round__team__organization=organization).count()
    scores = TeamScore.objects.filter(round__team__organization=organization).count()
    print(
        f"  {Team.objects.filter(organization=organization).count()} teams, {answers:,} answers, "
        f"{scores:,} team aggregates; raw SQL aggregate {medians['raw']:.1f} ms"
    )
    for name, label, against in [
        ("data", "dashboard data", "raw"),
        ("cold", "dashboard page, cold cache", "raw"),
        ("cold frozen", "  the same after gc.freeze()", "raw"),
        ("warm", "dashboard page, warm cache", "raw"),
        ("history", "team history page", "raw history"),
    ]:
        print(
            f"  {label:28} {medians[name]:8.1f} ms   ratio {medians[name] / medians[against]:5.2f}x"
            + (f"   (its raw query {medians[against]:.1f} ms)" if against != "raw" else "")
            + (
                f"   (garbage collector: median {statistics.median(collected):.1f} ms)"
                if name == "cold"
                else ""
            )
        )


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", default="30,300,1000", help="sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--large-rounds", type=int, default=4)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"cache: {os.environ['REDIS_URL']} (flushed before each cold view)")
    for teams in [int(size) for size in args.teams.split(",")]:
        rounds = args.large_rounds if teams >= LARGE else args.rounds
        print(
            f"{teams} teams x {rounds} rounds x {args.people} people"
            + (" (fewer rounds at this size, to keep seeding in minutes)" if teams >= LARGE else "")
        )
        slug = f"bench-{teams}x{rounds}x{args.people}"
        seed(slug, teams, rounds, args.people)
        with connection.cursor() as cursor:  # fresh planner statistics (after a migration's
            cursor.execute("ANALYZE")  # backfill too), as autovacuum would give
        measure(slug, args.runs)


if __name__ == "__main__":
    main()
