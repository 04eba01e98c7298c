"""The one tenant gate. Every org-scoped view and API call asks it first.

An outsider (not a member of the organization) gets 404, as if the organization did not
exist; a member whose role is too low gets 403.
"""

import zoneinfo
from dataclasses import dataclass, field
from enum import Enum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from apps.organizations.models import Membership, Organization, Role, Team, TeamMembership


class TeamAction(Enum):
    VIEW = "view"  # see the team and its results: its members, executives and up
    LEAD = "lead"  # run rounds: the team's leads, admins and owners
    MANAGE = "manage"  # rename, archive, change members: admins and owners


@dataclass(frozen=True)
class OrgAccess:
    """What the gate found: the organization and the caller's membership in it."""

    organization: Organization
    membership: Membership
    led_team_ids: frozenset[int] = field(default_factory=frozenset)
    member_team_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    def has_role(self, role: Role) -> bool:
        return self.membership.role >= role

    def may(self, action: TeamAction, team: Team) -> bool:
        if team.organization_id != self.organization.pk:
            return False
        if action is TeamAction.MANAGE:
            return self.has_role(Role.ADMIN)
        if action is TeamAction.LEAD:
            return self.has_role(Role.ADMIN) or (
                self.has_role(Role.LEAD) and team.pk in self.led_team_ids
            )
        return self.has_role(Role.EXECUTIVE) or team.pk in self.member_team_ids

    def require(self, role: Role) -> None:
        if not self.has_role(role):
            raise PermissionDenied(f"This needs the {role.label.lower()} role or higher.")


def organization_access(user, org_slug: str, *, min_role: Role = Role.MEMBER) -> OrgAccess:
    """Resolve `org_slug` for `user`: 404 for outsiders, 403 when the role is too low."""
    if not user.is_authenticated:
        raise Http404("No such organization.")
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=user, organization__slug=org_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organization.")
    rows = TeamMembership.objects.filter(membership=membership).values_list("team_id", "is_lead")
    access = OrgAccess(
        organization=membership.organization,
        membership=membership,
        led_team_ids=frozenset(team_id for team_id, is_lead in rows if is_lead),
        member_team_ids=frozenset(team_id for team_id, _ in rows),
    )
    access.require(min_role)
    return access


def team_access(access: OrgAccess, team_public_id, action: TeamAction) -> Team:
    """Resolve a team of `access.organization`: 404 if it is not there, 403 if not allowed."""
    team = Team.objects.filter(organization=access.organization, public_id=team_public_id).first()
    if team is None:
        raise Http404("No such team.")
    if not access.may(action, team):
        raise PermissionDenied("You do not have access to this team.")
    return team


def org_view(min_role: Role = Role.MEMBER):
    """Decorate a view taking `org_slug`: it receives the gate's `OrgAccess` instead.

    The access is also left on `request.org_access` for the navigation.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, org_slug, *args, **kwargs):
            access = organization_access(request.user, org_slug, min_role=min_role)
            request.org_access = access
            # Dates on organization pages are shown in the organization's time zone.
            with timezone.override(zoneinfo.ZoneInfo(access.organization.time_zone)):
                return view(request, access, *args, **kwargs)

        return wrapped

    return decorator
