"""Reports' receiver of the organizations hook (apps.organizations.signals): organizations never
imports reports."""

from django.dispatch import receiver

from apps.organizations.signals import organization_purging
from apps.reports import org_export, services
from apps.reports.models import OrganizationExport, Report


@receiver(organization_purging, dispatch_uid="reports.files_delete_on_commit")
def _delete_report_files(sender, organization, **kwargs) -> None:
    """The rows go with the organization (a cascade); their files once that commits."""
    services.report_files_delete_on_commit(Report.objects.filter(organization=organization))


@receiver(organization_purging, dispatch_uid="reports.export_files_delete_on_commit")
def _delete_export_files(sender, organization, **kwargs) -> None:
    """Its exports' rows go with the organization (a cascade); their ZIPs once that commits."""
    org_export.export_files_delete_on_commit(
        OrganizationExport.objects.filter(organization=organization)
    )
