"""Reads for organization pages. Each returns a bounded number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.organizations.access import OrgAccess
from apps.organizations.models import (
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
    TeamMembership,
)


def organizations_for_user(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def teams_visible_to(access: OrgAccess, *, archived: bool = False) -> QuerySet[Team]:
    """The teams a caller may open: all for executives and up, otherwise their own."""
    teams = Team.objects.filter(organization=access.organization, archived_at__isnull=not archived)
    if not access.has_role(Role.EXECUTIVE):
        teams = teams.filter(pk__in=access.member_team_ids)
    leads = TeamMembership.objects.filter(is_lead=True).select_related("membership__user")
    return teams.annotate(member_count=Count("team_memberships")).prefetch_related(
        Prefetch("team_memberships", queryset=leads, to_attr="lead_memberships")
    )


def team_members(team: Team) -> QuerySet[TeamMembership]:
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("membership__user")
        .order_by("-is_lead", "membership__user__name", "membership__user__email")
    )


def members_not_in_team(team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization_id=team.organization_id)
        .exclude(team_memberships__team=team)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def organization_members(organization: Organization, *, search: str = "") -> QuerySet[Membership]:
    members = Membership.objects.filter(organization=organization).select_related("user")
    if search:
        members = members.filter(Q(user__email__icontains=search) | Q(user__name__icontains=search))
    active_teams = TeamMembership.objects.filter(team__archived_at__isnull=True).select_related(
        "team"
    )
    return members.prefetch_related(
        Prefetch("team_memberships", queryset=active_teams, to_attr="active_team_memberships")
    ).order_by("-role", "user__name", "user__email")


def pending_invitations(organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organization=organization, accepted_at__isnull=True)
        .select_related("invited_by")
        .prefetch_related("teams")
        .order_by("-created_at")
    )


def organization_overview(access: OrgAccess) -> dict:
    organization = access.organization
    counts = Membership.objects.filter(organization=organization).aggregate(
        members=Count("pk"),
    )
    return {
        "member_count": counts["members"],
        "team_count": Team.objects.filter(
            organization=organization, archived_at__isnull=True
        ).count(),
        "pending_invitation_count": Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True
        ).count(),
        # Executives and up follow every team; everyone else, the teams they are in.
        "overview_teams": teams_visible_to(access)
        if access.has_role(Role.EXECUTIVE)
        else teams_visible_to(access).filter(pk__in=access.member_team_ids),
    }
