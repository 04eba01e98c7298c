"""Report files in an S3-compatible bucket (a real SeaweedFS, tests/support/s3_server.py):
built by a real Celery worker, downloaded only through the gate (streamed, or a link signed for
60 s), deleted by the retention sweep and with their organization, and a failed upload that
fails the job with a readable message and succeeds when tried again."""

import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.organizations.deletion import organizations_delete_due
from apps.organizations.models import Role
from apps.reports import services
from apps.reports.models import Report, ReportStatus
from apps.reports.tasks import delete_old_reports
from tests.factories import RoundFactory
from tests.scenarios import submit_responses
from tests.support.report_worker import (
    pdf_text,
    purge_queue,
    status_of,
    wait_for,
    worker_env,
    worker_process,
)
from tests.support.s3_server import free_ports


def build(scope, obj, user, capture):
    """Ask for a report and build it (tasks run inline after commit in these tests)."""
    with capture(execute=True):
        report = services.report_request(scope=scope, obj=obj, requested_by=user)
    report.refresh_from_db()
    return report


def download_url(report) -> str:
    return reverse("reports:download", args=[report.organization.slug, report.public_id])


@pytest.mark.django_db(transaction=True)
def test_a_report_built_by_the_worker_lands_in_the_bucket_and_downloads_through_the_gate(
    client, settings, round_, lead, outsider, s3_server, s3_bucket, tmp_path
):
    """A worker process of its own, told only STORAGE_URL; the web side reads the bucket."""
    from config.celery import app

    submit_responses(round_, [0, 1, 1])
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = False  # the worker builds it
    media = tmp_path / "media"
    media.mkdir()
    purge_queue()
    with worker_process(worker_env(media, STORAGE_URL=s3_server.url(s3_bucket))):
        client.force_login(lead)
        client.post(
            reverse("reports:request", args=[round_.team.organization.slug]),
            {"scope": "round", "object_id": str(round_.public_id)},
        )
        report = Report.objects.get()
        assert wait_for(lambda: status_of(report.pk) == ReportStatus.READY), status_of(report.pk)
    report.refresh_from_db()
    assert report.file.name in s3_server.keys(s3_bucket)
    assert not any(media.rglob("*")), "the worker wrote to its own disk"

    settings.STORAGES = s3_server.storages(settings.STORAGES, s3_bucket)  # the web side
    response = client.get(download_url(report))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == s3_server.read(s3_bucket, report.file.name)
    assert "TEAM RETRO PACK" in pdf_text(body, tmp_path)
    assert response["Content-Disposition"].startswith(
        'attachment; filename="acme_platform_q4-check_'
    )
    client.force_login(outsider)  # a member of another organization: as if it did not exist
    assert client.get(download_url(report)).status_code == 404
    client.logout()
    assert client.get(download_url(report)).status_code == 302  # to the log-in page


