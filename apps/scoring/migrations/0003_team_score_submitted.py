"""Team aggregates over the respondents who have a score (issue #13, DESIGN §3).

TeamScore.submitted is everyone who submitted (what the threshold counts), apart from `n`, the
respondents with a score in the row's dimension (or total). Every row stored so far is of a
round where everyone has a score everywhere, so `submitted` = `n` and no number changes. The
statistics may be empty only where nobody has a score (a total of all "don't know").
"""

from django.db import migrations, models
from django.db.models import F, Q


def copy_n(apps, schema_editor):
    apps.get_model("scoring", "TeamScore").objects.update(submitted=F("n"))


def _nullable_decimal():
    return models.DecimalField(decimal_places=2, max_digits=9, null=True)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0002_dimension_score"),
        ("surveys", "0008_answer_kinds_and_option_levels"),
    ]

    operations = [
        migrations.AddField(
            model_name="teamscore",
            name="submitted",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(copy_n, migrations.RunPython.noop),
        migrations.AlterField("teamscore", "mean", _nullable_decimal()),
        migrations.AlterField("teamscore", "median", _nullable_decimal()),
        migrations.AlterField("teamscore", "minimum", _nullable_decimal()),
        migrations.AlterField("teamscore", "maximum", _nullable_decimal()),
        migrations.AlterField("teamscore", "stdev", _nullable_decimal()),
        migrations.AlterField(
            model_name="teamscore",
            name="level_number",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="teamscore",
            name="level_name",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddConstraint(
            model_name="teamscore",
            constraint=models.CheckConstraint(
                condition=Q(n__lte=F("submitted")), name="team_score_n_counted"
            ),
        ),
        migrations.AddConstraint(
            model_name="teamscore",
            constraint=models.CheckConstraint(
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
        ),
    ]
