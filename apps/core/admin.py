from django.contrib import admin, messages
from django.utils import timezone

from apps.core.models import AuditEntry, JobStatus, QueuedJob


@admin.register(QueuedJob)
class QueuedJobAdmin(admin.ModelAdmin):
    """Background jobs (e-mails): what waits, what failed and why. Read-only but for a retry."""

    list_display = ["task", "queue", "status", "attempts", "created_at", "run_after", "short_error"]
    list_filter = ["status", "task"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in QueuedJob._meta.fields if field.name != "args"]
    exclude = ["args"]  # may hold a link meant for one person
    actions = ["retry_now"]

    @admin.display(description="Error")
    def short_error(self, job):
        return job.error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected failed jobs now")
    def retry_now(self, request, queryset):
        from apps.core import jobs

        retried = list(queryset.filter(status=JobStatus.FAILED).values_list("pk", flat=True))
        QueuedJob.objects.filter(pk__in=retried).update(
            status=JobStatus.QUEUED, attempts=0, run_after=timezone.now()
        )
        for job_id in retried:
            jobs.publish_job(job_id)
        self.message_user(request, f"{len(retried)} job(s) queued again.", messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, all organizations and the platform's own entries (question banks, failed
    sign-ins): read-only, as the database trigger keeps it."""

    list_display = ["created_at", "action", "actor_email", "organization", "object_label"]
    list_filter = ["action"]
    search_fields = ["actor_email", "object_label", "object_id"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        """Only as part of deleting their organization (its delete page asks about every
        related row); never on their own, which the database trigger would refuse anyway."""
        match = getattr(request, "resolver_match", None)
        return bool(match and match.url_name.startswith("organizations_organization_"))
