"""Invariants that span rows, enforced by PostgreSQL (SQLite relies on the model layer).

- Every row inside a bank points at parents of the same bank (composite foreign keys).
- A question's guidance belongs to the question's own dimension.
- Level lower bounds rise strictly with the level number (a deferred constraint trigger, so a
  transaction may reorder bands and is checked at commit).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE surveys_dimension ADD CONSTRAINT dimension_id_bank_unique UNIQUE (id, bank_id);
ALTER TABLE surveys_level ADD CONSTRAINT level_id_bank_unique UNIQUE (id, bank_id);
ALTER TABLE surveys_question ADD CONSTRAINT question_id_bank_unique UNIQUE (id, bank_id);
ALTER TABLE surveys_question ADD CONSTRAINT question_id_dimension_unique UNIQUE (id, dimension_id);

ALTER TABLE surveys_question ADD CONSTRAINT question_dimension_same_bank
    FOREIGN KEY (dimension_id, bank_id) REFERENCES surveys_dimension (id, bank_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE surveys_choice ADD CONSTRAINT choice_question_same_bank
    FOREIGN KEY (question_id, bank_id) REFERENCES surveys_question (id, bank_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE surveys_guidance ADD CONSTRAINT guidance_dimension_same_bank
    FOREIGN KEY (dimension_id, bank_id) REFERENCES surveys_dimension (id, bank_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE surveys_guidance ADD CONSTRAINT guidance_level_same_bank
    FOREIGN KEY (level_id, bank_id) REFERENCES surveys_level (id, bank_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE surveys_guidance ADD CONSTRAINT guidance_question_in_dimension
    FOREIGN KEY (question_id, dimension_id) REFERENCES surveys_question (id, dimension_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION surveys_level_bounds_rise() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM surveys_level a JOIN surveys_level b
          ON a.bank_id = b.bank_id AND a.number < b.number AND a.min_score >= b.min_score
        WHERE a.bank_id = NEW.bank_id
    ) THEN
        RAISE EXCEPTION 'level lower bounds must rise strictly with the level number (bank %)', NEW.bank_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER level_bounds_rise
    AFTER INSERT OR UPDATE ON surveys_level
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION surveys_level_bounds_rise();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS level_bounds_rise ON surveys_level;
DROP FUNCTION IF EXISTS surveys_level_bounds_rise();
ALTER TABLE surveys_guidance DROP CONSTRAINT IF EXISTS guidance_question_in_dimension;
ALTER TABLE surveys_guidance DROP CONSTRAINT IF EXISTS guidance_level_same_bank;
ALTER TABLE surveys_guidance DROP CONSTRAINT IF EXISTS guidance_dimension_same_bank;
ALTER TABLE surveys_choice DROP CONSTRAINT IF EXISTS choice_question_same_bank;
ALTER TABLE surveys_question DROP CONSTRAINT IF EXISTS question_dimension_same_bank;
ALTER TABLE surveys_question DROP CONSTRAINT IF EXISTS question_id_dimension_unique;
ALTER TABLE surveys_question DROP CONSTRAINT IF EXISTS question_id_bank_unique;
ALTER TABLE surveys_level DROP CONSTRAINT IF EXISTS level_id_bank_unique;
ALTER TABLE surveys_dimension DROP CONSTRAINT IF EXISTS dimension_id_bank_unique;
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
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
