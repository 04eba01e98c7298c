"""Options tied to levels, "not applicable" and "don't know" (DESIGN §3, issue #13).

- QuestionBank.scale, options_per_level, allow_dont_know; Question.allow_na; Choice.level.
- Banks already in the database get allow_dont_know = false, so that no published bank (and
  no result of it) changes; new banks default to true.
- An Answer is an option, N/A or don't know (Answer.kind; choice only for an option).
- On PostgreSQL: a choice's level is a level of the same bank (composite foreign key; deleting
  the level clears it, renumbering it follows), and N/A and don't know are accepted only where
  the question and its bank allow them (a trigger next to 0004's read-only trigger).
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
ALTER TABLE surveys_choice ADD CONSTRAINT choice_level_of_bank
    FOREIGN KEY (bank_id, level) REFERENCES surveys_level (bank_id, number)
    ON UPDATE CASCADE ON DELETE SET NULL (level) DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION surveys_answer_kind_allowed() RETURNS trigger AS $$
BEGIN
    IF NEW.kind = 'na' AND NOT EXISTS (
        SELECT 1 FROM surveys_question WHERE id = NEW.question_id AND allow_na
    ) THEN
        RAISE EXCEPTION 'question % does not offer "not applicable"', NEW.question_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.kind = 'dk' AND NOT EXISTS (
        SELECT 1 FROM surveys_question q JOIN surveys_questionbank b ON b.id = q.bank_id
        WHERE q.id = NEW.question_id AND b.allow_dont_know
    ) THEN
        RAISE EXCEPTION 'the bank of question % does not offer "don''t know"', NEW.question_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER answer_kind_allowed
    BEFORE INSERT OR UPDATE ON surveys_answer
    FOR EACH ROW EXECUTE FUNCTION surveys_answer_kind_allowed();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS answer_kind_allowed ON surveys_answer;
DROP FUNCTION IF EXISTS surveys_answer_kind_allowed();
ALTER TABLE surveys_choice DROP CONSTRAINT IF EXISTS choice_level_of_bank;
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no params: the plpgsql body's % is not a placeholder


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0007_dimension_score_to_scoring")]

    operations = [
        migrations.AddField(
            model_name="questionbank",
            name="scale",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="The total is shown on this scale: the scale times the fraction of "
                "the applicable maximum. The levels' lower bounds are on it. Blank: the bank's "
                "maximum total.",
                max_digits=8,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="questionbank",
            name="options_per_level",
            field=models.BooleanField(
                default=False,
                help_text="Every question has exactly one option per level, in rising order of "
                "points.",
            ),
        ),
        # Existing banks: false (a published bank never changes); then the default for new ones.
        migrations.AddField(
            model_name="questionbank",
            name="allow_dont_know",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="questionbank",
            name="allow_dont_know",
            field=models.BooleanField(
                default=True, help_text='Every question offers "I don\'t know" (it does not score).'
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="allow_na",
            field=models.BooleanField(
                default=False, help_text='Offer "Not applicable" (it does not score).'
            ),
        ),
        migrations.AddField(
            model_name="choice",
            name="level",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="answer",
            name="kind",
            field=models.CharField(
                choices=[("choice", "Option"), ("na", "Not applicable"), ("dk", "I don't know")],
                default="choice",
                max_length=6,
            ),
        ),
        migrations.AlterField(
            model_name="answer",
            name="choice",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="surveys.choice",
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(kind="choice", choice__isnull=False)
                | models.Q(kind__in=["na", "dk"], choice__isnull=True),
                name="answer_kind_matches_choice",
            ),
        ),
        migrations.AddConstraint(
            model_name="choice",
            constraint=models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1),
                name="choice_level_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="questionbank",
            constraint=models.CheckConstraint(
                condition=models.Q(scale__isnull=True) | models.Q(scale__gt=0),
                name="bank_scale_positive",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
