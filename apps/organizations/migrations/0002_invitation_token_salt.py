"""Invitation links derived from the row (token_salt), so that e-mail jobs store no secret.

Links already e-mailed keep working (their hash is kept). A pending e-mail job used to store the
plain token: an invitation still waiting for its e-mail gets a derivable token instead (its old
token was never sent), and every unfinished job keeps only the invitation's id and token hash.
"""

import secrets

from django.db import migrations, models

from apps.core.tokens import hash_token

TASK = "apps.organizations.tasks.send_invitation_email"


def jobs_without_tokens(apps, schema_editor):
    from apps.organizations.services import invitation_token

    Invitation = apps.get_model("organizations", "Invitation")
    QueuedJob = apps.get_model("core", "QueuedJob")
    for job in QueuedJob.objects.filter(task=TASK).exclude(status="done"):
        if len(job.args) != 2:
            continue
        invitation_id, token = job.args
        invitation = Invitation.objects.filter(
            pk=invitation_id, token_hash=hash_token(token), sent_at__isnull=True
        ).first()
        if invitation is not None and not invitation.token_salt:
            invitation.token_salt = secrets.token_urlsafe(16)
            invitation.token_hash = hash_token(invitation_token(invitation))
            invitation.save(update_fields=["token_salt", "token_hash"])
        job.args = [invitation_id, invitation.token_hash if invitation else hash_token(token)]
        job.save(update_fields=["args"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_queued_job_queue"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="token_salt",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.RunPython(jobs_without_tokens, migrations.RunPython.noop),
    ]
