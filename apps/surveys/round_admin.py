"""Rounds in Django admin: read-only, for support."""

from django.contrib import admin
from django.db.models import Count, Q

from apps.surveys.models import Round


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Read-only, for support: counts, never who answered what (anonymity holds here too)."""

    list_display = [
        "title",
        "team",
        "bank",
        "status",
        "opens_at",
        "closes_at",
        "invited",
        "submitted",
    ]
    list_filter = ["status", "anonymous", "bank__slug"]
    search_fields = ["title", "team__name", "team__organization__name"]
    list_select_related = ["team", "bank"]
    fields = [
        "title",
        "team",
        "bank",
        "status",
        "opens_at",
        "closes_at",
        "closed_at",
        "anonymous",
        "min_respondents",
        "created_by",
        "created_at",
        "invited",
        "submitted",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_invited=Count("participants", distinct=True),
                n_submitted=Count(
                    "responses", filter=Q(responses__status="submitted"), distinct=True
                ),
            )
        )

    @admin.display(description="Invited", ordering="n_invited")
    def invited(self, obj):
        return obj.n_invited

    @admin.display(description="Submitted", ordering="n_submitted")
    def submitted(self, obj):
        return obj.n_submitted

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
