"""Accounts made before e-mail verification get their address recorded for allauth.

Only an address proved by an accepted invitation (the link went to it) counts as verified.
Everyone else confirms theirs at their next log-in, when allauth e-mails them a link; until
then their API tokens are refused. This closes the pre-hijacking hole for existing accounts.
"""

from django.db import migrations


def record_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Invitation = apps.get_model("organizations", "Invitation")
    proved = {
        (user_id, email.lower())
        for user_id, email in Invitation.objects.filter(accepted_by__isnull=False).values_list(
            "accepted_by_id", "email"
        )
    }
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(
            user_id=user_id,
            email=email,
            primary=True,
            verified=(user_id, email.lower()) in proved,
        )
        for user_id, email in User.objects.values_list("pk", "email")
        if user_id not in known
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_tokens"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("organizations", "0001_initial"),
    ]

    operations = [migrations.RunPython(record_addresses, migrations.RunPython.noop)]
