"""Round invariants that span rows, enforced by PostgreSQL (SQLite relies on the services).

- A response's bank is its round's pinned bank, and an answer's question belongs to that bank
  and its choice to that question (composite foreign keys).
- A round's bank cannot change once it has a response.
- Submitted responses are read-only: their answers cannot be added, changed or removed, and the
  response row itself cannot change again (deleting a whole organization still cascades).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE surveys_round ADD CONSTRAINT round_id_bank_unique UNIQUE (id, bank_id);
ALTER TABLE surveys_response ADD CONSTRAINT response_id_bank_unique UNIQUE (id, bank_id);
ALTER TABLE surveys_choice ADD CONSTRAINT choice_id_question_unique UNIQUE (id, question_id);

ALTER TABLE surveys_response ADD CONSTRAINT response_bank_is_rounds_bank
    FOREIGN KEY (round_id, bank_id) REFERENCES surveys_round (id, bank_id)
    ON UPDATE RESTRICT ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE surveys_answer ADD CONSTRAINT answer_bank_is_responses_bank
    FOREIGN KEY (response_id, bank_id) REFERENCES surveys_response (id, bank_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE surveys_answer ADD CONSTRAINT answer_question_in_bank
    FOREIGN KEY (question_id, bank_id) REFERENCES surveys_question (id, bank_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE surveys_answer ADD CONSTRAINT answer_choice_of_question
    FOREIGN KEY (choice_id, question_id) REFERENCES surveys_choice (id, question_id)
    DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION surveys_answer_response_not_submitted() RETURNS trigger AS $$
DECLARE
    target bigint := COALESCE(NEW.response_id, OLD.response_id);
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM surveys_response WHERE id = target) THEN
        RETURN OLD;  -- the response itself is being deleted (organization or round deleted)
    END IF;
    IF EXISTS (SELECT 1 FROM surveys_response WHERE id = target AND status = 'submitted') THEN
        RAISE EXCEPTION 'answers of a submitted response are read-only (response %)', target
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER answer_response_not_submitted
    BEFORE INSERT OR UPDATE OR DELETE ON surveys_answer
    FOR EACH ROW EXECUTE FUNCTION surveys_answer_response_not_submitted();

CREATE FUNCTION surveys_submitted_response_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'submitted' THEN
        RAISE EXCEPTION 'a submitted response is read-only (response %)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER submitted_response_frozen
    BEFORE UPDATE ON surveys_response
    FOR EACH ROW EXECUTE FUNCTION surveys_submitted_response_frozen();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS submitted_response_frozen ON surveys_response;
DROP FUNCTION IF EXISTS surveys_submitted_response_frozen();
DROP TRIGGER IF EXISTS answer_response_not_submitted ON surveys_answer;
DROP FUNCTION IF EXISTS surveys_answer_response_not_submitted();
ALTER TABLE surveys_answer DROP CONSTRAINT IF EXISTS answer_choice_of_question;
ALTER TABLE surveys_answer DROP CONSTRAINT IF EXISTS answer_question_in_bank;
ALTER TABLE surveys_answer DROP CONSTRAINT IF EXISTS answer_bank_is_responses_bank;
ALTER TABLE surveys_response DROP CONSTRAINT IF EXISTS response_bank_is_rounds_bank;
ALTER TABLE surveys_choice DROP CONSTRAINT IF EXISTS choice_id_question_unique;
ALTER TABLE surveys_response DROP CONSTRAINT IF EXISTS response_id_bank_unique;
ALTER TABLE surveys_round DROP CONSTRAINT IF EXISTS round_id_bank_unique;
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no params: the plpgsql bodies' % are not placeholders


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_rounds")]

    operations = [migrations.RunPython(forward, backward)]
