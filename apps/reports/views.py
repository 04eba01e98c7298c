"""Request a roadmap, watch it build (htmx), list and download reports (permission-checked)."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.organizations.access import TeamAction, org_view, round_access, team_access
from apps.organizations.models import Role
from apps.reports import services
from apps.reports.models import Report, ReportScope, ReportStatus


def _scope_object(access, scope: str, object_id):
    """The thing a roadmap is about, through the gate (404 outside, 403 too low)."""
    if scope == ReportScope.ROUND:
        return round_access(access, object_id, TeamAction.VIEW)
    if scope == ReportScope.TEAM:
        return team_access(access, object_id, TeamAction.VIEW)
    if scope == ReportScope.ORGANIZATION:
        access.require(Role.EXECUTIVE)
        return access.organization
    raise Http404("No such kind of report.")


def _check_may_read(access, report: Report) -> None:
    if report.scope == ReportScope.ROUND:
        allowed = access.may(TeamAction.VIEW, report.round.team)
    elif report.scope == ReportScope.TEAM:
        allowed = access.may(TeamAction.VIEW, report.team)
    else:
        allowed = access.has_role(Role.EXECUTIVE)
    if not allowed:
        raise PermissionDenied("You do not have access to this report.")


def _report(access, report_id) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("round__team", "team", "requested_by"),
        organization=access.organization,
        public_id=report_id,
    )
    _check_may_read(access, report)
    return report


@org_view()
@require_POST
def report_request(request, access):
    scope = request.POST.get("scope", "")
    obj = _scope_object(access, scope, request.POST.get("object_id") or access.organization.pk)
    report = services.report_request(scope=scope, obj=obj, requested_by=request.user)
    if request.htmx:
        return render(
            request, "reports/_status.html", {"organization": access.organization, "report": report}
        )
    return redirect("reports:list", org_slug=access.organization.slug)


@org_view()
@require_GET
def report_status(request, access, report_id):
    report = _report(access, report_id)
    return render(
        request, "reports/_status.html", {"organization": access.organization, "report": report}
    )


@org_view()
@require_POST
def report_retry(request, access, report_id):
    failed = _report(access, report_id)
    if failed.status != ReportStatus.FAILED:
        return redirect("reports:list", org_slug=access.organization.slug)
    obj = {"round": failed.round, "team": failed.team}.get(failed.scope, access.organization)
    report = services.report_request(scope=failed.scope, obj=obj, requested_by=request.user)
    if request.htmx:
        return render(
            request, "reports/_status.html", {"organization": access.organization, "report": report}
        )
    return redirect("reports:list", org_slug=access.organization.slug)


@org_view()
@require_GET
def report_download(request, access, report_id):
    report = _report(access, report_id)
    if report.status != ReportStatus.READY or not report.file:
        raise Http404("This report is not ready.")
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"{report.scope}-roadmap-{report.created_at:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )


@org_view()
@require_GET
def report_list(request, access):
    reports = [
        report
        for report in Report.objects.filter(organization=access.organization)
        .select_related("round__team", "team", "requested_by")
        .order_by("-created_at")[:200]
        if _may_read(access, report)
    ]
    return render(
        request,
        "reports/report_list.html",
        {"organization": access.organization, "reports": reports},
    )


def _may_read(access, report) -> bool:
    try:
        _check_may_read(access, report)
    except PermissionDenied:
        return False
    return True
