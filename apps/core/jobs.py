"""How background work starts: after commit, in a way a down or forgetful broker cannot lose.

- `enqueue(task, *args, queue=None)` (`enqueue_many` for many): a durable job. A QueuedJob row
  now, in the caller's transaction, and a message after commit; a sweep publishes again what
  the broker lost, a worker claims the row before running it, a failure retries with a back-off.
  This is the way to start background work.
- `publish_on_commit(task, *args)`: only for work whose own table records that it is pending and
  that has a sweep of its own (a Report row: queued, building, built; reclaim_stuck_reports).

Nothing else calls `delay`, `delay_on_commit` or `apply_async`. A task takes ids, loads its rows
and calls one service. Its arguments stay in the job's row until it is done, so they are never
a secret (no token, link or key): the service derives a link again from the row it loads (a
survey link from the participant, an invitation link from the invitation). The exception today
is account e-mail, which allauth renders in the request: its job holds the rendered message.

Queues: a job's message goes to `queue`, or to the queue settings.JOB_QUEUES names for its task
(account e-mail on "account", invitations and reminders on "bulk"), or to the default queue.
The queue is stored with the job, so the sweep and the admin's retry publish to the same one.
"""

import logging
import time
from datetime import timedelta

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.models import JobStatus, QueuedJob

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# After a failed publish, this process stops trying for a while: a request inviting 200 people
# while Redis is down must not spend a fraction of a second on each (the sweep sends them).
BROKER_PAUSE_SECONDS = 15.0
_broker_paused_until = 0.0


ACCOUNT_QUEUE = "account"
BULK_QUEUE = "bulk"
ALL_QUEUES = (ACCOUNT_QUEUE, BULK_QUEUE, "celery")  # what one worker consumes to do everything


def queue_for(task_name: str, queue: str | None = None) -> str:
    """The queue for a job of this task: `queue` when given, else settings.JOB_QUEUES's."""
    return queue or getattr(settings, "JOB_QUEUES", {}).get(task_name, "")


def publish(task, *args, queue: str | None = None) -> bool:
    """Send a message to the broker now (to `queue`, or the task's routed or default queue);
    False (logged) when it cannot be reached."""
    global _broker_paused_until
    if time.monotonic() < _broker_paused_until:
        return False
    try:
        task.apply_async(args=args, **({"queue": queue} if queue else {}))
    except Exception:
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        log.warning("Broker unreachable: %s%s not published now.", task.name, args, exc_info=True)
        return False
    return True


def broker_pause_end() -> None:
    """Forget an earlier failure: the next publish tries the broker again."""
    global _broker_paused_until
    _broker_paused_until = 0.0


def publish_on_commit(task, *args, queue: str | None = None) -> None:
    transaction.on_commit(lambda: publish(task, *args, queue=queue))


def enqueue(task, *args, queue: str | None = None) -> QueuedJob:
    """A durable job: `enqueue(send_account_email, subject, body, [to], html)`. `queue`
    overrides the task's queue from settings.JOB_QUEUES (e.g. queue=ACCOUNT_QUEUE)."""
    return enqueue_many(task, [args], queue=queue)[0]


def enqueue_many(task, arg_lists, *, queue: str | None = None) -> list[QueuedJob]:
    """One job per argument list, written in one INSERT (an invitation to 200 people)."""
    now = timezone.now()
    queue = queue_for(task.name, queue)
    created = QueuedJob.objects.bulk_create(
        [
            QueuedJob(task=task.name, args=list(args), run_after=now, queue=queue)
            for args in arg_lists
        ]
    )
    for job in created:
        publish_on_commit(run_job, job.pk, queue=queue)
    return created


def publish_job(job_id: int, queue: str | None = None) -> bool:
    """Publish a stored job again (the sweep, the admin's retry), to the job's own queue."""
    if queue is None:
        queue = QueuedJob.objects.filter(pk=job_id).values_list("queue", flat=True).first()
    return publish(run_job, job_id, queue=queue or None)


def discard(targets) -> int:
    """Delete the unfinished jobs whose first argument is a row being deleted (the e-mails to
    the people of an organization being deleted). `targets`: {task: queryset of those rows}."""
    by_name = {task.name: rows for task, rows in targets.items()}
    unfinished = QueuedJob.objects.filter(task__in=list(by_name)).exclude(status=JobStatus.DONE)
    candidates: dict[str, dict[int, list[int]]] = {}
    for pk, task, args in unfinished.values_list("pk", "task", "args"):
        if args and isinstance(args[0], int):
            candidates.setdefault(task, {}).setdefault(args[0], []).append(pk)
    doomed = []
    for task, jobs_by_row in candidates.items():
        rows = by_name[task].filter(pk__in=list(jobs_by_row)).values_list("pk", flat=True)
        doomed += [job for row in rows for job in jobs_by_row[row]]
    deleted, _ = QueuedJob.objects.filter(pk__in=doomed).delete()
    return deleted


def claim(job_id: int) -> QueuedJob | None:
    """Take a queued job whose time has come. Exactly one caller wins."""
    now = timezone.now()
    claimed = QueuedJob.objects.filter(
        pk=job_id, status=JobStatus.QUEUED, run_after__lte=now
    ).update(status=JobStatus.RUNNING, started_at=now)
    return QueuedJob.objects.get(pk=job_id) if claimed else None


def run(job_id: int) -> bool:
    """Run a claimed job's task in this process; on failure, queue it again with a back-off."""
    job = claim(job_id)
    if job is None:
        return False
    try:
        current_app.tasks[job.task](*job.args)
    except Exception as error:
        attempts = job.attempts + 1
        failed = attempts >= MAX_ATTEMPTS
        log.warning("Job %s failed (attempt %s): %s", job, attempts, error, exc_info=True)
        QueuedJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED if failed else JobStatus.QUEUED,
            attempts=attempts,
            error=f"{type(error).__name__}: {error}",
            run_after=timezone.now() + timedelta(seconds=min(3600, 30 * 2**attempts)),
            finished_at=timezone.now() if failed else None,
        )
        return False
    QueuedJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, attempts=job.attempts + 1, args=[], finished_at=timezone.now()
    )
    return True


def due(now=None) -> list[int]:
    """Jobs to publish again: queued past the grace period (a lost or never-sent message), or
    running far past the task time limit (a dead worker), which go back to the queue."""
    now = now or timezone.now()
    grace = now - timedelta(seconds=settings.JOB_REQUEUE_GRACE_SECONDS)
    dead = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    QueuedJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=dead).update(
        status=JobStatus.QUEUED, run_after=F("started_at")
    )
    return list(
        QueuedJob.objects.filter(status=JobStatus.QUEUED, run_after__lt=grace)
        .order_by("run_after")
        .values_list("pk", flat=True)[:1000]
    )


def delete_finished(now=None, days: int = 7) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = QueuedJob.objects.filter(
        status__in=[JobStatus.DONE, JobStatus.FAILED], finished_at__lt=cutoff
    ).delete()
    return deleted


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> bool:
    return run(job_id)


@shared_task
def requeue_jobs() -> int:
    """Beat: publish the jobs whose message was lost or never sent (e.g. Redis was down)."""
    ids = due()
    queues = dict(QueuedJob.objects.filter(pk__in=ids).values_list("pk", "queue"))
    for job_id in ids:
        if not publish_job(job_id, queues.get(job_id, "")):
            break  # still down: the next sweep tries again
    return len(ids)


@shared_task
def delete_finished_jobs() -> int:
    return delete_finished()
