from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.accounts.models import User
from apps.organizations.services import last_owner_message, organizations_left_without_owner


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})
    ]

    def get_deleted_objects(self, objs, request):
        """Refuse (as Django refuses protected objects) to delete an organization's last owner:
        the delete page and the "delete selected" action name the organizations instead."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        orphaned = organizations_left_without_owner(user.pk for user in objs)
        if orphaned:
            protected = [last_owner_message(orphaned), *protected]
        return deleted, model_count, perms_needed, protected
