"""PDF report jobs. Status lives here, not in Celery: the UI reads these rows."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReportScope(models.TextChoices):
    ROUND = "round", "Team retro pack"
    TEAM = "team", "Team history report"
    ORGANIZATION = "organization", "Board brief"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Generating"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


IN_FLIGHT_OR_READY = [ReportStatus.QUEUED, ReportStatus.RUNNING, ReportStatus.READY]


class Report(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="reports"
    )
    scope = models.CharField(max_length=20, choices=ReportScope.choices)
    round = models.ForeignKey(
        "surveys.Round", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    team = models.ForeignKey(
        "organizations.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    # What the report is about, e.g. "round:12", and a digest of the data it shows: an unchanged
    # scope gets the same report back, a changed one (a new response, a closed round) a new one.
    scope_key = models.CharField(max_length=60)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    # What a download is saved as, set when the file is built (apps/reports/filenames.py): the
    # names and the day it shows, e.g.
    # contoso-ai_support-copilot_q3-2026-llmops-check_2026-11-28.pdf
    download_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One job queued, running or ready per unchanged scope: double clicks share it.
            models.UniqueConstraint(
                fields=["scope_key", "fingerprint"],
                condition=Q(status__in=IN_FLIGHT_OR_READY),
                name="report_one_live_per_scope_state",
            ),
            models.CheckConstraint(
                condition=Q(scope="round", round__isnull=False)
                | Q(scope="team", team__isnull=False)
                | Q(scope="organization"),
                name="report_scope_has_its_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} ({self.get_status_display()})"


class OrganizationExport(models.Model):
    """An owner's export of the whole organization: one ZIP (apps/reports/org_export.py), built
    by a worker. Queued → running → ready | failed, like a report; deleted with the
    organization, its file too."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="exports"
    )
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    download_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Organization export ({self.get_status_display()})"
