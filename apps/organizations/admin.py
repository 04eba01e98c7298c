from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from apps.accounts import admin as accounts_admin
from apps.accounts.models import User
from apps.organizations import services
from apps.organizations.models import (
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
    TeamMembership,
)


class MembershipFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.pk is None or any(self.errors):
            return
        kept = [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]
        if not any(form.cleaned_data.get("role") == Role.OWNER for form in kept):
            raise ValidationError(services.LAST_OWNER_MESSAGE)


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]

    # Through the service: submitted answers, queued e-mails and report files go too.
    def delete_model(self, request, obj):
        services.organization_purge(organization=obj)

    def delete_queryset(self, request, queryset):
        for organization in queryset:
            services.organization_purge(organization=organization)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    raw_id_fields = ["membership"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "archived_at", "created_at"]
    list_filter = ["archived_at"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]
    inlines = [TeamMembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["organization"]
    search_fields = ["email", "organization__name"]
    readonly_fields = [
        "token_hash",
        "created_at",
        "sent_at",
        "accepted_at",
        "accepted_by",
        "invited_by",
    ]
    exclude = ["teams"]


# accounts' User admin, which cannot import organizations (STYLE rule 15), with the last-owner rule.
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(accounts_admin.UserAdmin):
    def get_deleted_objects(self, objs, request):
        """Refuse (as Django refuses protected objects) to delete an organization's last owner:
        the delete page and the "delete selected" action name the organizations instead."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        orphaned = services.organizations_left_without_owner(user.pk for user in objs)
        if orphaned:
            protected = [services.last_owner_message(orphaned), *protected]
        return deleted, model_count, perms_needed, protected
