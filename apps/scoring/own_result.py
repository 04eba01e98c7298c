"""A respondent's own result (the thank-you page), from their response's score snapshot."""

from dataclasses import dataclass
from decimal import Decimal

from apps.scoring.bands import bank_bands
from apps.scoring.calculations import LevelBand, level_for, percent
from apps.scoring.models import DimensionScore
from apps.surveys.models import Response


@dataclass(frozen=True)
class DimensionResult:
    key: str
    name: str
    points: Decimal
    max_points: Decimal
    level: LevelBand

    @property
    def percent(self) -> Decimal:
        return percent(self.points, self.max_points)


@dataclass(frozen=True)
class Result:
    dimensions: list[DimensionResult]
    total: Decimal
    max_total: Decimal
    level: LevelBand
    respondents: int = 1

    @property
    def percent(self) -> Decimal:
        return percent(self.total, self.max_total)


def _result(rows, bands, respondents: int) -> Result:
    """rows: (key, name, points, max_points) per dimension, from the stored snapshots."""
    max_total = sum((r[3] for r in rows), Decimal(0))
    total = sum((r[2] for r in rows), Decimal(0))
    dimensions = [
        DimensionResult(
            key,
            name,
            points,
            maximum,
            level_for(points, maximum=maximum, bank_maximum=max_total, bands=bands),
        )
        for key, name, points, maximum in rows
    ]
    return Result(
        dimensions=dimensions,
        total=total,
        max_total=max_total,
        level=level_for(total, maximum=max_total, bank_maximum=max_total, bands=bands),
        respondents=respondents,
    )


def own_result(response: Response) -> Result:
    rows = (
        DimensionScore.objects.filter(response=response)
        .order_by("dimension__order")
        .values_list("dimension__key", "dimension__name", "points", "max_points")
    )
    return _result(list(rows), bank_bands(response.bank_id), 1)
