"""An owner's export of the whole organization: one ZIP built by a worker (README "Organization
export"). Format "maturity-organization-export", version FORMAT_VERSION:

- manifest.json: format, version, organization (name, slug), created_at, and per file its rows;
- one JSON file per model (a list of objects; ids are the database's, so the files refer to
  each other: a participant's round_id is a round's id). Participants of an anonymous round
  carry no e-mail address, and nothing else in the export ties them to a person; the
  organization's audit log is audit_log.json;
- the CSVs people know from the pages, written by the same functions: results/ (each round's
  result), history/ (each team's history), plans.csv (every plan action).

Requested, claimed, built, failed and reclaimed like a report (apps/reports/services.py)."""

import csv
import io
import json
import zipfile
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from apps.core import audit, filestore, jobs
from apps.core.models import AuditEntry
from apps.organizations.access import organization_access
from apps.organizations.models import (
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
    TeamMembership,
)
from apps.plans import csv_formats
from apps.plans import selectors as plan_selectors
from apps.plans.models import Action
from apps.reports import job_rows
from apps.reports.models import OrganizationExport, Report, ReportStatus
from apps.scoring import selectors as scoring_selectors
from apps.scoring import targets
from apps.scoring.csv_export import round_result_table, safe_cell, team_history_table
from apps.scoring.models import DimensionScore, QuestionLevel, Target, TargetPolicy, TeamScore
from apps.surveys.models import Answer, Participant, Response, Round, RoundStatus

FORMAT_NAME = "maturity-organization-export"
FORMAT_VERSION = 1


def _rows(queryset, *fields, **expressions) -> list[dict]:
    return list(queryset.order_by("pk").values(*fields, **expressions))


