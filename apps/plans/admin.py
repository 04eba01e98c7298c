from django.contrib import admin, messages

from apps.plans.models import Action


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    """Actions, for support: read them, find why a reminder did (not) go, send it again.
    Plans are changed by their teams on the team page; nothing is edited here."""

    list_display = [
        "title",
        "organization",
        "team",
        "status",
        "owner",
        "due_date",
        "reminded_for_due",
        "done_at",
        "updated_at",
    ]
    list_filter = ["status", "source"]
    search_fields = ["title", "team__name", "organization__name", "owner__user__email"]
    list_select_related = ["organization", "team", "owner__user"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Action._meta.fields]
    actions = ["rearm_reminders"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the due reminder again (at the next hourly run)")
    def rearm_reminders(self, request, queryset):
        count = queryset.update(reminded_for_due=None)
        messages.success(request, f"{count} action(s) will be reminded of again when due.")
