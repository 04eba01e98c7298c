"""Deleting an organization on request: an owner asks, the deletion waits DELETION_GRACE (any
owner may cancel meanwhile), then the beat (`delete_due_organizations`) carries it out through
`services.organization_purge`, which leaves nothing of it: rows, stored files, queued e-mails."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core import audit
from apps.organizations import services
from apps.organizations.access import OrgAccess
from apps.organizations.models import Organization, Role

log = logging.getLogger(__name__)

DELETION_GRACE = timedelta(days=14)


def organization_deletion_schedule(*, access: OrgAccess, confirm_name: str, now=None) -> None:
    """Set the organization's deletion DELETION_GRACE ahead (kept as it is when already set)."""
    access.require(Role.OWNER)
    if confirm_name.strip() != access.organization.name:
        raise ValidationError("Type the organization's name exactly to delete it.")
    with transaction.atomic():
        scheduled = Organization.objects.filter(
            pk=access.organization.pk, deletion_due_at__isnull=True
        ).update(
            deletion_due_at=(now or timezone.now()) + DELETION_GRACE,
            deletion_requested_by=access.membership.user,
        )
        access.organization.refresh_from_db(fields=["deletion_due_at", "deletion_requested_by"])
        if scheduled:
            audit.record(
                "organization.deletion_requested",
                organization=access.organization,
                obj=access.organization,
                actor=access.membership.user,
                after={"deletion_due_at": access.organization.deletion_due_at.isoformat()},
            )


def organization_deletion_cancel(*, access: OrgAccess) -> bool:
    """Any owner cancels a scheduled deletion; False when none was scheduled."""
    access.require(Role.OWNER)
    with transaction.atomic():
        due = access.organization.deletion_due_at
        cancelled = Organization.objects.filter(
            pk=access.organization.pk, deletion_due_at__isnull=False
        ).update(deletion_due_at=None, deletion_requested_by=None)
        access.organization.refresh_from_db(fields=["deletion_due_at", "deletion_requested_by"])
        if cancelled:
            audit.record(
                "organization.deletion_cancelled",
                organization=access.organization,
                obj=access.organization,
                actor=access.membership.user,
                before={"deletion_due_at": due.isoformat() if due else None},
            )
    return bool(cancelled)


def organizations_delete_due(now=None) -> int:
    """Delete every organization whose deletion is due, each in its own transaction. A
    cancellation committed before the row is locked wins; one that comes later waits for the
    lock and then finds nothing to cancel."""
    now = now or timezone.now()
    deleted = 0
    due = Organization.objects.filter(deletion_due_at__lte=now).values_list("pk", flat=True)
    for organization_id in list(due):
        with transaction.atomic():
            organization = (
                Organization.objects.select_for_update()
                .filter(pk=organization_id, deletion_due_at__lte=now)
                .first()
            )
            if organization is None:  # cancelled meanwhile
                continue
            services.organization_purge(organization=organization)
            log.info("Organization %s deleted as its owner asked.", organization_id)
            deleted += 1
    return deleted