def model_files(organization: Organization) -> dict[str, list[dict]]:
    """{file name: rows} of every JSON file: what the organization holds, no secret in it (no
    token hash, no sealed client secret, no e-mail address of an anonymous round's participant)."""
    rounds = Round.objects.filter(team__organization=organization)
    responses = Response.objects.filter(round__team__organization=organization)
    participants = Participant.objects.filter(round__team__organization=organization)
    return {
        "organization.json": [
            {
                "id": organization.pk,
                "name": organization.name,
                "slug": organization.slug,
                "time_zone": organization.time_zone,
                "created_at": organization.created_at,
            }
        ],
        "teams.json": _rows(
            Team.objects.filter(organization=organization),
            "id",
            "public_id",
            "name",
            "description",
            "archived_at",
            "created_at",
        ),
        "members.json": _rows(
            Membership.objects.filter(organization=organization),
            "id",
            "public_id",
            "role",
            "created_at",
            email=F("user__email"),
            name=F("user__name"),
        ),
        "team_members.json": _rows(
            TeamMembership.objects.filter(team__organization=organization),
            "id",
            "team_id",
            "membership_id",
            "is_lead",
            "created_at",
        ),
        "invitations.json": _rows(
            Invitation.objects.filter(organization=organization),
            "id",
            "public_id",
            "email",
            "role",
            "created_at",
            "sent_at",
            "expires_at",
            "accepted_at",
            invited_by_email=F("invited_by__email"),
        ),
        "rounds.json": _rows(
            rounds,
            "id",
            "public_id",
            "team_id",
            "title",
            "opens_at",
            "closes_at",
            "status",
            "anonymous",
            "min_respondents",
            "created_at",
            "closed_at",
            bank_slug=F("bank__slug"),
            bank_version=F("bank__version"),
            created_by_email=F("created_by__email"),
        ),
        # An anonymous round's participants: when, never who.
        "participants.json": [
            {**row, "email": row["email"] if not row.pop("anonymous") else None}
            for row in _rows(
                participants,
                "id",
                "public_id",
                "round_id",
                "email",
                "created_at",
                "invited_at",
                "reminded_at",
                "submitted_at",
                "revoked_at",
                anonymous=F("round__anonymous"),
            )
        ],
        "responses.json": _rows(
            responses,
            "id",
            "participant_id",
            "round_id",
            "status",
            "started_at",
            "submitted_at",
            "total_points",
            "max_points",
        ),
        "answers.json": _rows(
            Answer.objects.filter(response__round__team__organization=organization),
            "id",
            "response_id",
            "kind",
            "comment",
            "evidence_url",
            "updated_at",
            question_code=F("question__code"),
            choice_label=F("choice__label"),
            choice_points=F("choice__points"),
        ),
        "dimension_scores.json": _rows(
            DimensionScore.objects.filter(response__in=responses),
            "id",
            "response_id",
            "points",
            "max_points",
            dimension_key=F("dimension__key"),
        ),
        "team_scores.json": _rows(
            TeamScore.objects.filter(round__in=rounds),
            "id",
            "round_id",
            "submitted",
            "n",
            "mean",
            "median",
            "minimum",
            "maximum",
            "stdev",
            "max_points",
            "level_number",
            "level_name",
            "computed_at",
            dimension_key=F("dimension__key"),
        ),
        "question_levels.json": _rows(
            QuestionLevel.objects.filter(round__in=rounds),
            "id",
            "round_id",
            "n",
            "level_number",
            question_code=F("question__code"),
        ),
        "targets.json": _rows(
            Target.objects.filter(organization=organization),
            "id",
            "team_id",
            "bank_slug",
            "dimension_key",
            "level",
            "due",
            "updated_at",
            set_by_email=F("set_by__email"),
        ),
        "target_policy.json": _rows(
            TargetPolicy.objects.filter(organization=organization),
            "teams_may_go_below",
            "updated_at",
        ),
        "plan_actions.json": _rows(
            Action.objects.filter(organization=organization),
            "id",
            "public_id",
            "team_id",
            "title",
            "bank_slug",
            "question_code",
            "due_date",
            "done_when",
            "notes",
            "status",
            "status_changed_at",
            "started_at",
            "done_at",
            "dropped_at",
            "source",
            "source_round_id",
            "created_at",
            "updated_at",
            owner_email=F("owner__user__email"),
            created_by_email=F("created_by__email"),
        ),
        "audit_log.json": _rows(
            AuditEntry.objects.filter(organization=organization),
            "id",
            "created_at",
            "actor_email",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "before",
            "after",
            "ip_address",
        ),
        "reports.json": _rows(
            Report.objects.filter(organization=organization),
            "id",
            "public_id",
            "scope",
            "round_id",
            "team_id",
            "status",
            "download_name",
            "error",
            "created_at",
            "finished_at",
            requested_by_email=F("requested_by__email"),
        ),
    }


def _csv_bytes(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode()


def csv_files(organization: Organization, viewer) -> dict[str, bytes]:
    """{path: CSV} as the pages' downloads write them (`viewer`, an owner's access, reads what
    an owner reads: a round's result only once closed at its threshold)."""
    files = {}
    for team in Team.objects.filter(organization=organization).order_by("pk"):
        stem = f"{slugify(team.name) or 'team'}-{team.public_id.hex[:8]}"
        points, _ = scoring_selectors.team_history(team)
        team_targets = targets.team_targets(team, {p.round.bank.slug for p in points})
        gaps = targets.history_gaps(points, team_targets)
        files[f"history/{stem}.csv"] = _csv_bytes(*team_history_table(team, points, gaps))
        for round_ in (
            Round.objects.filter(team=team, status=RoundStatus.CLOSED)
            .select_related("bank", "team__organization")
            .order_by("opens_at")
        ):
            result = scoring_selectors.round_team_result(
                round_, viewer=viewer, questions=False, previous=False
            )
            round_gaps = {}
            if result.visible:
                round_targets = targets.team_targets(team, [round_.bank.slug])
                rows = targets.row_gaps(result.dimensions, round_targets, round_.bank.slug)
                round_gaps = {row.key: gap for row, gap in rows}
            name = f"results/{stem}/{slugify(round_.title) or 'round'}-{round_.public_id.hex[:8]}"
            files[f"{name}.csv"] = _csv_bytes(*round_result_table(result, round_gaps))
    today = plan_selectors.today_for(organization)
    actions = plan_selectors.organization_plans(organization, today=today)
    files["plans.csv"] = _csv_bytes(
        *csv_formats.SPREADSHEET.table(actions, organization=organization)
    )
    return files


def _csv_row_count(data: bytes) -> int:
    return max(0, len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) - 1)


