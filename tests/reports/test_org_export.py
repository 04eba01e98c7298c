"""The organization export: a worker builds one ZIP whose files match the database, with no
e-mail address from an anonymous round; only owners ask for it and download it."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from apps.core.models import AuditEntry
from apps.organizations.models import Invitation, Membership, Role, Team
from apps.plans.models import Action
from apps.reports.models import OrganizationExport, ReportStatus
from apps.scoring.models import DimensionScore, TeamScore
from apps.surveys.models import Answer, Participant, Response, Round
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    OrganizationFactory,
    RoundFactory,
    TeamFactory,
)
from tests.scenarios import submit_responses

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _export(client, org, django_capture_on_commit_callbacks) -> zipfile.ZipFile:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export_request", args=[org.slug]))
    assert response.status_code == 302
    export = OrganizationExport.objects.get(organization=org)
    assert export.status == ReportStatus.READY, export.error
    page = client.get(reverse("reports:export", args=[org.slug]))
    assert "download the ZIP" in page.content.decode()
    download = client.get(reverse("reports:export_download", args=[org.slug, export.public_id]))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('.zip"')
    return zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


def test_the_zip_counts_match_the_database_and_anonymous_rounds_carry_no_addresses(
    client, org, team, member_of, django_capture_on_commit_callbacks
):
    owner = member_of(Role.OWNER)
    named = submit_responses(RoundFactory(team=team, title="Named Q1"), [0, 1, 2])
    anonymous = submit_responses(
        RoundFactory(team=team, title="Anonymous Q2", anonymous=True), [1, 2, 2]
    )
    ActionFactory(team=team, title="Add an eval gate")
    other = OrganizationFactory(name="Other", slug="other")
    submit_responses(RoundFactory(team=TeamFactory(organization=other)), [2, 2, 2])

    client.force_login(owner)
    archive = _export(client, org, django_capture_on_commit_callbacks)

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "maturity-organization-export"
    assert manifest["version"] == 1
    assert manifest["organization"]["slug"] == org.slug
    expected = {
        "teams.json": Team.objects.filter(organization=org).count(),
        "members.json": Membership.objects.filter(organization=org).count(),
        "invitations.json": Invitation.objects.filter(organization=org).count(),
        "rounds.json": Round.objects.filter(team__organization=org).count(),
        "participants.json": Participant.objects.filter(round__team__organization=org).count(),
        "responses.json": Response.objects.filter(round__team__organization=org).count(),
        "answers.json": Answer.objects.filter(response__round__team__organization=org).count(),
        "dimension_scores.json": DimensionScore.objects.filter(
            response__round__team__organization=org
        ).count(),
        "team_scores.json": TeamScore.objects.filter(round__team__organization=org).count(),
        "plan_actions.json": Action.objects.filter(organization=org).count(),
        "audit_log.json": AuditEntry.objects.filter(organization=org).count(),
    }
    assert expected["answers.json"] > 0 and expected["team_scores.json"] > 0
    assert expected["audit_log.json"] > 0  # at least this export's request
    for name, count in expected.items():
        assert len(json.loads(archive.read(name))) == count, name
        assert manifest["files"][name] == count, name
    assert set(manifest["files"]) | {"manifest.json"} == set(archive.namelist())

    participants = json.loads(archive.read("participants.json"))
    by_round = {p["round_id"]: [] for p in participants}
    for p in participants:
        by_round[p["round_id"]].append(p["email"])
    assert all(by_round[named.pk]) and len(by_round[named.pk]) == 3
    assert by_round[anonymous.pk] == [None, None, None]
    anonymous_emails = list(anonymous.participants.values_list("email", flat=True))
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert not any(email in everything for email in anonymous_emails)
    assert "Other" not in json.loads(archive.read("teams.json"))[0]["name"]

    # The CSVs people know: a result per closed round, a history per team, the plan.
    results = [n for n in archive.namelist() if n.startswith("results/")]
    assert len(results) == 2
    history = [n for n in archive.namelist() if n.startswith("history/")]
    assert len(history) == 1
    assert "Named Q1" in archive.read(history[0]).decode("utf-8-sig")
    assert "Add an eval gate" in archive.read("plans.csv").decode("utf-8-sig")
    assert manifest["files"]["plans.csv"] == 1


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER])
def test_only_owners_ask_for_an_export(client, org, member_of, outsider, role):
    client.force_login(member_of(role))
    assert client.get(reverse("reports:export", args=[org.slug])).status_code == 403
    assert client.post(reverse("reports:export_request", args=[org.slug])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("reports:export", args=[org.slug])).status_code == 404
    assert not OrganizationExport.objects.exists()


def test_an_export_goes_with_its_organization_file_and_all(
    client, org, member_of, media, django_capture_on_commit_callbacks
):
    from apps.organizations import services

    owner = member_of(Role.OWNER)
    client.force_login(owner)
    _export(client, org, django_capture_on_commit_callbacks)
    export = OrganizationExport.objects.get()
    path = media / export.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_purge(organization=org)
    assert not OrganizationExport.objects.exists()
    assert not path.exists()


def test_a_second_owner_sees_the_same_export(client, org, member_of):
    first = member_of(Role.OWNER)
    second = MembershipFactory(organization=org, role=Role.OWNER).user
    client.force_login(first)
    client.post(reverse("reports:export_request", args=[org.slug]))
    client.force_login(second)
    client.post(reverse("reports:export_request", args=[org.slug]))
    assert OrganizationExport.objects.count() == 1
