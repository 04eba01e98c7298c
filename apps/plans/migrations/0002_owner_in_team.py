"""An action's owner is a member of its team, enforced by PostgreSQL (SQLite relies on the
services and on apps.plans.receivers).

A composite foreign key from (owner_id, team_id) to the team memberships: an owner outside the
team cannot be stored, and when someone leaves the team (their team membership is deleted) the
actions they owned there lose their owner and keep everything else (ON DELETE SET NULL of the
owner column only, PostgreSQL 15+). An organization-level action has no team, so MATCH SIMPLE
leaves its owner to the ordinary foreign key to the membership.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE plans_action ADD CONSTRAINT action_owner_in_team
    FOREIGN KEY (owner_id, team_id)
    REFERENCES organizations_teammembership (membership_id, team_id)
    ON DELETE SET NULL (owner_id);
"""

BACKWARD = "ALTER TABLE plans_action DROP CONSTRAINT IF EXISTS action_owner_in_team;"


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("organizations", "0002_invitation_token_salt"),
    ]

    operations = [migrations.RunPython(forward, backward)]
