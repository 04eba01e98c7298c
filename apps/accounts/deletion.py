"""A person deletes their own account. The apps above receive `account_deleting` first, inside
the deletion's transaction (accounts imports none of them, STYLE rule 15): surveys detaches the
person's answers, which stay and count as before, from their address.

Refused (ProtectedError, with the reason) while the person is an organization's last owner
(apps.organizations.signals)."""

from django.db import transaction
from django.dispatch import Signal

from apps.accounts.models import User

account_deleting = Signal()  # (user=...): the account's row locked, before it is deleted


@transaction.atomic
def account_delete(*, user: User) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    account_deleting.send(sender=User, user=user)
    user.delete()