def export_zip(organization: Organization, viewer, created_at) -> bytes:
    """The ZIP: manifest.json, the JSON files, the CSVs."""
    models = model_files(organization)
    csvs = csv_files(organization, viewer)
    manifest = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "organization": {"name": organization.name, "slug": organization.slug},
        "created_at": created_at,
        "files": {
            **{name: len(rows) for name, rows in models.items()},
            **{name: _csv_row_count(data) for name, data in csvs.items()},
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        dump = lambda value: json.dumps(value, cls=DjangoJSONEncoder, indent=2)  # noqa: E731
        archive.writestr("manifest.json", dump(manifest))
        for name, rows in models.items():
            archive.writestr(name, dump(rows))
        for name, data in csvs.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- The job


def export_request(*, organization: Organization, requested_by) -> OrganizationExport:
    """The export queued or being built for this organization, or a new queued one (built after
    commit). A ready one is not reused: an export is of the data as it stands when asked."""
    from apps.reports.tasks import build_organization_export

    live = OrganizationExport.objects.filter(
        organization=organization, status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
    ).first()
    if live is not None:
        return live
    with transaction.atomic():
        export = OrganizationExport.objects.create(
            organization=organization, requested_by=requested_by
        )
        audit.record(
            "organization.export_requested",
            organization=organization,
            obj=export,
            actor=requested_by,
        )
        jobs.publish_on_commit(build_organization_export, export.pk)
    return export


def export_claim(export_id: int) -> bool:
    return job_rows.claim(OrganizationExport, export_id)


def _owner_viewer(export: OrganizationExport):
    """An owner's access to read results through (the requester, or any owner left)."""
    memberships = Membership.objects.filter(
        organization=export.organization, role=Role.OWNER
    ).select_related("user")
    chosen = memberships.filter(user=export.requested_by).first() or memberships.first()
    return organization_access(chosen.user, export.organization.slug)


def export_build(export_id: int) -> None:
    """Build a claimed export's ZIP, store it and mark it ready. Raises
    `filestore.StorageFailed` when the file storage refuses it."""
    export = OrganizationExport.objects.select_related("organization").get(pk=export_id)
    organization = export.organization
    created_at = timezone.now()
    data = export_zip(organization, _owner_viewer(export), created_at)
    stamp = (
        timezone.localtime(created_at, timezone=ZoneInfo(organization.time_zone)).date().isoformat()
    )
    name = f"{slugify(organization.slug)}-export-{export.public_id}.zip"
    export.file.name = filestore.save(
        export.file.storage, export.file.field.generate_filename(export, name), data
    )
    stored = OrganizationExport.objects.filter(pk=export.pk, status=ReportStatus.RUNNING).update(
        status=ReportStatus.READY,
        file=export.file.name,
        download_name=f"{slugify(organization.name) or organization.slug}_export_{stamp}.zip",
        finished_at=timezone.now(),
        error="",
    )
    if not stored:  # deleted meanwhile (with its organization): the file is nobody's
        export_files_delete([export.file.name])


def export_fail(export_id: int, message: str) -> None:
    job_rows.fail(OrganizationExport, export_id, message)


def export_requeue(export_id: int) -> None:
    job_rows.requeue(OrganizationExport, export_id)


def exports_reclaim_stuck(now=None) -> list[int]:
    return job_rows.reclaim_stuck(OrganizationExport, now)


def exports_delete_old(now=None) -> int:
    return job_rows.delete_old(OrganizationExport, now)


def export_files_delete(names) -> list[str]:
    return job_rows.files_delete(OrganizationExport, names)


def export_files_delete_on_commit(exports) -> None:
    job_rows.files_delete_on_commit(OrganizationExport, exports)
