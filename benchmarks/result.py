"""Time a round's result page and result CSV at 10, 1,000 and 10,000 responses (PostgreSQL).

    .venv/bin/python benchmarks/result.py [--sizes 10 1000 10000] [--runs 21]

One team answers a 30-question bank (three dimensions of ten questions, one option per level,
N/A on six questions, "I don't know" everywhere, weights 1 and 2, shown on a scale of 28) in one
closed round per size. For each size it times, interleaved (each once per repetition, in turn,
so that a busy moment of a shared machine falls on all of them alike)
- the round result page, against the raw SQL it needs (the answers' counts per question and
  option, the comments it lists, and the stored team aggregates);
- the result CSV, against the stored team aggregates it writes;
- the team aggregates computed at close (`team_scores_compute`), against the raw SQL
  statistics over the stored score snapshots;
and prints per surface the median time, the median of the ratios to its raw SQL in the same
repetition with their interquartile range (the middle half of the repetitions), and the page's
own work (its median time less its raw SQL's); then each page's peak Python memory
(tracemalloc) while it is built and read. Pages are read as served: the test runner's template
instrumentation (a copy of each template's context for the test client) is not installed, and
what is alive before the first view is frozen out of the garbage collector's reach, as
config/gunicorn.py does in each worker.

Uses its own database (BENCH_RESULT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/maturity_bench_result); seeding is skipped when it is there.
"""

import argparse
import gc
import io
import os
import random
import statistics
import sys
import time
import tracemalloc
import uuid
import warnings
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_RESULT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maturity_bench_result"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)

from benchmarks._db import ensure_database

ORG_SLUG = "bench-result"
EXECUTIVE = "exec@bench-result.example"
DIMENSIONS = [("discover", "Discover"), ("build", "Build"), ("run", "Run")]
LEVELS = ["Initial", "Defined", "Managed", "Optimized"]


def bank_data() -> dict:
    """The interchange format of a 30-question bank, as an admin would import it."""
    dimensions = []
    for key, name in DIMENSIONS:
        questions = [
            {
                "code": f"{key[:3].upper()}-{i}",
                "text": f"How does the team handle practice {i} of {name.lower()}?",
                "weight": 2 if i in (1, 5) else 1,
                "allow_na": i in (9, 10),
                "choices": [
                    {"label": f"{level} practice {i}", "points": points, "level": points + 1}
                    for points, level in enumerate(LEVELS)
                ],
            }
            for i in range(1, 11)
        ]
        dimensions.append({"key": key, "name": name, "questions": questions})
    return {
        "slug": "bench30",
        "version": 1,
        "title": "Benchmark bank, 30 questions",
        "scale": 28,
        "options_per_level": True,
        "levels": [
            {"number": n + 1, "name": level, "min_score": bound}
            for n, (level, bound) in enumerate(zip(LEVELS, (0, 10, 15, 20), strict=True))
        ],
        "dimensions": dimensions,
        "guidance": [
            {"dimension": key, "level": n, "text": f"Reach level {n} in {name}."}
            for key, name in DIMENSIONS
            for n in (2, 3, 4)
        ],
    }


