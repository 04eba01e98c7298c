"""Deleting an organization on request: the export first, 14 days' wait, any owner cancels, the
beat deletes it. Nothing of it is left (rows of every model in its graph, stored files, queued
e-mails), and nothing of another organization goes."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditEntry, JobStatus, QueuedJob
from apps.organizations import deletion
from apps.organizations.access import organization_access
from apps.organizations.models import Organization, Role
from apps.organizations.tasks import delete_due_organizations
from apps.reports import org_export
from apps.reports.models import OrganizationExport
from apps.scoring.models import Target, TargetPolicy
from apps.sso.models import IdentityProvider, SsoDomain
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamMembershipFactory,
)
from tests.scenarios import build_organization

pytestmark = pytest.mark.django_db

# Per model, its rows that belong to an organization. Every model of the project is here, or in
# NOT_ORGANIZATIONS' with the reason (a new model fails the test until it is placed).
OWNED = {
    "organizations.Organization": "pk",
    "organizations.Membership": "organization",
    "organizations.Team": "organization",
    "organizations.TeamMembership": "team__organization",
    "organizations.Invitation": "organization",
    "sso.IdentityProvider": "organization",
    "sso.SsoDomain": "organization",
    "surveys.Round": "team__organization",
    "surveys.Participant": "round__team__organization",
    "surveys.Response": "round__team__organization",
    "surveys.Answer": "response__round__team__organization",
    "scoring.DimensionScore": "response__round__team__organization",
    "scoring.TeamScore": "round__team__organization",
    "scoring.QuestionLevel": "round__team__organization",
    "scoring.Target": "organization",
    "scoring.TargetPolicy": "organization",
    "plans.Action": "organization",
    "reports.Report": "organization",
    "reports.OrganizationExport": "organization",
    "core.AuditEntry": "organization",
}
NOT_ORGANIZATIONS = {
    "accounts.User",  # a person, who may belong to several organizations
    "accounts.ApiToken",  # a person's
    "core.QueuedJob",  # checked by the addresses its jobs hold
    "core.AuditPurge",  # a marker inside the deletion's own transaction
    *[f"surveys.{name}" for name in ("QuestionBank", "Level", "Dimension", "Question")],
    *[f"surveys.{name}" for name in ("Choice", "Guidance")],  # banks are shared by all
}


def rows_of(organization_id: int) -> dict[str, int]:
    return {
        label: apps.get_model(label).objects.filter(**{lookup: organization_id}).count()
        for label, lookup in OWNED.items()
    }


def fill(org, owner, django_capture_on_commit_callbacks):
    """Everything an organization can hold, a row in each model of OWNED at least."""
    build_organization(org, owner)  # rounds, responses, scores, a report file, queued e-mails
    team = org.teams.first()
    TeamMembershipFactory(team=team, membership=owner.memberships.get(organization=org))
    ActionFactory(team=team)
    Target.objects.create(
        organization=org, team=team, bank_slug="llmops", dimension_key="application",
        level=3, due="2099-12-31",
    )  # fmt: skip
    TargetPolicy.objects.create(organization=org)
    IdentityProvider.objects.create(
        organization=org, issuer="https://id.example", client_id="c", client_secret_sealed="x"
    )
    SsoDomain.objects.create(organization=org, domain=f"{org.slug}.example")
    with django_capture_on_commit_callbacks(execute=True):
        org_export.export_request(organization=org, requested_by=owner)


def test_project_models_are_all_placed():
    project = {m._meta.label for m in apps.get_models() if m.__module__.startswith("apps.")}
    assert project == set(OWNED) | NOT_ORGANIZATIONS


def test_an_owner_schedules_the_deletion_and_the_beat_leaves_nothing_of_it(
    client, org, member_of, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    owner = member_of(Role.OWNER, email="owner@acme.example")
    fill(org, owner, django_capture_on_commit_callbacks)
    other = OrganizationFactory(name="Other", slug="other")
    other_owner = MembershipFactory(organization=other, role=Role.OWNER).user
    fill(other, other_owner, django_capture_on_commit_callbacks)

    before = rows_of(org.pk)
    assert all(before.values()), before  # a row in every model
    other_before = rows_of(other.pk)
    files = [tmp_path / name for name in _file_names(org)]
    other_files = [tmp_path / name for name in _file_names(other)]
    assert len(files) == 2 and all(path.exists() for path in files + other_files)
    addresses = _addresses(org)
    assert _queued_with(addresses)

    # The settings page offers the export before the deletion.
    client.force_login(owner)
    page = client.get(reverse("organizations:settings", args=[org.slug])).content.decode()
    assert page.index(reverse("reports:export", args=[org.slug])) < page.index(
        reverse("organizations:delete", args=[org.slug])
    )
    response = client.post(
        reverse("organizations:delete", args=[org.slug]), {"confirm_name": "Acme"}
    )
    org.refresh_from_db()
    due = org.deletion_due_at
    assert timedelta(days=13, hours=23) < due - timezone.now() <= timedelta(days=14)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Acme will be deleted on {due:%-d %b %Y}. Any owner can cancel until then."
    ]
    page = client.get(reverse("organizations:settings", args=[org.slug])).content.decode()
    assert "Cancel the deletion" in page

    # Before the 14 days: nothing happens.
    assert deletion.organizations_delete_due(now=due - timedelta(minutes=1)) == 0
    assert rows_of(org.pk)["organizations.Organization"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert deletion.organizations_delete_due(now=due + timedelta(minutes=1)) == 1
    assert rows_of(org.pk) == dict.fromkeys(OWNED, 0)
    assert not any(path.exists() for path in files)
    assert not _queued_with(addresses)
    # The other organization is untouched.
    assert rows_of(other.pk) == other_before
    assert all(path.exists() for path in other_files)
    assert _queued_with(_addresses(other))


def _file_names(org) -> list[str]:
    from apps.reports.models import Report

    return [
        *Report.objects.filter(organization=org).values_list("file", flat=True),
        *OrganizationExport.objects.filter(organization=org).values_list("file", flat=True),
    ]


def _addresses(org) -> set[tuple[str, int]]:
    """(e-mail task, id) of the organization's invitations and participants."""
    from apps.organizations.models import Invitation
    from apps.surveys.models import Participant

    invitations = Invitation.objects.filter(organization=org).values_list("pk", flat=True)
    participants = Participant.objects.filter(round__team__organization=org)
    return {
        *[("send_invitation_email", pk) for pk in invitations],
        *[("send_participant_email", pk) for pk in participants.values_list("pk", flat=True)],
    }


