"""A question bank's level bands, as the pure scoring rules take them."""

from apps.scoring.calculations import LevelBand
from apps.surveys.models import Level


def bank_bands(bank_id: int) -> list[LevelBand]:
    return [
        LevelBand(level.number, level.name, level.min_score)
        for level in Level.objects.filter(bank_id=bank_id).order_by("number")
    ]
