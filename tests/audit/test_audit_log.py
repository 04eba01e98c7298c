"""The audit log: one entry per sensitive action, written in the action's transaction, never
changed or deleted except together with its organization; owners and admins read it."""

import csv
import io
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from apps.core import audit
from apps.core.models import AuditEntry
from apps.organizations import services
from apps.organizations.models import Invitation, Membership, Role, Team
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def entries(action, org=None):
    found = AuditEntry.objects.filter(action=action)
    return list(found.filter(organization=org) if org is not None else found)


def membership_of(user, org) -> Membership:
    return Membership.objects.get(user=user, organization=org)


# --- The log itself


def test_an_action_that_rolls_back_leaves_no_entry(org, member_of):
    owner, member = member_of(Role.OWNER), member_of(Role.MEMBER)
    access = services_access(owner, org)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.membership_change_role(
            actor=access, membership=membership_of(member, org), role=Role.LEAD
        )
        assert len(entries("member.role_changed", org)) == 1  # written in the transaction
        raise RuntimeError("the request failed after the change")
    assert entries("member.role_changed", org) == []
    assert membership_of(member, org).role == Role.MEMBER


def test_record_refuses_to_write_outside_a_transaction(org):
    # pytest-django wraps each test in a transaction; leave it to see the guard.
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError, match="transaction"):
            audit.record("team.created", organization=org)
    finally:
        connection.in_atomic_block = saved


def test_unknown_actions_are_refused(org):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.record("team.painted", organization=org)


