"""The organization's audit log (apps.core.audit): owners and admins read it, filter it and
export the filtered list as CSV or JSON; an export is itself an entry."""

import json
import zoneinfo
from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.core import audit
from apps.core.models import AuditEntry
from apps.organizations.access import org_view
from apps.organizations.models import Role
from apps.scoring.csv_export import csv_response

PAGE_SIZE = 50
EXPORT_FIELDS = [
    "created_at",
    "action",
    "actor_email",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "ip_address",
]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *sorted(audit.ACTIONS.items())]
    )
    actor = forms.CharField(required=False, max_length=254, label="Who (e-mail)")
    object = forms.CharField(required=False, max_length=100, label="Object")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data


def _filtered(access, form: AuditFilterForm):
    entries = AuditEntry.objects.filter(organization=access.organization)
    if not form.is_valid():
        return entries.none()
    data = form.cleaned_data
    zone = zoneinfo.ZoneInfo(access.organization.time_zone)
    if data["action"]:
        entries = entries.filter(action=data["action"])
    if data["actor"]:
        entries = entries.filter(actor_email__icontains=data["actor"].strip())
    if data["object"]:
        text = data["object"].strip()
        entries = entries.filter(
            Q(object_label__icontains=text) | Q(object_type__iexact=text) | Q(object_id=text)
        )
    if data["since"]:
        entries = entries.filter(created_at__gte=datetime.combine(data["since"], time(), zone))
    if data["until"]:
        end = datetime.combine(data["until"] + timedelta(days=1), time(), zone)
        entries = entries.filter(created_at__lt=end)
    return entries


def _row(entry: AuditEntry) -> dict:
    return {
        "created_at": entry.created_at.isoformat(),
        "action": entry.action,
        "actor_email": entry.actor_email,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "before": entry.before,
        "after": entry.after,
        "ip_address": entry.ip_address,
    }


def _export(access, form, entries, kind: str) -> HttpResponse:
    rows = [_row(entry) for entry in entries.order_by("created_at", "pk").iterator()]
    with transaction.atomic():
        audit.record(
            "audit.exported",
            organization=access.organization,
            label=f"Audit log ({kind.upper()}, {len(rows)} entries)",
            after={"format": kind, "filters": form.data.dict() if form.data else {}},
        )
    name = f"{access.organization.slug}-audit-{timezone.localdate().isoformat()}.{kind}"
    if kind == "csv":
        return csv_response(
            name,
            EXPORT_FIELDS,
            ([_json_cell(row[field]) for field in EXPORT_FIELDS] for row in rows),
            audited=False,  # logged above as audit.exported
        )
    response = HttpResponse(
        json.dumps({"version": 1, "entries": rows}, cls=DjangoJSONEncoder, indent=1),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _json_cell(value):
    return json.dumps(value, cls=DjangoJSONEncoder) if isinstance(value, dict | list) else value


@org_view(Role.ADMIN)
@require_GET
def audit_log(request, access):
    form = AuditFilterForm(request.GET or None)
    if not request.GET:
        form = AuditFilterForm({})
    entries = _filtered(access, form)
    kind = request.GET.get("export", "")
    if kind in ("csv", "json") and form.is_valid():
        return _export(access, form, entries, kind)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        "organization": access.organization,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "action_labels": audit.ACTIONS,
    }
    return render(request, "reports/audit_log.html", context)
