"""A round's team level per question, stored at close beside its team aggregates (#14): the
organization patterns read these rows instead of every answer of every team's latest round.

The rounds closed so far get theirs here, as `services.question_levels_compute` would store
them: for every closed round anyone submitted to (it has a total team aggregate), a row per
question of its bank, by the result page's rule (`calculations.question_current_level`) over
the submitted answers' counts per option. Rounds are read in batches, one GROUP BY each.
"""

from collections import defaultdict
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count

from apps.scoring.calculations import LevelBand, question_current_level

BATCH = 500  # rounds per GROUP BY


def _bank_parts(apps, bank_id: int):
    """The bank's questions, options by question, bands and scale (bands.bank_bands and
    bands.bank_scale, on the historical models)."""
    QuestionBank = apps.get_model("surveys", "QuestionBank")
    Question = apps.get_model("surveys", "Question")
    Choice = apps.get_model("surveys", "Choice")
    Level = apps.get_model("surveys", "Level")
    bank = QuestionBank.objects.get(pk=bank_id)
    questions = list(
        Question.objects.filter(bank_id=bank_id).values_list("pk", "weight", "dimension_id")
    )
    options: dict[int, list[tuple[int, int, int | None]]] = {pk: [] for pk, _, _ in questions}
    for question_id, choice_id, points, level in Choice.objects.filter(bank_id=bank_id).values_list(
        "question_id", "pk", "points", "level"
    ):
        options[question_id].append((choice_id, points, level))
    bands = [
        LevelBand(number, name, min_score)
        for number, name, min_score in Level.objects.filter(bank_id=bank_id)
        .order_by("number")
        .values_list("number", "name", "min_score")
    ]
    if bank.scale is not None:
        scale = bank.scale
    else:  # the bank's maximum total: each question's top points times its weight
        scale = sum(
            (
                max((points for _, points, _ in options[pk]), default=0) * weight
                for pk, weight, _ in questions
            ),
            Decimal(0),
        )
    return options, bands, scale


def store_levels(apps, schema_editor):
    Round = apps.get_model("surveys", "Round")
    Answer = apps.get_model("surveys", "Answer")
    QuestionLevel = apps.get_model("scoring", "QuestionLevel")
    rounds = list(
        Round.objects.filter(status="closed", team_scores__dimension__isnull=True)
        .order_by("pk")
        .values_list("pk", "bank_id")
    )
    banks: dict[int, tuple] = {}
    for start in range(0, len(rounds), BATCH):
        batch = dict(rounds[start : start + BATCH])
        chosen: dict[int, dict[int, int]] = defaultdict(dict)  # round → option → how many
        for round_id, choice_id, n in (
            Answer.objects.filter(
                response__round_id__in=batch, response__status="submitted", kind="choice"
            )
            .values("response__round_id", "choice_id")
            .annotate(n=Count("pk"))
            .values_list("response__round_id", "choice_id", "n")
            .order_by()
        ):
            chosen[round_id][choice_id] = n
        rows = []
        for round_id, bank_id in batch.items():
            if bank_id not in banks:
                banks[bank_id] = _bank_parts(apps, bank_id)
            options, bands, scale = banks[bank_id]
            counts = chosen[round_id]
            for question_id, found in options.items():
                counted = [(points, level, counts.get(pk, 0)) for pk, points, level in found]
                rows.append(
                    QuestionLevel(
                        round_id=round_id,
                        question_id=question_id,
                        n=sum(n for _, _, n in counted),
                        level_number=question_current_level(counted, scale=scale, bands=bands),
                    )
                )
        QuestionLevel.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0004_targets"),
        ("surveys", "0009_answer_comment_and_evidence"),
    ]

    operations = [
        migrations.CreateModel(
            name="QuestionLevel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("n", models.PositiveIntegerField()),
                ("level_number", models.PositiveSmallIntegerField(null=True)),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.question",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="question_levels",
                        to="surveys.round",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("round", "question"), name="question_level_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("n__gt", 0), ("level_number__isnull", True), _connector="OR"
                        ),
                        name="question_level_only_if_chosen",
                    ),
                ],
            },
        ),
        migrations.RunPython(store_levels, migrations.RunPython.noop),
    ]
