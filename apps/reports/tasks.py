"""Celery adapters for reports. acks_late + reject_on_worker_lost: a killed worker's job returns."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from apps.core import filestore, jobs
from apps.reports import org_export, services
from apps.reports.offer import ReportUnavailable

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=4,
)
def build_report(self, report_id: int) -> None:
    if not services.report_claim(report_id):
        log.info("Report %s is not queued (built, building or gone); nothing to do.", report_id)
        return
    try:
        services.report_build(report_id)
    except TRANSIENT as error:
        services.report_requeue(report_id)
        raise self.retry(exc=error, countdown=min(60, 2 ** (self.request.retries + 1))) from error
    except filestore.StorageFailed as failed:  # "Try again" asks for it anew
        services.report_fail(
            report_id, f"The PDF was built but could not be stored: {failed.message} Try again."
        )
    except ReportUnavailable as refused:  # e.g. the team's rounds were deleted meanwhile
        services.report_fail(report_id, refused.message)
    except SoftTimeLimitExceeded:
        services.report_fail(
            report_id, "Building the PDF took too long. Try again, or ask for a smaller scope."
        )
    except Exception as error:
        log.exception("Report %s failed", report_id)
        services.report_fail(
            report_id, f"The PDF could not be built ({type(error).__name__}: {error})."
        )


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=4,
)
def build_organization_export(self, export_id: int) -> None:
    if not org_export.export_claim(export_id):
        log.info("Export %s is not queued (built, building or gone); nothing to do.", export_id)
        return
    try:
        org_export.export_build(export_id)
    except TRANSIENT as error:
        org_export.export_requeue(export_id)
        raise self.retry(exc=error, countdown=min(60, 2 ** (self.request.retries + 1))) from error
    except filestore.StorageFailed as failed:
        org_export.export_fail(
            export_id, f"The export was built but could not be stored: {failed.message} Try again."
        )
    except SoftTimeLimitExceeded:
        org_export.export_fail(export_id, "Building the export took too long. Try again.")
    except Exception as error:
        log.exception("Export %s failed", export_id)
        org_export.export_fail(
            export_id, f"The export could not be built ({type(error).__name__}: {error})."
        )


@shared_task
def reclaim_stuck_reports() -> int:
    """Reports and organization exports whose job was lost or whose worker died."""
    reclaimed = services.reports_reclaim_stuck()
    for report_id in reclaimed:
        if not jobs.publish(build_report, report_id):
            return len(reclaimed)  # the broker is still down: the next sweep tries again
    exports = org_export.exports_reclaim_stuck()
    for export_id in exports:
        if not jobs.publish(build_organization_export, export_id):
            break
    return len(reclaimed) + len(exports)


@shared_task
def delete_old_reports() -> int:
    """Reports and organization exports past REPORT_RETENTION_DAYS, their files first."""
    return services.reports_delete_old() + org_export.exports_delete_old()
