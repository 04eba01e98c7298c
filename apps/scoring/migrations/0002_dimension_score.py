"""DimensionScore moves from surveys to scoring: state only, the table surveys_dimensionscore
and its rows stay (surveys 0007 removes it from the surveys state)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0001_initial"),
        ("surveys", "0006_participant_revoked_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="DimensionScore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("points", models.DecimalField(decimal_places=2, max_digits=9)),
                        ("max_points", models.DecimalField(decimal_places=2, max_digits=9)),
                        (
                            "dimension",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="surveys.dimension",
                            ),
                        ),
                        (
                            "response",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="dimension_scores",
                                to="surveys.response",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "surveys_dimensionscore",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("response", "dimension"), name="dimension_score_unique"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("points__gte", 0), ("points__lte", models.F("max_points"))
                                ),
                                name="dimension_score_in_range",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