def test_update_and_delete_by_raw_sql_are_refused(org):
    with transaction.atomic():
        entry = audit.record("team.created", organization=org, label="Platform")
    for statement in (
        "UPDATE core_auditentry SET action = 'team.archived' WHERE id = %s",
        "UPDATE core_auditentry SET actor_email = 'someone@else.test' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    entry.refresh_from_db()
    assert entry.action == "team.created"


def test_deleting_the_organization_deletes_its_entries_and_no_other(org, member_of):
    owner = member_of(Role.OWNER)
    other = OrganizationFactory()
    with transaction.atomic():
        audit.record("team.created", organization=org, actor=owner, label="Mine")
        audit.record("team.created", organization=other, label="Theirs")
        audit.record("account.sign_in_failed", label=owner.email)
    services.organization_purge(organization=org)
    left = AuditEntry.objects.exclude(action__startswith="bank.")  # the shipped banks' imports
    assert list(left.values_list("object_label", flat=True).order_by("pk")) == [
        "Theirs",
        owner.email,
    ]
    # The permission was for that one deletion: the other organization's entries stay guarded.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(organization=other).delete()


def test_deleting_an_account_keeps_its_entries_with_the_email(org):
    user = UserFactory(email="leaver@example.com")
    with transaction.atomic():
        audit.record("team.created", organization=org, actor=user, label="Platform")
    user.delete()
    entry = AuditEntry.objects.get(organization=org)
    assert (entry.actor_id, entry.actor_email) == (None, "leaver@example.com")


# --- The page


def audit_url(org, **query):
    url = reverse("audit:log", args=[org.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_members_get_403_and_outsiders_404(client, org, member_of):
    for role in (Role.MEMBER, Role.LEAD, Role.EXECUTIVE):
        client.force_login(member_of(role))
        assert client.get(audit_url(org)).status_code == 403
    client.force_login(UserFactory())
    assert client.get(audit_url(org)).status_code == 404


def test_admins_read_filter_and_export_with_the_export_logged(client, org, member_of):
    admin, member = member_of(Role.ADMIN), member_of(Role.MEMBER)
    client.force_login(admin)
    client.post(
        reverse(
            "organizations:member_update", args=[org.slug, membership_of(member, org).public_id]
        ),
        {"role": int(Role.LEAD)},
        REMOTE_ADDR="203.0.113.9",
    )
    client.post(reverse("organizations:team_list", args=[org.slug]), {"name": "Data"})
    page = client.get(audit_url(org))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Member&#x27;s role changed" in text and "Team created" in text
    assert "203.0.113.9" in text and member.email in text

    only_roles = client.get(audit_url(org, action="member.role_changed")).content.decode()
    assert "Team created" not in only_roles.split("<tbody>")[1]

    exported = client.get(audit_url(org, action="member.role_changed", export="csv"))
    assert exported["Content-Disposition"].startswith("attachment")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig")))
    )
    assert [(row["action"], row["actor_email"], row["ip_address"]) for row in rows] == [
        ("member.role_changed", admin.email, "203.0.113.9")
    ]
    assert json.loads(rows[0]["before"]) == {"role": "Member"}
    assert json.loads(rows[0]["after"]) == {"role": "Lead"}

    data = json.loads(client.get(audit_url(org, export="json")).content)
    assert data["version"] == 1
    assert {entry["action"] for entry in data["entries"]} == {
        "member.role_changed",
        "team.created",
        "audit.exported",  # the CSV export before it
    }
    assert len(entries("audit.exported", org)) == 2


def test_the_date_filter_reads_days_in_the_organizations_time_zone(client, org, member_of):
    client.force_login(member_of(Role.OWNER))
    with transaction.atomic():
        audit.record("team.created", organization=org, label="Today")
    today = AuditEntry.objects.get(organization=org).created_at.date().isoformat()
    assert "Today" in client.get(audit_url(org, since=today, until=today)).content.decode()
    assert "Today" not in client.get(audit_url(org, until="2000-01-01")).content.decode()
    backwards = client.get(audit_url(org, since="2030-01-02", until="2030-01-01"))
    assert "start date is after the end date" in backwards.content.decode()


def services_access(user, org):
    from apps.organizations.access import organization_access

    return organization_access(user, org.slug)


# --- Organization actions: exactly one entry each, none for a refused attempt


def test_role_change_and_a_refused_one(client, org, member_of):
    admin, owner, member = member_of(Role.ADMIN), member_of(Role.OWNER), member_of(Role.MEMBER)
    client.force_login(admin)
    url = reverse(
        "organizations:member_update", args=[org.slug, membership_of(owner, org).public_id]
    )
    assert client.post(url, {"role": int(Role.MEMBER)}).status_code == 403
    assert entries("member.role_changed") == []
    url = reverse(
        "organizations:member_update", args=[org.slug, membership_of(member, org).public_id]
    )
    client.post(url, {"role": int(Role.EXECUTIVE)})
    [entry] = entries("member.role_changed", org)
    assert (entry.actor, entry.object_label) == (admin, member.email)
    assert (entry.before, entry.after) == ({"role": "Member"}, {"role": "Executive"})


def test_member_removal_and_a_refused_one(client, org, member_of):
    owner, member = member_of(Role.OWNER), member_of(Role.MEMBER)
    client.force_login(owner)
    own = reverse(
        "organizations:member_update", args=[org.slug, membership_of(owner, org).public_id]
    )
    client.post(own, {"action": "remove"})  # the last owner: refused
    assert entries("member.removed") == []
    url = reverse(
        "organizations:member_update", args=[org.slug, membership_of(member, org).public_id]
    )
    client.post(url, {"action": "remove"})
    [entry] = entries("member.removed", org)
    assert entry.object_label == member.email


def test_invitation_sent_and_revoked(client, org, member_of):
    owner, member = member_of(Role.OWNER), member_of(Role.MEMBER)
    client.force_login(owner)
    url = reverse("organizations:member_list", args=[org.slug])
    client.post(url, {"email": member.email, "role": int(Role.MEMBER)})  # already a member
    assert entries("invitation.sent") == []
    client.post(url, {"email": "new@example.com", "role": int(Role.LEAD)})
    [sent] = entries("invitation.sent", org)
    assert (sent.object_label, sent.after["role"]) == ("new@example.com", "Lead")
    invitation = Invitation.objects.get(email="new@example.com")
    client.post(
        reverse("organizations:invitation_update", args=[org.slug, invitation.public_id]),
        {"action": "revoke"},
    )
    [revoked] = entries("invitation.revoked", org)
    assert revoked.object_label == "new@example.com"


def test_team_create_rename_archive(client, org, member_of):
    client.force_login(member_of(Role.ADMIN))
    teams = reverse("organizations:team_list", args=[org.slug])
    client.post(teams, {"name": "Data"})
    client.post(teams, {"name": "data"})  # the name is taken: refused
    [created] = entries("team.created", org)
    team = Team.objects.get(organization=org, name="Data")
    detail = reverse("organizations:team_detail", args=[org.slug, team.public_id])
    client.post(detail, {"name": "Data platform", "description": ""})
    [renamed] = entries("team.renamed", org)
    assert (renamed.before, renamed.after) == ({"name": "Data"}, {"name": "Data platform"})
    client.post(reverse("organizations:team_archive", args=[org.slug, team.public_id]))
    assert len(entries("team.archived", org)) == 1
    assert created.object_id == str(team.public_id)


def test_django_admin_shows_entries_but_deletes_none_on_its_own(admin_client, org):
    with transaction.atomic():
        entry = audit.record("team.created", organization=org, label="Platform")
    assert admin_client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    delete = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
