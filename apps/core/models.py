"""Durable background jobs: a row per job, written in the request's transaction.

Redis may be down when a job is queued, or lose the message; the row is not lost. A periodic
sweep re-publishes rows still queued after a grace period, and a worker claims a row before
running it, so a job re-published twice still runs once.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


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


class AuditEntry(models.Model):
    """One sensitive action (apps.core.audit): append-only, a database trigger refuses UPDATE
    and DELETE, except clearing a deleted account's actor and deleting the entries together with
    their organization (a row in AuditPurge, written in that deletion's transaction)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text="Empty for account-level events (a failed sign-in).",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="audit_org_idx")]

    def __str__(self) -> str:
        return (
            f"{self.action} by {self.actor_email or 'system'} at {self.created_at:%Y-%m-%d %H:%M}"
        )


class AuditPurge(models.Model):
    """The organization being deleted in this transaction: the audit trigger lets its entries
    go. Written and removed inside that one transaction (organization_purge)."""

    organization_id = models.BigIntegerField(unique=True)

    def __str__(self) -> str:
        return f"purging organization #{self.organization_id}"
