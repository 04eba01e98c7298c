"""The dashboard's SQL twins of two rules, and a small dashboard, on any database.

`apps.scoring.dashboard` computes percentages (`percent_sql`) and closing quarters
(`closing_quarter_sql`) in SQL; the rules themselves are `calculations.percent` and
`dates.quarter_of`. The checks here compare the two on the edge values; `dashboard_summary`
describes a dashboard by names, not ids, so that two databases can be compared.
tests/scoring/test_dashboard_cache.py runs them on PostgreSQL, and

    python -m tests.support.dashboard_sql /path/to/new.sqlite3

migrates a new SQLite database (the embedded default of `make run`), runs the checks there,
builds the same small organization and prints its dashboard summary as JSON.
"""

import datetime as dt
import json
import os
import random
import sys
from decimal import Decimal

MAXIMA = ["28", "14", "48", "20", "7", "2", "0.5"]
CHUNK = 400  # values per statement


def percent_edges() -> list[tuple[Decimal | None, Decimal]]:
    """(score, maximum) pairs with two decimals: every half-way value (x.5 %) of the usual
    maxima, the hundredths on each side of it, zero maxima, a missing score, and random ones."""
    pairs: list[tuple[Decimal | None, Decimal]] = []
    for text in MAXIMA:
        maximum = Decimal(text)
        for k in range(100):
            half_way = maximum * (2 * k + 1) / 200  # exactly (k + 0.5) %
            if half_way == half_way.quantize(Decimal("0.01")):
                for step in (-1, 0, 1):
                    score = half_way + Decimal("0.01") * step
                    if 0 <= score <= maximum:
                        pairs.append((score.quantize(Decimal("0.01")), maximum))
        pairs += [(Decimal(0), maximum), (maximum, maximum)]
    pairs += [(Decimal(0), Decimal(0)), (None, Decimal(28))]
    rng = random.Random(14)
    for _ in range(300):
        maximum = Decimal(rng.randint(1, 100_000)) / 100
        pairs.append(((maximum * Decimal(rng.random())).quantize(Decimal("0.01")), maximum))
    return pairs


def percent_mismatches() -> list[tuple]:
    """The pairs on which `percent_sql` and `calculations.percent` disagree (none, we hope),
    read in one statement on the current database, each number typed as the columns are."""
    from django.db.models import DecimalField, Value
    from django.db.models.functions import Cast

    from apps.organizations.models import Organization
    from apps.scoring.calculations import percent
    from apps.scoring.dashboard import percent_sql

    column = DecimalField(max_digits=9, decimal_places=2)
    pairs = percent_edges()
    got = []
    for start in range(0, len(pairs), CHUNK):  # a statement has room for so many columns
        numbers, percents = {}, {}
        for i, (score, maximum) in enumerate(pairs[start : start + CHUNK]):
            numbers[f"s{i}"] = (
                Cast(Value(score), column) if score is not None else Value(None, column)
            )
            numbers[f"m{i}"] = Cast(Value(maximum), column)
            percents[f"p{i}"] = percent_sql(f"s{i}", f"m{i}")
        row = Organization.objects.order_by().annotate(**numbers).values(**percents)[:1]
        got += _single_row(row, len(percents))
    expected = [None if s is None else percent(s, m) for s, m in pairs]
    return [
        (pair, value, want)
        for pair, value, want in zip(pairs, got, expected, strict=True)
        if value != want
    ]


def _single_row(queryset, size: int) -> list:
    row = next(iter(queryset), None)
    assert row is not None, "the check needs one organization row to select from"
    return [row[f"p{i}"] for i in range(size)]


QUARTER_ZONES = [
    "UTC",
    "Europe/Amsterdam",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "America/St_Johns",
]


def quarter_edges() -> list[tuple[dt.datetime, str]]:
    """(moment, zone): around every quarter's start in 2026-2027 in each zone, the local
    midnight exactly (the day before closes then), a microsecond either side, noon; and the
    daylight-saving changes."""
    import zoneinfo

    moments = []
    for name in QUARTER_ZONES:
        zone = zoneinfo.ZoneInfo(name)
        for year in (2026, 2027):
            for month in (1, 4, 7, 10):
                midnight = dt.datetime(year, month, 1, tzinfo=zone).astimezone(dt.UTC)
                for delta in (
                    dt.timedelta(0),
                    dt.timedelta(microseconds=1),
                    -dt.timedelta(microseconds=1),
                    dt.timedelta(hours=12),
                    -dt.timedelta(hours=12),
                ):
                    moments.append((midnight + delta, name))
        for day in ("2026-03-29 01:00", "2026-10-25 01:00", "2026-03-08 07:00"):
            moments.append((dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC), name))
    return moments


