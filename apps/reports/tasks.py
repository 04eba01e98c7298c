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


BUILD_TASK = dict(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=4,
)


def _build(task, pk: int, *, claim, build, requeue, fail, kind: str, what: str, too_long: str):
    """Claim a queued file (a report's PDF, an organization's export), build it, and leave it
    built or failed with a message its page shows; a database or broker hiccup puts it back in
    the queue and retries with back-off."""
    if not claim(pk):
        log.info("%s %s is not queued (built, building or gone); nothing to do.", kind, pk)
        return
    try:
        build(pk)
    except TRANSIENT as error:
        requeue(pk)
        raise task.retry(exc=error, countdown=min(60, 2 ** (task.request.retries + 1))) from error
    except filestore.StorageFailed as failed:  # "Try again" asks for it anew
        fail(pk, f"The {what} was built but could not be stored: {failed.message} Try again.")
    except ReportUnavailable as refused:  # e.g. the team's rounds were deleted meanwhile
        fail(pk, refused.message)
    except SoftTimeLimitExceeded:
        fail(pk, too_long)
    except Exception as error:
        log.exception("%s %s failed", kind, pk)
        fail(pk, f"The {what} could not be built ({type(error).__name__}: {error}).")


@shared_task(**BUILD_TASK)
def build_report(self, report_id: int) -> None:
    _build(
        self,
        report_id,
        claim=services.report_claim,
        build=services.report_build,
        requeue=services.report_requeue,
        fail=services.report_fail,
        kind="Report",
        what="PDF",
        too_long="Building the PDF took too long. Try again, or ask for a smaller scope.",
    )


@shared_task(**BUILD_TASK)
def build_organization_export(self, export_id: int) -> None:
    _build(
        self,
        export_id,
        claim=org_export.export_claim,
        build=org_export.export_build,
        requeue=org_export.export_requeue,
        fail=org_export.export_fail,
        kind="Export",
        what="export",
        too_long="Building the export took too long. Try again.",
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
