"""The hook for the apps above organizations, which organizations never imports (STYLE rule
15), and model-level guards that hold whatever deletes the rows (Django admin, the shell, a
script).

- `organization_purging(organization=...)`: inside `organization_purge`'s transaction, the
  organization's row locked, before it is deleted. Each app above deletes what Django's
  collector cannot (surveys: the submitted responses), discards its queued jobs and schedules
  its files' deletion for after the commit.
"""

from django.conf import settings
from django.db.models import ProtectedError, QuerySet
from django.db.models.signals import pre_delete
from django.dispatch import Signal, receiver

organization_purging = Signal()


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="user_last_owner_guard")
def refuse_to_delete_an_organizations_last_owner(sender, instance, origin=None, **kwargs):
    """Deleting the only owner's account would leave their organization with no owner.

    Runs inside the deletion's transaction; a queryset delete counts all its users together (two
    owners deleted at once leave none either). The organization rows are locked, so an owner
    demoted at the same moment is counted after that change commits.
    """
    from apps.organizations.services import last_owner_message, organizations_left_without_owner

    if isinstance(origin, QuerySet) and origin.model is sender:
        user_ids = list(origin.values_list("pk", flat=True)) or [instance.pk]
    else:
        user_ids = [instance.pk]
    orphaned = organizations_left_without_owner(user_ids, lock=True)
    if orphaned:
        raise ProtectedError(last_owner_message(orphaned), set(orphaned))
