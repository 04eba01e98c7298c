"""Report jobs: request (idempotent), build (claimed once), reclaim, clean up."""

import hashlib
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from apps.core import audit, filestore, jobs
from apps.core.dates import DAY, local
from apps.core.emails import absolute_url, send_templated_email
from apps.reports import content, job_rows
from apps.reports.board_brief import board_brief
from apps.reports.filenames import report_filename
from apps.reports.models import IN_FLIGHT_OR_READY, Report, ReportScope, ReportStatus
from apps.reports.offer import require_available
from apps.reports.retro_pack import retro_pack, team_history_pack


def _scope_fields(scope: str, obj) -> dict:
    if scope == ReportScope.ROUND:
        return {"round": obj, "team": obj.team, "organization_id": obj.team.organization_id}
    if scope == ReportScope.TEAM:
        return {"team": obj, "organization_id": obj.organization_id}
    return {"organization": obj}


def report_request(*, scope: str, obj, requested_by) -> Report:
    """The live report for this scope's current data, or a new queued one (built after commit).

    Refused (`offer.ReportUnavailable`, 409) while there are no team results to show: an open or
    withheld round, a team or organization without a visible round (DESIGN §3)."""
    from apps.reports.tasks import build_report

    require_available(scope, obj)
    fingerprint = hashlib.sha256(content.fingerprint_source(scope, obj).encode()).hexdigest()
    scope_key = f"{scope}:{obj.pk}"
    existing = Report.objects.filter(
        scope_key=scope_key, fingerprint=fingerprint, status__in=IN_FLIGHT_OR_READY
    ).first()
    if existing is not None:
        return _requested(existing, requested_by)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                scope=scope,
                scope_key=scope_key,
                fingerprint=fingerprint,
                requested_by=requested_by,
                **_scope_fields(scope, obj),
            )
            jobs.publish_on_commit(build_report, report.pk)
            return _requested(report, requested_by)
    except IntegrityError:  # a second person asked for it at the same moment
        return _requested(
            Report.objects.get(
                scope_key=scope_key, fingerprint=fingerprint, status__in=IN_FLIGHT_OR_READY
            ),
            requested_by,
        )


def _requested(report: Report, requested_by) -> Report:
    """Each request is an audit entry, also one answered by a report built already."""
    with transaction.atomic():
        audit.record(
            "report.requested",
            organization_id=report.organization_id,
            obj=report,
            label=f"{report.get_scope_display()} report",
            actor=requested_by,
        )
    return report


def report_claim(report_id: int) -> bool:
    return job_rows.claim(Report, report_id)


# Per scope: what the report says (a context builder, given the report and the organization's
# today) and its template.
KINDS = {
    ReportScope.ROUND: (
        lambda report, today: retro_pack(report.round, today=today),
        "reports/retro_pack.html",
    ),
    ReportScope.TEAM: (
        lambda report, today: team_history_pack(report.team, today=today),
        "reports/team_history.html",
    ),
    ReportScope.ORGANIZATION: (
        lambda report, today: board_brief(report.organization, today=today),
        "reports/board_brief.html",
    ),
}


def report_context(report: Report, built_at=None) -> dict:
    """What the report's template shows, as built at `built_at` (now by default; its day in the
    organization's zone decides what is overdue). Raises `offer.ReportUnavailable` when there
    are no team results to show."""
    built_at = built_at or timezone.now()
    build, _ = KINDS[report.scope]
    organization = report.organization
    today = local(built_at, organization.time_zone).date()
    return {
        **build(report, today),
        "organization": organization,
        "built_at": built_at,
        "built_on": date_format(today, DAY),
    }


def report_html(report: Report, built_at=None) -> str:
    # In the organization's zone, as its pages are: a target's "overdue" counts its today.
    with timezone.override(ZoneInfo(report.organization.time_zone)):
        return render_to_string(KINDS[report.scope][1], report_context(report, built_at))


def report_download_name(report: Report, built_at) -> str:
    """The file name a download is saved as: the names and the day in the report."""
    return report_filename(
        organization=report.organization.name,
        built_at=built_at,
        time_zone=report.organization.time_zone,
        team=report.team.name if report.scope != ReportScope.ORGANIZATION else None,
        round_title=report.round.title if report.scope == ReportScope.ROUND else None,
    )


def report_build(report_id: int) -> None:
    """Build a claimed job's PDF, store it and mark it ready (or failed with a clear message).
    Raises `filestore.StorageFailed` when the file storage refuses it or does not answer."""
    from apps.reports.pdf import render_pdf

    report = Report.objects.select_related(
        "round__team__organization", "round__bank", "team", "organization"
    ).get(pk=report_id)
    built_at = timezone.now()  # the day the PDF says it was built, and its file name
    pdf = render_pdf(report_html(report, built_at))
    name = f"{slugify(report.organization.slug)}-{report.scope}-{report.public_id}.pdf"
    # In the folder or the bucket (config/storage.py); the name the storage chose is kept.
    report.file.name = filestore.save(
        report.file.storage, report.file.field.generate_filename(report, name), pdf
    )
    stored = Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
        status=ReportStatus.READY,
        file=report.file.name,
        download_name=report_download_name(report, built_at),
        finished_at=timezone.now(),
        error="",
    )
    if not stored:
        # Deleted meanwhile (with its organization), or another worker's build won: this file
        # is nobody's (unless the storage wrote both builds under the winner's name).
        if not Report.objects.filter(pk=report.pk, file=report.file.name).exists():
            report_files_delete([report.file.name])
        return
    if report.requested_by and report.requested_by.email:
        send_templated_email(
            to=[report.requested_by.email],
            subject=f"Your PDF is ready: {report.get_scope_display()}",
            template="emails/report_ready",
            context={
                "report": report,
                "link": absolute_url(reverse("reports:list", args=[report.organization.slug])),
            },
        )


def report_fail(report_id: int, message: str) -> None:
    job_rows.fail(Report, report_id, message)


def report_requeue(report_id: int) -> None:
    job_rows.requeue(Report, report_id)


def reports_reclaim_stuck(now=None) -> list[int]:
    return job_rows.reclaim_stuck(Report, now)


def reports_delete_old(now=None) -> int:
    return job_rows.delete_old(Report, now)


def report_files_delete(names) -> list[str]:
    return job_rows.files_delete(Report, names)


def report_files_delete_on_commit(reports) -> None:
    job_rows.files_delete_on_commit(Report, reports)
