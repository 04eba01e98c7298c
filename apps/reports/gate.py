"""Which roadmaps a member may request and read: the organization gate, applied to reports."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.organizations.access import TeamAction, round_access, team_access
from apps.organizations.models import Role
from apps.reports.models import Report, ReportScope


def scope_object(access, scope: str, object_id):
    """The thing a roadmap is about, through the gate (404 outside, 403 too low)."""
    if scope == ReportScope.ROUND:
        return round_access(access, object_id, TeamAction.VIEW)
    if scope == ReportScope.TEAM:
        return team_access(access, object_id, TeamAction.VIEW)
    if scope == ReportScope.ORGANIZATION:
        access.require(Role.EXECUTIVE)
        return access.organization
    raise Http404("No such kind of report.")


def check_may_read(access, report: Report) -> None:
    if report.scope == ReportScope.ROUND:
        allowed = access.may(TeamAction.VIEW, report.round.team)
    elif report.scope == ReportScope.TEAM:
        allowed = access.may(TeamAction.VIEW, report.team)
    else:
        allowed = access.has_role(Role.EXECUTIVE)
    if not allowed:
        raise PermissionDenied("You do not have access to this report.")


def report_for(access, report_id) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("round__team", "team", "requested_by"),
        organization=access.organization,
        public_id=report_id,
    )
    check_may_read(access, report)
    return report


def may_read(access, report) -> bool:
    try:
        check_may_read(access, report)
    except PermissionDenied:
        return False
    return True
