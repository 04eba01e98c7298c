"""The organization export (owners only): the page, the request, its status line (htmx) and the
gated download of the ZIP."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.core import filestore
from apps.organizations.access import org_view
from apps.organizations.models import Role
from apps.reports import org_export
from apps.reports.models import OrganizationExport, ReportStatus


def _export_for(access, export_id) -> OrganizationExport:
    return get_object_or_404(
        OrganizationExport, organization=access.organization, public_id=export_id
    )


@org_view(Role.OWNER)
@require_GET
def export_page(request, access):
    exports = (
        OrganizationExport.objects.filter(organization=access.organization)
        .select_related("requested_by")
        .order_by("-created_at")[:10]
    )
    context = {
        "organization": access.organization,
        "exports": exports,
        "format_version": org_export.FORMAT_VERSION,
    }
    return render(request, "reports/export.html", context)


@org_view(Role.OWNER)
@require_POST
def export_request(request, access):
    export = org_export.export_request(organization=access.organization, requested_by=request.user)
    if request.htmx:
        context = {"organization": access.organization, "export": export}
        return render(request, "reports/_export_status.html", context)
    return redirect("reports:export", org_slug=access.organization.slug)


@org_view(Role.OWNER)
@require_GET
def export_status(request, access, export_id):
    context = {"organization": access.organization, "export": _export_for(access, export_id)}
    return render(request, "reports/_export_status.html", context)


@org_view(Role.OWNER)
@require_GET
def export_download(request, access, export_id):
    export = _export_for(access, export_id)
    if export.status != ReportStatus.READY or not export.file:
        raise Http404("This export is not ready.")
    # A file the storage no longer has is a 404 (filestore.FileGone).
    return filestore.download(
        export.file, filename=export.download_name, content_type="application/zip"
    )
