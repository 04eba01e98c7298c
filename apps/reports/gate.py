"""Which reports a member may request and read: the organization gate, applied to reports."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.core import audit, filestore
from apps.organizations.access import TeamAction, team_access
from apps.organizations.models import Role
from apps.reports.models import Report, ReportScope, ReportStatus
from apps.surveys.access import round_access


def scope_object(access, scope: str, object_id):
    """The thing a report is about, through the gate (404 outside, 403 too low)."""
    if scope in (ReportScope.ROUND, ReportScope.TEAM):
        try:
            object_id = uuid.UUID(str(object_id))
        except ValueError:
            raise Http404("No such round or team.") from None
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


def pdf_download(report: Report):
    """The PDF of a report the caller may read (checked by `report_for`); 404 until it is ready.
    Streamed from the folder or bucket, or a redirect to a link signed for 60 s (filestore)."""
    if report.status != ReportStatus.READY or not report.file:
        raise Http404("This report is not ready.")
    with transaction.atomic():  # no entry if the file turns out to be gone
        audit.record(
            "report.downloaded",
            organization_id=report.organization_id,
            obj=report,
            label=f"{report.get_scope_display()} report",
        )
        return filestore.download(
            report.file,
            # Named when it was built (filenames.py); a file built before names were kept: its
            # kind.
            filename=report.download_name
            or f"{report.scope}-report-{report.created_at:%Y-%m-%d}.pdf",
            content_type="application/pdf",
        )
