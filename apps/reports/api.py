"""Reports over the API: request, poll, list and download, through the same gate as the pages."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api import ErrorOut, OrganizationSlug, errors
from apps.organizations.access import organization_access
from apps.reports import services
from apps.reports.gate import may_read, pdf_download, report_for, scope_object
from apps.reports.models import Report, ReportStatus
from apps.reports.offer import ReportUnavailable

router = Router(tags=["reports"])


class ReportIn(Schema):
    scope: Literal["round", "team", "organization"]
    object_id: UUID | None = None  # the round's or team's id; empty for the organization


class ReportOut(Schema):
    id: UUID
    scope: Literal["round", "team", "organization"]
    status: Literal["queued", "running", "ready", "failed"]
    error: str
    created_at: datetime
    finished_at: datetime | None
    download: str | None


PDF_RESPONSE = {
    "description": "The report, as a PDF attachment (404 until it is ready).",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


def _out(request, slug: str, report: Report) -> ReportOut:
    download = None
    if report.status == ReportStatus.READY:
        download = request.build_absolute_uri(
            f"/api/v1/organizations/{slug}/reports/{report.public_id}/download"
        )
    return ReportOut(
        id=report.public_id,
        scope=report.scope,
        status=report.status,
        error=report.error,
        created_at=report.created_at,
        finished_at=report.finished_at,
        download=download,
    )


@router.post(
    "/organizations/{slug}/reports",
    response={200: ReportOut, 202: ReportOut, 409: ErrorOut, **errors(400, 403, 404, 422)},
)
def request_report(request, slug: OrganizationSlug, payload: ReportIn):
    """Ask for a PDF report (round: the team retro pack; team: the team history; organization:
    the board brief); an unchanged scope returns the job queued, running or ready. 409 with the
    reason while there are no team results to show (an open or withheld round)."""
    access = organization_access(request.user, slug)
    obj = scope_object(access, payload.scope, payload.object_id or access.organization.pk)
    try:
        report = services.report_request(scope=payload.scope, obj=obj, requested_by=request.user)
    except ReportUnavailable as refused:
        return Status(refused.status, ErrorOut(detail=refused.message))
    return Status(200 if report.status == ReportStatus.READY else 202, _out(request, slug, report))


@router.get("/organizations/{slug}/reports", response={200: list[ReportOut], **errors(404, 422)})
@paginate
def list_reports(request, slug: OrganizationSlug):
    access = organization_access(request.user, slug)
    reports = Report.objects.filter(organization=access.organization).select_related(
        "round__team", "team"
    )
    return [
        _out(request, slug, r) for r in reports.order_by("-created_at")[:500] if may_read(access, r)
    ]


@router.get(
    "/organizations/{slug}/reports/{report_id}",
    response={200: ReportOut, **errors(403, 404, 422)},
)
def get_report(request, slug: OrganizationSlug, report_id: UUID):
    access = organization_access(request.user, slug)
    return _out(request, slug, report_for(access, report_id))


@router.get(
    "/organizations/{slug}/reports/{report_id}/download",
    response={200: None, **errors(403, 404, 422)},
    openapi_extra={"responses": {200: PDF_RESPONSE}},
)
def download_report(request, slug: OrganizationSlug, report_id: UUID):
    access = organization_access(request.user, slug)
    return pdf_download(report_for(access, report_id))