def seed(sizes: list[int]) -> None:
    """A team with one closed round per size, every response submitted with its snapshot, and
    the team aggregates stored by the service as at close. Answers go in with COPY."""
    from django.db import connection, transaction

    from apps.organizations.models import Organization

    if Organization.objects.filter(slug=ORG_SLUG).exists():
        return
    started = time.perf_counter()
    with transaction.atomic():  # all or nothing: a failed seed leaves nothing to skip next time
        _seed_rounds(sizes)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # plans on the loaded tables' statistics, as autovacuum would
    print(
        f"seeded rounds of {', '.join(map(str, sizes))} responses x 30 questions "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _seed_rounds(sizes: list[int]) -> None:
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.organizations.models import Membership, Organization, Role, Team
    from apps.surveys.bank_services import bank_import

    bank = bank_import(bank_data(), publish=True)
    organization = Organization.objects.create(name="Result Benchmark", slug=ORG_SLUG)
    executive = User.objects.create_user(EXECUTIVE, "benchmark-password", name="Exec")
    Membership.objects.create(organization=organization, user=executive, role=Role.EXECUTIVE)
    team = Team.objects.create(organization=organization, name="Platform")
    rng = random.Random(11)
    now = timezone.now()
    for index, size in enumerate(sizes):
        opens_at = now - timedelta(days=30 * (len(sizes) - index) + 20)
        _seed_round(team, bank, size, opens_at, rng)


def _seed_round(team, bank, size: int, opens_at, rng: random.Random) -> None:
    """A closed round of `team` with `size` submitted responses: answers by a skill per person,
    15% N/A where offered and 5% "I don't know"; snapshots as `response_score` stores them."""
    from django.db import connection

    from apps.scoring.bands import bank_question_specs
    from apps.scoring.calculations import respondent_scores
    from apps.scoring.models import DimensionScore
    from apps.scoring.services import team_scores_store
    from apps.surveys.models import Participant, Response, Round, RoundStatus

    questions = list(bank.questions.prefetch_related("choices"))
    choices = {(q.pk, c.points): c.pk for q in questions for c in q.choices.all()}
    specs = bank_question_specs(bank.pk)
    dimensions = dict(bank.dimensions.values_list("key", "pk"))
    submitted_at = opens_at + timedelta(days=2)
    round_ = Round.objects.create(
        team=team,
        bank=bank,
        title=f"{size} responses",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=14),
        min_respondents=3,
    )
    participants = Participant.objects.bulk_create(
        (
            Participant(
                round=round_,
                email=f"p{p}@r{round_.pk}.example",
                token_hash=uuid.uuid4().hex * 2,
                submitted_at=submitted_at,
            )
            for p in range(size)
        ),
        batch_size=2000,
    )
    responses = Response.objects.bulk_create(
        (Response(participant=p, round=round_, bank=bank) for p in participants), batch_size=2000
    )
    rows, snapshots = io.StringIO(), []
    for response in responses:
        skill, points = rng.uniform(0.2, 2.8), {}
        for q in questions:
            draw = rng.random()
            if q.allow_na and draw < 0.15:
                points[q.code], kind, choice = None, "na", r"\N"
            elif draw > 0.95:
                points[q.code], kind, choice = None, "dk", r"\N"
            else:
                chosen = max(0, min(3, round(skill + rng.uniform(-1, 1))))
                points[q.code], kind, choice = chosen, "choice", choices[(q.pk, chosen)]
            rows.write(f"{response.pk}\t{bank.pk}\t{q.pk}\t{kind}\t{choice}\t\t\t{opens_at}\n")
        snapshots.append((response, respondent_scores(specs, points)))
    rows.seek(0)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY surveys_answer (response_id, bank_id, question_id, kind, choice_id, comment,"
            " evidence_url, updated_at) FROM STDIN"
        ) as copy,
    ):
        while chunk := rows.read(1 << 20):
            copy.write(chunk)
    DimensionScore.objects.bulk_create(
        (
            DimensionScore(
                response=response,
                dimension_id=dimensions[key],
                points=value,
                max_points=scores.max_by_dimension[key],
            )
            for response, scores in snapshots
            for key, value in scores.by_dimension.items()
        ),
        batch_size=5000,
    )
    for response, scores in snapshots:
        response.status, response.submitted_at = "submitted", submitted_at
        response.total_points, response.max_points = scores.total, scores.max_total
    Response.objects.bulk_update(
        responses, ["status", "submitted_at", "total_points", "max_points"], batch_size=2000
    )
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED, closed_at=round_.closes_at)
    round_.refresh_from_db()
    team_scores_store(round_=round_)


def interleaved_ms(functions: dict, runs: int) -> dict[str, list[float]]:
    """Milliseconds of each function per repetition, each timed once per repetition in turn."""
    for function in functions.values():  # warm up
        function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """The first quartile, the median and the third quartile."""
    first, median, third = statistics.quantiles(values, n=4, method="inclusive")
    return first, median, third


def peak_mib(function) -> float:
    """The peak of Python memory allocated while `function` runs."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# What the result page needs from the database: the answers counted per question and option
# (the distributions, N/A and don't know), the comments and evidence links it lists, and the
# stored team aggregates.
RAW_COUNTS = """
SELECT a.question_id, a.kind, a.choice_id, count(*)
FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
WHERE r.round_id = %(round)s AND r.status = 'submitted'
GROUP BY a.question_id, a.kind, a.choice_id
"""
RAW_NOTES = """
SELECT a.question_id, a.kind, c.label, c.level, a.comment, a.evidence_url
FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
LEFT JOIN surveys_choice c ON c.id = a.choice_id
WHERE r.round_id = %(round)s AND r.status = 'submitted'
  AND (a.comment <> '' OR a.evidence_url <> '')
"""
RAW_TEAM_SCORES = """
SELECT dimension_id, submitted, n, mean, median, minimum, maximum, stdev, max_points,
       level_number, level_name
