"""The executive dashboard page and its CSV."""

import datetime as dt

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.core.widgets import LongSelect
from apps.organizations.access import org_view
from apps.organizations.models import Role, Team
from apps.scoring import figures
from apps.scoring.csv_export import csv_response
from apps.scoring.dashboard import executive_dashboard

PERIODS = [("4", "Last 4 quarters"), ("8", "Last 8 quarters"), ("all", "All time")]


class DashboardFilter(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False, initial="8")
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="All teams",
        to_field_name="public_id",
        widget=LongSelect,
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            organization=organization, archived_at__isnull=True
        )

    def since(self) -> dt.datetime | None:
        period = (self.cleaned_data.get("period") if self.is_valid() else None) or "8"
        if period == "all":
            return None
        return timezone.now() - dt.timedelta(days=int(period) * 92)

    def team_ids(self):
        team = self.cleaned_data.get("team") if self.is_valid() else None
        return [team.pk] if team else None


def _dashboard(request, access):
    form = DashboardFilter(request.GET or None, organization=access.organization)
    return form, executive_dashboard(
        access.organization, since=form.since(), team_ids=form.team_ids()
    )


@org_view(Role.EXECUTIVE)
@require_GET
def dashboard(request, access):
    form, data = _dashboard(request, access)
    context = {"organization": access.organization, "form": form, "data": data}
    if data.teams:
        context["heatmap"] = figures.heatmap(data, organization_slug=access.organization.slug)
        context["trend_chart"] = figures.trend_chart(access.organization.name, data)
        context["grid"] = figures.maturity_grid(data)
    return render(request, "scoring/dashboard.html", context)


@org_view(Role.EXECUTIVE)
@require_GET
def dashboard_csv(request, access):
    _, data = _dashboard(request, access)
    keys = [*data.dimensions, ("total", "Total")]
    header = [
        "team",
        "latest_round",
        "closed",
        "bank_version",
        *[f"{name} %" for _, name in keys],
        *[f"{name} level" for _, name in keys],
        "change_pts",
    ]
    rows = (
        [
            team.name,
            team.round_title,
            team.closed.date().isoformat(),
            team.bank,
            *[team.cells[key].percent if key in team.cells else "" for key, _ in keys],
            *[team.cells[key].level_name if key in team.cells else "" for key, _ in keys],
            team.change if team.change is not None else "",
        ]
        for team in data.teams
    )
    return csv_response(f"{access.organization.slug}-dashboard.csv", header, rows)
