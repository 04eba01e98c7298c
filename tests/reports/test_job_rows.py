"""A report's and an organization export's job rows live the same life (apps/reports/job_rows.py):
claimed once, failed with a message, and reclaimed when a worker died or a message was lost."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from apps.reports import job_rows, org_export
from apps.reports.models import OrganizationExport, ReportStatus

pytestmark = pytest.mark.django_db


def test_an_export_is_claimed_once_and_a_stuck_one_is_reclaimed(org):
    now = timezone.now()
    lost, dead, fresh = (OrganizationExport.objects.create(organization=org) for _ in range(3))
    assert org_export.export_claim(dead.pk) and not org_export.export_claim(dead.pk)
    long_ago = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    OrganizationExport.objects.filter(pk__in=[lost.pk, dead.pk]).update(
        created_at=long_ago, started_at=long_ago
    )
    assert sorted(org_export.exports_reclaim_stuck(now)) == sorted([lost.pk, dead.pk])
    statuses = dict(OrganizationExport.objects.values_list("pk", "status"))
    assert statuses == {
        lost.pk: ReportStatus.QUEUED,
        dead.pk: ReportStatus.QUEUED,
        fresh.pk: ReportStatus.QUEUED,
    }
    assert OrganizationExport.objects.get(pk=dead.pk).attempts == 1


def test_a_failed_job_keeps_its_message_within_bounds(org):
    export = OrganizationExport.objects.create(organization=org)
    job_rows.claim(OrganizationExport, export.pk)
    job_rows.fail(OrganizationExport, export.pk, "The bucket is away. " * 200)
    export.refresh_from_db()
    assert export.status == ReportStatus.FAILED and export.finished_at is not None
    assert export.error.startswith("The bucket is away.") and len(export.error) == 2000
