"""The audit log: who did which sensitive action to what, when and from where.

Every service that performs a sensitive action calls `record(...)` inside its own
`transaction.atomic()`, so the entry commits with the action and disappears with it if the
action rolls back. Who and from where come from the request being served (AuditMiddleware keeps
it for the duration of the request); in a Celery task or a management command there is none,
and the entry says "system" unless an actor is passed.

Entries are append-only: a database trigger (migration core 0003) refuses UPDATE and DELETE,
except setting `actor` to NULL when an account is deleted (the e-mail stays) and deleting an
organization's entries inside `organization_purge`, which first calls `allow_purge()`.
"""

import contextvars
import ipaddress
from contextlib import contextmanager

from django.db import connection

from apps.core.models import AuditEntry, AuditPurge
from apps.core.ratelimit import client_ip

# The closed list of actions: code → what a person reads on the audit page.
ACTIONS: dict[str, str] = {
    "account.sign_in_failed": "Sign-in failed",
    "member.role_changed": "Member's role changed",
    "member.removed": "Member removed",
    "invitation.sent": "Invitation sent",
    "invitation.revoked": "Invitation revoked",
    "team.created": "Team created",
    "team.renamed": "Team renamed",
    "team.archived": "Team archived",
    "team.restored": "Team restored",
    "round.created": "Round created",
    "round.dates_changed": "Round dates changed",
    "round.closed": "Round closed",
    "round.reopen_refused": "Round reopen refused",
    "bank.imported": "Question bank imported",
    "bank.published": "Question bank published",
    "bank.retired": "Question bank retired",
    "bank.draft_created": "New draft version of a question bank",
    "target.set": "Target set",
    "target.removed": "Target removed",
    "target.policy_changed": "Target policy changed",
    "plan_action.created": "Plan action created",
    "plan_action.updated": "Plan action updated",
    "plan_action.deleted": "Plan action deleted",
    "report.requested": "PDF report requested",
    "report.downloaded": "PDF report downloaded",
    "export.csv_downloaded": "CSV downloaded",
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    "sso.changed": "Single sign-on settings changed",
    "organization.export_requested": "Organization export requested",
    "organization.deletion_requested": "Organization deletion requested",
    "organization.deletion_cancelled": "Organization deletion cancelled",
    "audit.exported": "Audit log exported",
}

_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)


class AuditMiddleware:
    """Keep the request being served, so that `record` knows who and from which address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextmanager
def request_context(request):
    """For code that acts for a request outside the middleware (a signal receiver's caller)."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def _describe(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    object_id = getattr(obj, "public_id", None) or obj.pk
    return obj._meta.model_name, str(object_id), str(obj)[:300]


def _address(request) -> str | None:
    """The caller's address as the rate limits see it (behind the trusted proxies), if valid."""
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def record(
    action: str,
    *,
    organization=None,
    organization_id: int | None = None,
    obj=None,
    label: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    actor_email: str = "",
    request=None,
) -> AuditEntry:
    """Write one entry. Call it inside the action's transaction (it refuses otherwise)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to apps.core.audit.ACTIONS.")
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the action's transaction.atomic().")
    request = request or _request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None and not actor_email:
        actor_email = actor.email
    object_type, object_id, object_label = _describe(obj)
    return AuditEntry.objects.create(
        organization_id=organization.pk if organization is not None else organization_id,
        actor=actor,
        actor_email=actor_email,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=(label or object_label)[:300],
        before=before,
        after=after,
        ip_address=_address(request),
    )


def current_request():
    """The request being served (None in a task or a command)."""
    return _request.get()


def allow_purge(organization_id: int) -> None:
    """Let this transaction delete the organization's entries (the trigger checks for the row);
    `organization_purge` calls it right before deleting the organization, atomically."""
    if not connection.in_atomic_block:
        raise RuntimeError("allow_purge() must run inside the deletion's transaction.")
    AuditPurge.objects.get_or_create(organization_id=organization_id)


def purge_done(organization_id: int) -> None:
    AuditPurge.objects.filter(organization_id=organization_id).delete()
