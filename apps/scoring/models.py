from django.conf import settings
from django.db import models
from django.db.models import F, Q


class DimensionScore(models.Model):
    """Part of a response's score snapshot: its points in one dimension, stored at submit, out of
    the applicable maximum (the questions it scored: N/A and don't know drop out). A dimension
    with no scored answer has no row: it is not assessed for that respondent.

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
    below the round's threshold; every reader hides it until `submitted` reaches the threshold.
    The statistics are over the `n` respondents who have a score here (not assessed ones are
    left out), of their fractions shown on `max_points` (the total: the bank's scale; a
    dimension: its maximum). The total row is stored whenever anyone submitted, with empty
    statistics when nobody has a score.
    """

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="team_scores")
    dimension = models.ForeignKey(
        "surveys.Dimension", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted = models.PositiveIntegerField()  # everyone who submitted: the threshold counts them
    n = models.PositiveIntegerField()  # those with a score here
    mean = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    median = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    minimum = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    maximum = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    stdev = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    max_points = models.DecimalField(max_digits=9, decimal_places=2)
    level_number = models.PositiveSmallIntegerField(null=True)
    level_name = models.CharField(max_length=60, blank=True)
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
            models.CheckConstraint(condition=Q(n__lte=F("submitted")), name="team_score_n_counted"),
            models.CheckConstraint(
                condition=Q(
                    n=0,
                    mean__isnull=True,
                    median__isnull=True,
                    minimum__isnull=True,
                    maximum__isnull=True,
                    stdev__isnull=True,
                    level_number__isnull=True,
                )
                | Q(
                    n__gt=0,
                    mean__isnull=False,
                    median__isnull=False,
                    minimum__isnull=False,
                    maximum__isnull=False,
                    stdev__isnull=False,
                    level_number__isnull=False,
                ),
                name="team_score_stats_iff_scored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.dimension_id or 'total'}: {self.mean}"


class QuestionLevel(models.Model):
    """A round's team level on one question: part of the round's snapshot, stored with its team
    aggregates when it closes (`services.team_scores_store`), one row per question of the
    round's bank whenever anyone submitted, below the threshold too (every reader hides it
    until the round's results may be seen).

    The level is the one rule of the result page (`calculations.question_current_level`, from
    the submitted answers' counts per option); `n` counts the answers that chose an option (N/A
    and don't know score nothing). No level: nobody chose an option. The organization patterns
    read these rows instead of every answer of every team's latest round."""

    round = models.ForeignKey(
        "surveys.Round", on_delete=models.CASCADE, related_name="question_levels"
    )
    question = models.ForeignKey("surveys.Question", on_delete=models.PROTECT, related_name="+")
    n = models.PositiveIntegerField()
    level_number = models.PositiveSmallIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="question_level_unique"),
            models.CheckConstraint(
                condition=Q(n__gt=0) | Q(level_number__isnull=True),
                name="question_level_only_if_chosen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.question_id}: {self.level_number}"


class Target(models.Model):
    """A target level for one dimension of a question bank: the organization's default (`team`
    empty) or a team's own, which replaces the default for that team.

    Keyed by the bank's slug and the dimension's key, never a bank version, so that a target
    survives a new version of the bank (history compares dimensions by key, DESIGN §3). The
    level is a level number of the bank's latest published version (apps.scoring.targets checks
    it, and that a team's own target is not below the default unless the organization allows
    it)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "organizations.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    bank_slug = models.SlugField(max_length=50)
    dimension_key = models.SlugField(max_length=50)
    level = models.PositiveSmallIntegerField()
    due = models.DateField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "bank_slug", "dimension_key"],
                condition=Q(team__isnull=True),
                name="target_one_default_per_dimension",
            ),
            models.UniqueConstraint(
                fields=["team", "bank_slug", "dimension_key"],
                condition=Q(team__isnull=False),
                name="target_one_per_team_dimension",
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="target_level_positive"),
        ]

    def __str__(self) -> str:
        whose = f"team {self.team_id}" if self.team_id else "default"
        return f"{self.bank_slug}/{self.dimension_key} → {self.level} ({whose})"


class TargetPolicy(models.Model):
    """An organization's rule for teams' own targets (no row: the default rule)."""

    organization = models.OneToOneField(
        "organizations.Organization",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="target_policy",
    )
    # Whether a team may set its own target below the organization's default.
    teams_may_go_below = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        rule = "allowed" if self.teams_may_go_below else "refused"
        return f"{self.organization_id}: teams' targets below the default {rule}"
