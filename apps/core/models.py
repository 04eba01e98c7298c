"""Durable background jobs: a row per job, written in the request's transaction.

Redis may be down when a job is queued, or lose the message; the row is not lost. A periodic
sweep re-publishes rows still queued after a grace period, and a worker claims a row before
running it, so a job re-published twice still runs once.
"""

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class QueuedJob(models.Model):
    task = models.CharField(max_length=200, help_text="The Celery task's name.")
    queue = models.CharField(
        max_length=50,
        blank=True,
        default="",
        help_text="The Celery queue its message goes to (empty: the default queue).",
    )
    args = models.JSONField(default=list, blank=True, help_text="Erased once the job is done.")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    run_after = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["run_after"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({self.status})"
