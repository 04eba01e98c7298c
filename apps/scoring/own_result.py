"""A respondent's own result (the thank-you page), from their response's score snapshot.

Fractions of the applicable maximum (DESIGN §3): the total shown on the bank's scale, each
assessed dimension on its maximum; a dimension they did not assess is left out."""

from dataclasses import dataclass
from decimal import Decimal

from apps.scoring.bands import bank_bands, bank_question_specs, bank_scale
from apps.scoring.calculations import LevelBand, level_for, max_by_dimension, on_scale, percent
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
    total: Decimal | None  # None: nothing scored (every answer N/A or don't know)
    max_total: Decimal
    level: LevelBand | None
    respondents: int = 1

    @property
    def percent(self) -> Decimal | None:
        return None if self.total is None else percent(self.total, self.max_total)


def _result(rows, bands, respondents: int, *, scale=None, maxima=None) -> Result:
    """rows: (key, name, points, applicable max_points) per assessed dimension, from the stored
    snapshots; `scale` and `maxima` (by dimension key): what the total and each dimension are
    shown on (default: the applicable maxima, as for a bank without N/A or don't know)."""
    applicable = sum((r[3] for r in rows), Decimal(0))
    points = sum((r[2] for r in rows), Decimal(0))
    scale = applicable if scale is None else scale
    maxima = maxima or {}
    dimensions = []
    for key, name, dimension_points, dimension_max in rows:
        shown_on = maxima.get(key, dimension_max)
        shown = on_scale(dimension_points, dimension_max, shown_on)
        level = level_for(shown, maximum=shown_on, bank_maximum=scale, bands=bands)
        dimensions.append(DimensionResult(key, name, shown, shown_on, level))
    total = on_scale(points, applicable, scale)
    return Result(
        dimensions=dimensions,
        total=total,
        max_total=scale,
        level=None
        if total is None
        else level_for(total, maximum=scale, bank_maximum=scale, bands=bands),
        respondents=respondents,
    )


def own_result(response: Response) -> Result:
    rows = (
        DimensionScore.objects.filter(response=response, max_points__gt=0)
        .order_by("dimension__order")
        .values_list("dimension__key", "dimension__name", "points", "max_points")
    )
    specs = bank_question_specs(response.bank_id)
    return _result(
        list(rows),
        bank_bands(response.bank_id),
        1,
        scale=bank_scale(response.bank, specs),
        maxima=max_by_dimension(specs),
    )
