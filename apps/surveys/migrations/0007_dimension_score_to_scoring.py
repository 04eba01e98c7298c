"""DimensionScore now belongs to scoring (scoring 0002): state only, no table or row moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_participant_revoked_at"),
        ("scoring", "0002_dimension_score"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="DimensionScore")],
        ),
    ]
