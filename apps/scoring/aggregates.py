"""A round's team statistics from the stored score snapshots, computed by the database.

Per dimension and for the total, over the submitted respondents with a score there, of their
fractions shown on `shown[dimension]` (the total: on the bank's scale): n, mean, median, minimum,
maximum and population standard deviation, rounded by `calculations.team_statistics`, so that
the numbers are those of `calculations.aggregate` over the same values, to the last digit.

On PostgreSQL one statement computes them (`count`, `avg`, `min`, `max`, `stddev_pop`) in exact
numeric with 30 decimal places. The median is the mean of the two middle values, each taken
by `percentile_disc(0.5)` in ascending and in descending order (for an odd count both are the
middle value): `percentile_cont` would give the same number, but only in floating point, which
turns a median of 16.01 and 16.02 into 16.014999... and would round it down. Elsewhere (SQLite,
`make run`) the snapshots are read and handed to `calculations.aggregate`.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from apps.scoring.calculations import Aggregate, aggregate, on_scale_exact, team_statistics
from apps.scoring.models import DimensionScore
from apps.surveys.models import Response, ResponseStatus


@dataclass(frozen=True)
class RoundStatistics:
    submitted: int  # everyone who submitted: the threshold counts them
    # By dimension id, None for the total; only where someone has a score (a dimension nobody
    # assessed is absent, and so is the total when nobody scored anything).
    by_dimension: dict[int | None, Aggregate]


def round_statistics(
    round_id: int, *, scale: Decimal, shown: dict[int, Decimal]
) -> RoundStatistics:
    """The round's team statistics: the total on `scale`, each dimension on `shown[id]`."""
    if connection.vendor == "postgresql":
        return round_statistics_sql(round_id, scale=scale, shown=shown)
    return round_statistics_python(round_id, scale=scale, shown=shown)


# One row per dimension (dimension_id NULL: the total). A total with nothing scored (0 of 0)
# has a NULL value: counted as submitted, left out of every statistic. Each value is scaled to
# 30 decimal places before its division, so that numeric keeps them (it would keep 16).
STATISTICS_SQL = """
WITH submitted AS (
    SELECT id, total_points, max_points FROM surveys_response
    WHERE round_id = %(round)s AND status = %(status)s
), shown (dimension_id, maximum) AS (
    SELECT * FROM unnest(%(dimensions)s::bigint[], %(maxima)s::numeric[])
), scored AS (
    SELECT s.dimension_id, round(s.points * shown.maximum, 30) / s.max_points AS value
    FROM surveys_dimensionscore s
    JOIN submitted ON submitted.id = s.response_id
    JOIN shown ON shown.dimension_id = s.dimension_id
    WHERE s.max_points > 0
    UNION ALL
    SELECT NULL, CASE WHEN max_points > 0
                 THEN round(total_points * %(scale)s::numeric, 30) / max_points END
    FROM submitted
)
SELECT dimension_id, count(*), count(value), avg(value), min(value), max(value),
       (percentile_disc(0.5) WITHIN GROUP (ORDER BY value)
        + percentile_disc(0.5) WITHIN GROUP (ORDER BY value DESC)) / 2,
       stddev_pop(value)
FROM scored
GROUP BY dimension_id
"""


def round_statistics_sql(
    round_id: int, *, scale: Decimal, shown: dict[int, Decimal]
) -> RoundStatistics:
    """`round_statistics` in one PostgreSQL statement."""
    params = {
        "round": round_id,
        "status": ResponseStatus.SUBMITTED,
        "dimensions": list(shown),
        "maxima": list(shown.values()),
        "scale": scale,
    }
    with connection.cursor() as cursor:
        cursor.execute(STATISTICS_SQL, params)
        rows = cursor.fetchall()
    submitted, by_dimension = 0, {}
    for dimension_id, count, n, mean, minimum, maximum, median, stdev in rows:
        if dimension_id is None:
            submitted = count
        if n:
            by_dimension[dimension_id] = team_statistics(
                n=n, mean=mean, median=median, minimum=minimum, maximum=maximum, stdev=stdev
            )
    return RoundStatistics(submitted=submitted, by_dimension=by_dimension)


def round_statistics_python(
    round_id: int, *, scale: Decimal, shown: dict[int, Decimal]
) -> RoundStatistics:
    """`round_statistics` on any database: the snapshots read, `calculations.aggregate` over
    their exact fractions."""
    submitted = Response.objects.filter(round_id=round_id, status=ResponseStatus.SUBMITTED)
    totals = list(submitted.values_list("total_points", "max_points"))
    values: dict[int | None, list] = defaultdict(list)
    values[None] = [on_scale_exact(t, m, scale) for t, m in totals if m]
    for dimension_id, points, maximum in DimensionScore.objects.filter(
        response__in=submitted, max_points__gt=0, dimension_id__in=list(shown)
    ).values_list("dimension_id", "points", "max_points"):
        values[dimension_id].append(on_scale_exact(points, maximum, shown[dimension_id]))
    return RoundStatistics(
        submitted=len(totals),
        by_dimension={key: aggregate(found) for key, found in values.items() if found},
    )