def _queued_with(keys) -> list[QueuedJob]:
    """Queued e-mail jobs of these invitations or participants (their args start with the id)."""
    return [
        job
        for job in QueuedJob.objects.filter(status=JobStatus.QUEUED, task__endswith="email")
        if job.args and (job.task.rsplit(".", 1)[-1], job.args[0]) in keys
    ]


def test_any_owner_cancels_and_the_beat_then_deletes_nothing(client, org, member_of):
    first = member_of(Role.OWNER)
    second = MembershipFactory(organization=org, role=Role.OWNER).user
    deletion.organization_deletion_schedule(
        access=organization_access(first, org.slug), confirm_name="Acme"
    )
    client.force_login(second)
    response = client.post(reverse("organizations:delete_cancel", args=[org.slug]))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The deletion of Acme is cancelled."
    ]
    org.refresh_from_db()
    assert org.deletion_due_at is None
    assert delete_due_organizations.delay().get() == 0
    assert Organization.objects.filter(pk=org.pk).exists()
    assert list(
        AuditEntry.objects.filter(organization=org).order_by("pk").values_list("action", flat=True)
    ) == ["organization.deletion_requested", "organization.deletion_cancelled"]


def test_a_wrong_name_schedules_nothing_and_admins_may_not(client, org, member_of):
    client.force_login(member_of(Role.OWNER))
    client.post(reverse("organizations:delete", args=[org.slug]), {"confirm_name": "Acm"})
    org.refresh_from_db()
    assert org.deletion_due_at is None
    client.force_login(member_of(Role.ADMIN))
    url = reverse("organizations:delete", args=[org.slug])
    assert client.post(url, {"confirm_name": "Acme"}).status_code == 403
    assert client.post(reverse("organizations:delete_cancel", args=[org.slug])).status_code == 403


def test_the_beat_runs_the_due_deletions_task():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["delete-due-organizations"]
    assert entry["task"] == delete_due_organizations.name
