from django.db import models
from django.db.models import F, Q


class DimensionScore(models.Model):
    """Part of a response's score snapshot: its points in one dimension, stored at submit.

    Moved here from surveys (which never computes a score); the table keeps its name and rows.
    """

    response = models.ForeignKey(
        "surveys.Response", on_delete=models.CASCADE, related_name="dimension_scores"
    )
    dimension = models.ForeignKey("surveys.Dimension", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=9, decimal_places=2)
    max_points = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        db_table = "surveys_dimensionscore"
        constraints = [
            models.UniqueConstraint(
                fields=["response", "dimension"], name="dimension_score_unique"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0, points__lte=F("max_points")),
                name="dimension_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points} / {self.max_points}"


class TeamScore(models.Model):
    """A round's team aggregate for one dimension (or the total, `dimension` empty).

    Stored when the round closes, from the submitted responses' score snapshots. Stored even
    below the round's threshold; every reader hides it until `n` reaches the threshold.
    """

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="team_scores")
    dimension = models.ForeignKey(
        "surveys.Dimension", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    n = models.PositiveIntegerField()
    mean = models.DecimalField(max_digits=9, decimal_places=2)
    median = models.DecimalField(max_digits=9, decimal_places=2)
    minimum = models.DecimalField(max_digits=9, decimal_places=2)
    maximum = models.DecimalField(max_digits=9, decimal_places=2)
    stdev = models.DecimalField(max_digits=9, decimal_places=2)
    max_points = models.DecimalField(max_digits=9, decimal_places=2)
    level_number = models.PositiveSmallIntegerField()
    level_name = models.CharField(max_length=60)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "dimension"],
                condition=Q(dimension__isnull=False),
                name="team_score_one_per_dimension",
            ),
            models.UniqueConstraint(
                fields=["round"], condition=Q(dimension__isnull=True), name="team_score_one_total"
            ),
            models.CheckConstraint(
                condition=Q(minimum__lte=models.F("mean"), mean__lte=models.F("maximum")),
                name="team_score_mean_within_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.dimension_id or 'total'}: {self.mean}"