@pytest.mark.django_db
def test_a_presigned_download_is_issued_after_the_gate_and_lives_sixty_seconds(
    client, settings, in_bucket, s3_server, round_, lead, outsider, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.STORAGE_PRESIGNED_DOWNLOADS = True
    submit_responses(round_, [1, 2, 1])
    report = build("round", round_, lead, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.READY, report.error

    client.force_login(outsider)
    refused = client.get(download_url(report))
    assert refused.status_code == 404 and "Location" not in refused

    client.force_login(lead)
    response = client.get(download_url(report))
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    link = response["Location"]
    assert link.startswith(f"{s3_server.endpoint}/{in_bucket}/")
    assert parse_qs(urlsplit(link).query)["X-Amz-Expires"] == ["60"]
    with urllib.request.urlopen(link, timeout=10) as fetched:
        body = fetched.read()
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert report.download_name in fetched.headers["Content-Disposition"]
    assert body == s3_server.read(in_bucket, report.file.name)
    assert "TEAM RETRO PACK" in pdf_text(body, tmp_path)
    # Without its signature the same object is refused: the bucket is private.
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(link.split("?")[0], timeout=10)
    assert unsigned.value.code == 403


@pytest.mark.django_db
def test_a_streamed_download_of_an_object_gone_from_the_bucket_is_a_404_that_says_so(
    client, in_bucket, s3_server, round_, lead, django_capture_on_commit_callbacks
):
    submit_responses(round_, [1, 1, 1])
    report = build("round", round_, lead, django_capture_on_commit_callbacks)
    s3_server.client().delete_object(Bucket=in_bucket, Key=report.file.name)
    client.force_login(lead)
    response = client.get(download_url(report))
    assert response.status_code == 404
    assert "file is no longer in the file storage. Ask for the report again." in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_retention_deletes_the_objects_and_keeps_rows_whose_object_it_could_not_delete(
    settings, in_bucket, s3_server, round_, team, lead, django_capture_on_commit_callbacks
):
    submit_responses(round_, [0, 1, 2])
    old = build("round", round_, lead, django_capture_on_commit_callbacks)
    recent = build("team", team, lead, django_capture_on_commit_callbacks)
    assert {old.file.name, recent.file.name} <= set(s3_server.keys(in_bucket))
    Report.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.REPORT_RETENTION_DAYS + 1)
    )

    # The storage server away: nothing is lost, the row waits for the next run.
    (nowhere,) = free_ports(1)
    live = settings.STORAGES
    settings.STORAGES = s3_server.storages(live, in_bucket, endpoint=f"127.0.0.1:{nowhere}")
    assert delete_old_reports() == 0
    assert Report.objects.filter(pk=old.pk).exists()

    settings.STORAGES = live
    assert delete_old_reports() == 1
    keys = s3_server.keys(in_bucket)
    assert old.file.name not in keys and recent.file.name in keys
    assert list(Report.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_deleting_an_organization_deletes_its_objects_and_no_one_elses(
    client, in_bucket, s3_server, org, team, round_, lead, member_of, outsider,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    submit_responses(round_, [0, 1, 1])
    owner = member_of(Role.OWNER, email="owner@acme.example")
    ours = [
        build("round", round_, lead, django_capture_on_commit_callbacks),
        build("team", team, lead, django_capture_on_commit_callbacks),
        build("organization", org, owner, django_capture_on_commit_callbacks),
    ]
    other_org = outsider.memberships.get().organization
    other_team = other_org.teams.create(name="Elsewhere")
    other_round = submit_responses(RoundFactory(team=other_team, title="Theirs"), [2, 2, 2])
    theirs = build("round", other_round, outsider, django_capture_on_commit_callbacks)
    assert {r.file.name for r in [*ours, theirs]} <= set(s3_server.keys(in_bucket))

    client.force_login(owner)
    response = client.post(
        reverse("organizations:delete", args=[org.slug]), {"confirm_name": "Acme"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):  # the beat, 14 days later
        assert organizations_delete_due(now=org.deletion_due_at + timedelta(seconds=1)) == 1
    keys = set(s3_server.keys(in_bucket))
    assert not keys & {r.file.name for r in ours}
    assert theirs.file.name in keys


@pytest.mark.django_db
@pytest.mark.parametrize("away", ["bucket missing", "server stopped"])
def test_a_failed_upload_fails_the_job_readably_and_try_again_succeeds_once_it_is_back(
    away, client, settings, in_bucket, s3_server, round_, lead,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    submit_responses(round_, [0, 1, 1])
    live = settings.STORAGES
    if away == "bucket missing":
        missing = f"{in_bucket}-gone"
        settings.STORAGES = s3_server.storages(live, missing)
        expected = (
            "The PDF was built but could not be stored: The bucket "
            f"'{missing}' does not exist on the storage server. Try again."
        )
    else:
        (nowhere,) = free_ports(1)
        settings.STORAGES = s3_server.storages(live, in_bucket, endpoint=f"127.0.0.1:{nowhere}")
        expected = (
            "The PDF was built but could not be stored: The storage server holding the bucket "
            f"'{in_bucket}' did not answer. Try again."
        )
    failed = build("round", round_, lead, django_capture_on_commit_callbacks)
    assert (failed.status, failed.error, failed.file.name) == (ReportStatus.FAILED, expected, "")
    client.force_login(lead)
    listing = client.get(reverse("reports:list", args=[round_.team.organization.slug]))
    assert expected.replace("'", "&#x27;") in listing.content.decode()

    settings.STORAGES = live  # it is back; the lead presses "Try again"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:retry", args=[round_.team.organization.slug, failed.public_id])
        )
    retried = Report.objects.exclude(pk=failed.pk).get()
    assert retried.status == ReportStatus.READY, retried.error
    assert retried.file.name in s3_server.keys(in_bucket)
    response = client.get(download_url(retried))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