FROM scoring_teamscore WHERE round_id = %(round)s
"""
# What the team aggregates at close need: per dimension and for the total, the statistics of
# the respondents' fractions shown on the dimension's maximum (the total: the scale of 28).
RAW_STATISTICS = """
WITH v AS (
    SELECT s.dimension_id, s.points * m.shown / s.max_points AS value
    FROM surveys_dimensionscore s
    JOIN surveys_response r ON r.id = s.response_id
    JOIN (SELECT q.dimension_id, sum(c.points * q.weight) AS shown
          FROM surveys_question q
          JOIN (SELECT question_id, max(points) AS points FROM surveys_choice
                GROUP BY question_id) c ON c.question_id = q.id
          GROUP BY q.dimension_id) m ON m.dimension_id = s.dimension_id
    WHERE r.round_id = %(round)s AND r.status = 'submitted' AND s.max_points > 0
    UNION ALL
    SELECT NULL, r.total_points * 28 / r.max_points
    FROM surveys_response r
    WHERE r.round_id = %(round)s AND r.status = 'submitted' AND r.max_points > 0
)
SELECT dimension_id, count(*), avg(value), min(value), max(value),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY value), stddev_pop(value)
FROM v GROUP BY dimension_id
"""


def raw_sql(*queries, round_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql, {"round": round_id})
            cursor.fetchall()


def reader(client, url: str):
    """A function that reads `url` to its last byte (a CSV streams)."""

    def read():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            response.content  # noqa: B018

    return read


def measure(client, round_, runs: int) -> tuple[list[tuple], float, float]:
    """(name, its times, its raw SQL's times) per surface, and the page's and CSV's peak MiB."""
    from django.urls import reverse

    from apps.scoring.services import team_scores_compute

    size = round_.responses.count()
    page = reader(client, reverse("scoring:round_result", args=[ORG_SLUG, round_.public_id]))
    csv = reader(client, reverse("scoring:round_result_csv", args=[ORG_SLUG, round_.public_id]))
    times = interleaved_ms(
        {
            "page": page,
            "page raw": lambda: raw_sql(RAW_COUNTS, RAW_NOTES, RAW_TEAM_SCORES, round_id=round_.pk),
            "csv": csv,
            "csv raw": lambda: raw_sql(RAW_TEAM_SCORES, round_id=round_.pk),
            "aggregates": lambda: team_scores_compute(round_),
            "aggregates raw": lambda: raw_sql(RAW_STATISTICS, round_id=round_.pk),
        },
        runs,
    )
    rows = [
        (f"{label}, {size:>6} responses", times[name], times[f"{name} raw"])
        for name, label in [
            ("page", "result page"),
            ("csv", "result CSV"),
            ("aggregates", "team aggregates"),
        ]
    ]
    return rows, peak_mib(page), peak_mib(csv)


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 10000])
    parser.add_argument("--runs", type=int, default=21, help="interleaved repetitions per size")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    seed(args.sizes)
    from apps.accounts.models import User
    from apps.surveys.models import Round

    client = Client()
    client.force_login(User.objects.get(email=EXECUTIVE))
    gc.freeze()  # as config/gunicorn.py does once a worker has loaded the application
    rows, memory = [], []
    for size in args.sizes:
        round_ = Round.objects.get(team__organization__slug=ORG_SLUG, title=f"{size} responses")
        measured, page_mib, csv_mib = measure(client, round_, args.runs)
        rows += measured
        memory.append((size, page_mib, csv_mib))
    print(
        f"{args.runs} interleaved repetitions per size; ratio: the median of the repetitions' "
        "ratios [interquartile range]; own work: the median less its raw SQL's"
    )
    for name, took, raw_ms in rows:
        ratios = quartiles([t / r for t, r in zip(took, raw_ms, strict=True)])
        page, raw = statistics.median(took), statistics.median(raw_ms)
        print(
            f"{name:36} {page:8.1f} ms   raw SQL {raw:7.1f} ms   ratio {ratios[1]:5.2f}x "
            f"[{ratios[0]:.2f}-{ratios[2]:.2f}]   own work {page - raw:6.1f} ms"
        )
    _, first_page, first_csv = memory[0]
    for size, page_mib, csv_mib in memory:
        print(
            f"peak memory, {size:>6} responses: page {page_mib:6.2f} MiB "
            f"(+{page_mib - first_page:5.2f}), CSV {csv_mib:6.2f} MiB (+{csv_mib - first_csv:5.2f})"
        )


if __name__ == "__main__":
    main()