def quarter_mismatches() -> list[tuple]:
    """The moments on which `closing_quarter_sql` and `dates.quarter_of` disagree, read in one
    statement per zone on the current database."""
    from django.db.models import DateTimeField, Value

    from apps.core.dates import quarter_of
    from apps.organizations.models import Organization
    from apps.scoring.dashboard import closing_quarter_sql, quarter_label

    edges = quarter_edges()
    wrong = []
    for name in QUARTER_ZONES:
        moments = [moment for moment, zone in edges if zone == name]
        row = Organization.objects.order_by().values(
            **{
                f"p{i}": closing_quarter_sql(Value(moment, DateTimeField()), name)
                for i, moment in enumerate(moments)
            }
        )[:1]
        for moment, value in zip(moments, _single_row(row, len(moments)), strict=True):
            if quarter_label(value) != quarter_of(moment, name):
                wrong.append((moment, name, quarter_label(value), quarter_of(moment, name)))
    return wrong


def build_organization():
    """A small organization with closed rounds on two bank versions, one under its threshold,
    and an archived team; team aggregates written as the scoring service stores them. The
    same on any database, so that dashboards can be compared by `dashboard_summary`."""
    from django.utils import timezone

    from apps.organizations.models import Organization, Team
    from apps.scoring.models import TeamScore
    from apps.surveys.models import BankStatus, QuestionBank, Round, RoundStatus

    banks = QuestionBank.objects.filter(slug="llmops", status=BankStatus.PUBLISHED)
    v1, v2 = banks.get(version=1), banks.get(version=2)
    organization = Organization.objects.create(
        name="Edges", slug="edges", time_zone="Europe/Amsterdam"
    )
    now = timezone.now().replace(microsecond=0)
    # (team, bank, days ago, submitted, total of 28, application of 14, operational of 14)
    plan = [
        ("Alpha", v1, 400, 5, "17.50", "8.75", "8.75"),
        ("Alpha", v1, 200, 5, "20.02", "10.50", "9.52"),
        ("Alpha", v2, 20, 4, "23.33", "12.25", "11.08"),
        ("Beta", v1, 300, 3, "9.80", "4.90", "4.90"),
        ("Beta", v1, 100, 2, "27.00", "13.50", "13.50"),  # under its threshold of 3
        ("Beta", v2, 30, 3, "14.14", "7.07", None),  # operational not assessed
        ("Gone", v1, 50, 4, "12.00", "6.00", "6.00"),  # an archived team
    ]
    teams = {}
    for team_name, bank, days, submitted, total, application, operational in plan:
        if team_name not in teams:
            teams[team_name] = Team.objects.create(organization=organization, name=team_name)
        closes = now - dt.timedelta(days=days)
        round_ = Round.objects.create(
            team=teams[team_name],
            bank=bank,
            title=f"{team_name} {days}",
            status=RoundStatus.CLOSED,
            opens_at=closes - dt.timedelta(days=14),
            closes_at=closes,
            closed_at=closes,
            min_respondents=3,
        )
        dimensions = dict(bank.dimensions.values_list("key", "pk"))
        bands = list(bank.levels.order_by("number").values_list("number", "name", "min_score"))
        for dimension, mean, maximum in [
            (None, total, "28"),
            (dimensions["application"], application, "14"),
            (dimensions["operational"], operational, "14"),
        ]:
            if mean is None:
                continue
            share = Decimal(mean) / Decimal(maximum) * 28
            number, name, _ = [band for band in bands if band[2] <= share][-1]
            TeamScore.objects.create(
                round=round_,
                dimension_id=dimension,
                submitted=submitted,
                n=submitted,
                mean=Decimal(mean),
                median=Decimal(mean),
                minimum=Decimal(mean),
                maximum=Decimal(mean),
                stdev=Decimal(0),
                max_points=Decimal(maximum),
                level_number=number,
                level_name=name,
            )
    Team.objects.filter(pk=teams["Gone"].pk).update(archived_at=now)
    return organization


def dashboard_summary(organization) -> dict:
    """The dashboard of `organization` by names and numbers (no ids, no moments)."""
    from apps.scoring.dashboard import executive_dashboard

    data = executive_dashboard(organization)
    return {
        "teams": [
            [
                t.name,
                t.round_title,
                t.bank,
                {k: [str(c.percent), c.level_number, c.level_name] for k, c in t.cells.items()},
                [[str(x), str(y)] for x, y in t.trail],
                str(t.first_total),
                t.first_bank,
                str(t.change),
            ]
            for t in data.teams
        ],
        "dimensions": data.dimensions,
        "trend": [[q, {k: str(v) for k, v in sorted(values.items())}] for q, values in data.trend],
        "level_counts": data.level_counts,
        "hidden": data.hidden_rounds,
        "bands": [[b.name, b.percent] for b in data.bands],
        "markers": data.markers,
    }


def main(path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "sqlite-check-only")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    assert connection.vendor == "sqlite"
    call_command("migrate", verbosity=0)  # installs the shipped banks
    organization = build_organization()
    assert percent_mismatches() == [], percent_mismatches()[:5]
    assert quarter_mismatches() == [], quarter_mismatches()[:5]
    print(json.dumps(dashboard_summary(organization)))


if __name__ == "__main__":
    main(sys.argv[1])
