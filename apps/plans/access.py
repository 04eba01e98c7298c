"""Who may read and change a plan: the organization gate (apps.organizations.access) applied
to actions. 404 for an action of another organization, then 403.

- A team's plan: its members read it and executives read every plan (TeamAction.VIEW); its
  leads, admins and owners change it (TeamAction.LEAD).
- An organization-level action (no team): executives and up read and change it; its owner
  reads it too.
- An action's owner may move it between to do, doing and done (not drop, edit or delete it),
  whatever their role: the person doing the work says how it goes.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.organizations.access import OrgAccess, TeamAction, team_access
from apps.organizations.models import Role, Team
from apps.plans.models import Action, ActionStatus

WRITE_REFUSED = "Only the team's leads, admins and owners can change its plan."
ORGANIZATION_WRITE_REFUSED = "Only executives, admins and owners can change organization actions."


def may_read(access: OrgAccess, action: Action) -> bool:
    if action.organization_id != access.organization.pk:
        return False
    if action.team is not None:
        return access.may(TeamAction.VIEW, action.team)
    return access.has_role(Role.EXECUTIVE) or action.owner_id == access.membership.pk


def may_write_plan(access: OrgAccess, team: Team | None) -> bool:
    """May the caller change this team's plan (or, `team=None`, the organization's actions)?"""
    if team is not None:
        return access.may(TeamAction.LEAD, team)
    return access.has_role(Role.EXECUTIVE)


def may_write(access: OrgAccess, action: Action) -> bool:
    if action.organization_id != access.organization.pk:
        return False
    return may_write_plan(access, action.team)


OWNER_STATUSES = (ActionStatus.TODO, ActionStatus.DOING, ActionStatus.DONE)
STATUS_REFUSED = "Only the action's owner and those who may change the plan can set its status."
OWNER_STATUS_REFUSED = "As its owner you may set it to do, doing or done; ask a lead to drop it."


def is_owner(access: OrgAccess, action: Action) -> bool:
    return action.owner_id is not None and action.owner_id == access.membership.pk


def may_set_status(access: OrgAccess, action: Action, status: str | None = None) -> bool:
    """May the caller set the action's status (to `status`, when given)? Those who may change
    the plan, and the action's owner to one of OWNER_STATUSES."""
    if may_write(access, action):
        return True
    if action.organization_id != access.organization.pk or not is_owner(access, action):
        return False
    return status is None or status in OWNER_STATUSES


def status_access(access: OrgAccess, action_public_id, status: str) -> Action:
    """Resolve an action whose status the caller sets to `status` (404, then 403)."""
    action = action_access(access, action_public_id, write=False)
    if not may_set_status(access, action):
        raise PermissionDenied(STATUS_REFUSED)
    if not may_set_status(access, action, status) and status in ActionStatus.values:
        raise PermissionDenied(OWNER_STATUS_REFUSED)
    return action


def action_access(access: OrgAccess, action_public_id, *, write: bool) -> Action:
    """Resolve an action of `access.organization` (404), readable or, with `write`, changeable
    by the caller (403)."""
    action = (
        Action.objects.select_related("team", "organization", "owner__user", "source_round")
        .filter(organization=access.organization, public_id=action_public_id)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    if not may_read(access, action):
        raise PermissionDenied("You do not have access to this action.")
    if write and not may_write(access, action):
        raise PermissionDenied(
            WRITE_REFUSED if action.team is not None else ORGANIZATION_WRITE_REFUSED
        )
    return action


def plan_team(access: OrgAccess, team_public_id, *, write: bool) -> Team:
    """Resolve a team whose plan the caller reads or, with `write`, changes (404, then 403)."""
    team = team_access(access, team_public_id, TeamAction.VIEW)
    if write and not access.may(TeamAction.LEAD, team):
        raise PermissionDenied(WRITE_REFUSED)
    return team
