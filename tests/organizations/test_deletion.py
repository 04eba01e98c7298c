"""Deleting an organization on PostgreSQL: everything of it goes, nothing of anyone else does."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.core.models import JobStatus, QueuedJob
from apps.organizations import services
from apps.organizations.access import organization_access
from apps.organizations.deletion import organizations_delete_due
from apps.organizations.models import Invitation, Membership, Organization, Role, Team
from apps.reports.models import Report
from apps.scoring.models import DimensionScore, TeamScore
from apps.surveys.models import Answer, Participant, Response, Round
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ready_team_report,
)
from tests.scenarios import build_organization, submit_responses

pytestmark = pytest.mark.django_db


def queued_jobs_of(participant_ids, invitation_ids):
    jobs = QueuedJob.objects.filter(status=JobStatus.QUEUED)
    return [
        job
        for job in jobs
        if (job.task.endswith("send_participant_email") and job.args[0] in participant_ids)
        or (job.task.endswith("send_invitation_email") and job.args[0] in invitation_ids)
    ]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_owner_deletes_an_organization_with_submitted_rounds_and_nothing_is_left(
    client, org, member_of, media, django_capture_on_commit_callbacks
):
    owner = member_of(Role.OWNER, email="owner@acme.example")
    report = build_organization(org, owner)
    other = OrganizationFactory(name="Other", slug="other")
    other_owner = MembershipFactory(organization=other, role=Role.OWNER).user
    other_report = build_organization(other, other_owner)

    rounds = list(Round.objects.filter(team__organization=org).values_list("pk", flat=True))
    participants = set(Participant.objects.filter(round__in=rounds).values_list("pk", flat=True))
    invitations = set(Invitation.objects.filter(organization=org).values_list("pk", flat=True))
    assert Answer.objects.filter(response__round__in=rounds, response__status="submitted")
    assert queued_jobs_of(participants, invitations)  # the set-up has e-mails waiting
    path = media / report.file.name
    assert path.exists()
    other_counts = {  # what belongs to the other organization must all survive
        Team: Team.objects.filter(organization=other).count(),
        Round: Round.objects.filter(team__organization=other).count(),
        Participant: Participant.objects.filter(round__team__organization=other).count(),
        Response: Response.objects.filter(round__team__organization=other).count(),
        Answer: Answer.objects.filter(response__round__team__organization=other).count(),
        DimensionScore: DimensionScore.objects.filter(
            response__round__team__organization=other
        ).count(),
        TeamScore: TeamScore.objects.filter(round__team__organization=other).count(),
    }
    other_participants = set(
        Participant.objects.filter(round__team__organization=other).values_list("pk", flat=True)
    )
    other_invitations = set(
        Invitation.objects.filter(organization=other).values_list("pk", flat=True)
    )
    other_jobs = len(queued_jobs_of(other_participants, other_invitations))

    client.force_login(owner)
    response = client.post(
        reverse("organizations:delete", args=[org.slug]), {"confirm_name": "Acme"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert Organization.objects.filter(pk=org.pk).exists()  # 14 days first
    with django_capture_on_commit_callbacks(execute=True):  # the beat, 14 days later
        assert organizations_delete_due(now=org.deletion_due_at + timedelta(seconds=1)) == 1

    assert not Organization.objects.filter(pk=org.pk).exists()
    assert not Team.objects.filter(organization_id=org.pk).exists()
    assert not Round.objects.filter(pk__in=rounds).exists()
    assert not Participant.objects.filter(pk__in=participants).exists()
    assert not Response.objects.filter(round_id__in=rounds).exists()
    assert not Answer.objects.filter(response__round_id__in=rounds).exists()
    assert not DimensionScore.objects.filter(response__round_id__in=rounds).exists()
    assert not TeamScore.objects.filter(round_id__in=rounds).exists()
    assert not Report.objects.filter(organization_id=org.pk).exists()
    assert not Invitation.objects.filter(pk__in=invitations).exists()
    assert not Membership.objects.filter(organization_id=org.pk).exists()
    assert queued_jobs_of(participants, invitations) == []
    assert (
        not QueuedJob.objects.filter(args__0__in=list(participants | invitations))
        .filter(task__endswith="email")
        .exclude(args__0__in=list(other_participants | other_invitations))
    )
    assert not path.exists()  # the PDF went with it

    # The other organization is untouched.
    assert other_counts == {
        Team: Team.objects.filter(organization=other).count(),
        Round: Round.objects.filter(team__organization=other).count(),
        Participant: Participant.objects.filter(round__team__organization=other).count(),
        Response: Response.objects.filter(round__team__organization=other).count(),
        Answer: Answer.objects.filter(response__round__team__organization=other).count(),
        DimensionScore: DimensionScore.objects.filter(
            response__round__team__organization=other
        ).count(),
        TeamScore: TeamScore.objects.filter(round__team__organization=other).count(),
    }
    assert len(queued_jobs_of(other_participants, other_invitations)) == other_jobs > 0
    assert (media / other_report.file.name).exists()
    assert Invitation.objects.filter(organization=other).exists()


def test_a_failed_deletion_keeps_the_files(org, member_of, media, monkeypatch):
    """The files go only once the rows are gone for good (after commit)."""
    owner = member_of(Role.OWNER, email="owner@acme.example")
    report = build_organization(org, owner)
    path = media / report.file.name

    with pytest.raises(RuntimeError), transaction.atomic():
        services.organization_delete(
            access=organization_access(owner, org.slug), confirm_name="Acme"
        )
        raise RuntimeError("something later in the transaction failed")
    assert path.exists()
    assert Organization.objects.filter(pk=org.pk).exists()


def test_answers_of_a_submitted_response_are_still_read_only(round_):
    submit_responses(round_, [1], close=False)
    answer = Answer.objects.filter(response__status="submitted").first()
    with pytest.raises(IntegrityError, match="read-only"), transaction.atomic():
        answer.delete()
    with pytest.raises(IntegrityError, match="read-only"), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(choice=answer.choice)
    assert Answer.objects.filter(pk=answer.pk).exists()


def test_a_superuser_deletes_an_organization_in_django_admin(
    client, org, team, member_of, media, django_capture_on_commit_callbacks
):
    """Django admin goes through the same service (rounds are read-only there, so this
    organization has none): its queued invitation e-mail and its report file go too."""
    from tests.factories import UserFactory

    owner = member_of(Role.OWNER, email="owner@acme.example")
    invitation, _ = services.invitation_send(
        actor=organization_access(owner, org.slug),
        email="newcomer@example.com",
        role=Role.MEMBER,
        invited_by=owner,
    )
    report = ready_team_report(team)
    assert queued_jobs_of(set(), {invitation.pk})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:organizations_organization_delete", args=[org.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert queued_jobs_of(set(), {invitation.pk}) == []
    assert not (media / report.file.name).exists()
