"""The life of a job row built by a worker, the same for a report and an organization export
(both have status, attempts, created_at, started_at, finished_at, error and a file): claimed
by exactly one worker, failed with its message, given back to the queue, reclaimed when stuck,
deleted after REPORT_RETENTION_DAYS with its file first."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core import filestore
from apps.reports.models import ReportStatus


def claim(model, pk: int) -> bool:
    """Take a queued job. Exactly one worker wins; a duplicate delivery does nothing."""
    return (
        model.objects.filter(pk=pk, status=ReportStatus.QUEUED).update(
            status=ReportStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
        )
        == 1
    )


def fail(model, pk: int, message: str) -> None:
    model.objects.filter(pk=pk).update(
        status=ReportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def requeue(model, pk: int) -> None:
    """Give a running job back to the queue (a transient error; the retry claims it again)."""
    model.objects.filter(pk=pk, status=ReportStatus.RUNNING).update(status=ReportStatus.QUEUED)


def reclaim_stuck(model, now=None) -> list[int]:
    """Jobs to publish again: running past the hard time limit (a dead worker's: queued again),
    or queued past the grace period (their message was lost, or never sent: Redis was down).
    A job published twice is claimed once."""
    now = now or timezone.now()
    waiting = list(
        model.objects.filter(
            status=ReportStatus.QUEUED,
            created_at__lt=now - timedelta(seconds=settings.JOB_REQUEUE_GRACE_SECONDS),
        ).values_list("pk", flat=True)
    )
    cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    stuck = model.objects.filter(status=ReportStatus.RUNNING, started_at__lt=cutoff)
    reclaimed = [
        pk
        for pk in stuck.values_list("pk", flat=True)
        # Each one only if it is still stuck: a worker may finish it meanwhile.
        if stuck.filter(pk=pk).update(status=ReportStatus.QUEUED)
    ]
    return waiting + reclaimed


def files_delete(model, names) -> list[str]:
    """Remove job files from storage; a file already gone is fine, a failure is logged and its
    name returned."""
    return filestore.delete(model._meta.get_field("file").storage, list(names))


def files_delete_on_commit(model, rows) -> None:
    """Remove these rows' files once the transaction deleting the rows commits (a rollback keeps
    both the rows and the files)."""
    names = [name for name in rows.exclude(file="").values_list("file", flat=True) if name]
    if names:
        transaction.on_commit(lambda: files_delete(model, names))


def delete_old(model, now=None) -> int:
    """Delete jobs past REPORT_RETENTION_DAYS, file (or bucket object) first. A job whose file
    could not be removed (the storage away) keeps its row, so the next run tries again."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REPORT_RETENTION_DAYS)
    old = model.objects.filter(created_at__lt=cutoff)
    kept = files_delete(model, old.exclude(file="").values_list("file", flat=True))
    deleted, _ = old.exclude(file__in=kept).delete()
    return deleted
