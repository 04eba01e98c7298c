"""Request a report, watch it build (htmx), list and download reports (permission-checked)."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.core import filestore
from apps.organizations.access import org_view
from apps.reports import gate, services
from apps.reports.models import Report, ReportStatus
from apps.reports.offer import ReportUnavailable


def _status(request, access, report):
    context = {"organization": access.organization, "report": report}
    return render(request, "reports/_status.html", context)


def _unavailable(request, access, refused: ReportUnavailable):
    """Why no report can be built (409): the status line's text for htmx, else a page."""
    template = "reports/_unavailable.html" if request.htmx else "reports/unavailable.html"
    context = {"organization": access.organization, "reason": refused.message}
    return render(request, template, context, status=refused.status)


def _status_or_list(request, access, report):
    """htmx swaps the status line in place; without JavaScript, go to the reports list."""
    if request.htmx:
        return _status(request, access, report)
    return redirect("reports:list", org_slug=access.organization.slug)


@org_view()
@require_POST
def report_request(request, access):
    scope = request.POST.get("scope", "")
    obj = gate.scope_object(access, scope, request.POST.get("object_id") or access.organization.pk)
    try:
        report = services.report_request(scope=scope, obj=obj, requested_by=request.user)
    except ReportUnavailable as refused:
        return _unavailable(request, access, refused)
    return _status_or_list(request, access, report)


@org_view()
@require_GET
def report_status(request, access, report_id):
    return _status(request, access, gate.report_for(access, report_id))


@org_view()
@require_POST
def report_retry(request, access, report_id):
    failed = gate.report_for(access, report_id)
    if failed.status != ReportStatus.FAILED:
        return redirect("reports:list", org_slug=access.organization.slug)
    obj = {"round": failed.round, "team": failed.team}.get(failed.scope, access.organization)
    try:
        report = services.report_request(scope=failed.scope, obj=obj, requested_by=request.user)
    except ReportUnavailable as refused:
        return _unavailable(request, access, refused)
    return _status_or_list(request, access, report)


@org_view()
@require_GET
def report_download(request, access, report_id):
    try:
        return gate.pdf_download(gate.report_for(access, report_id))
    except filestore.FileGone as gone:  # the row outlived its file: say so, 404
        context = {"organization": access.organization, "reason": gone.message}
        return render(request, "reports/unavailable.html", context, status=404)


@org_view()
@require_GET
def report_list(request, access):
    reports = [
        report
        for report in Report.objects.filter(organization=access.organization)
        .select_related("round__team", "team", "requested_by")
        .order_by("-created_at")[:200]
        if gate.may_read(access, report)
    ]
    return render(
        request,
        "reports/report_list.html",
        {"organization": access.organization, "reports": reports},
    )
