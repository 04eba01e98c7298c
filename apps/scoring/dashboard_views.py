"""The executive dashboard page and its CSV."""

import datetime as dt
from html import escape  # Django's escape without its wrapper for lazy text: once per team

from django import forms
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast
from django.forms.utils import flatatt
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from apps.core import design
from apps.core.widgets import LongSelect
from apps.organizations.access import org_view
from apps.organizations.models import Role, Team
from apps.scoring import dashboard_cache, figures, targets
from apps.scoring.csv_export import csv_response
from apps.scoring.dashboard import executive_dashboard
from apps.scoring.patterns import organization_patterns
from apps.scoring.result_page import pattern_actions

TOP_PATTERNS = 3  # shown at once; the rest behind "Show all"

PERIODS = [("4", "Last 4 quarters"), ("8", "Last 8 quarters"), ("all", "All time")]


class TeamSelect(LongSelect):
    """LongSelect's markup, built straight from (public id, name) pairs: no model instance,
    option dict and format_html per team, which at 1,000 teams were more than half of a page
    served from the cache."""

    def render(self, name, value, attrs=None, renderer=None):
        values = self.format_value(value)
        options, has_selected = [], False
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not has_selected and option_value in values
            has_selected |= selected
            options.append(
                f'<option value="{escape(option_value)}"{" selected" if selected else ""}>'
                f"{escape(label)}</option>"
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),  # each value and label escaped above
        )


class _TeamOptions(BaseChoiceIterator):
    """The team filter's options, read from two columns when the select is drawn (a
    BaseChoiceIterator, so that the form leaves it unread until then)."""

    def __init__(self, teams):
        self.teams = teams

    def __iter__(self):
        yield "", "All teams"
        if connection.vendor == "postgresql":
            # The id as PostgreSQL writes it (as str() does): no UUID object made per team.
            yield from self.teams.values_list(Cast("public_id", CharField()), "name")
            return
        for public_id, name in self.teams.values_list("public_id", "name"):
            yield str(public_id), name


class DashboardFilter(forms.Form):
    # Drawn in Python (LongSelect), not by a template per option: on every view of the page.
    period = forms.ChoiceField(choices=PERIODS, required=False, initial="8", widget=LongSelect)
    sort = forms.ChoiceField(
        choices=figures.SORTS, required=False, initial="name", widget=LongSelect
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="All teams",
        to_field_name="public_id",
        widget=TeamSelect,
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(organization=organization, archived_at__isnull=True)
        self.fields["team"].queryset = teams  # what a chosen team is checked against
        self.fields["team"].widget.choices = _TeamOptions(teams)

    def chosen_sort(self) -> str:
        """How the heat map is sorted (`figures.SORTS`), by name when none or a wrong one is."""
        return (self.cleaned_data.get("sort") if self.is_valid() else None) or "name"

    def chosen_period(self) -> str:
        """The period chosen ("4", "8" or "all"), the default when none or a wrong one is."""
        return (self.cleaned_data.get("period") if self.is_valid() else None) or "8"

    def since(self) -> dt.datetime | None:
        period = self.chosen_period()
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


def _version_changes(data) -> str:
    """The teams whose change spans two question sets, one list item each: written out here,
    not by a template loop, as every team is in it once an organization moves to a new bank
    version."""
    return mark_safe(  # every text from the data escaped
        "".join(
            f"<li>{escape(t.name)}: {design.change_html(t.change, t.first_quarter)}, "
            f"{escape(t.first_bank)} → {escape(t.bank)}</li>"
            for t in data.version_changes
        )
    )


def _gaps(organization, data) -> targets.RoundGaps:
    """Each shown team's latest round against its targets (`targets.round_gaps`, the one rule
    of every surface), with the organization's defaults. A team's newest round on the dashboard
    is its latest visible round (`patterns.latest_visible_rounds`): the period only leaves out
    older ones."""
    return targets.round_gaps(organization, {team.team_id: team.round_id for team in data.teams})


def _body(organization, *, since, team_ids, sort="name") -> str:
    """The page below the filters: heat map with targets, levels, movers, grid (with the
    target zone), trend and the practices weak across teams (the fragment dashboard_cache
    keeps: every part of it is the same for every viewer)."""
    data = executive_dashboard(organization, since=since, team_ids=team_ids)
    escaped: dict[str, str] = {}
    context = {
        "data": data,
        "version_changes": _version_changes(data),
        "organization": organization,
        # Each practice with its weak teams' names, ready to print.
        "patterns": [
            (pattern, figures.team_names_html(pattern.weak_teams, escaped))
            for pattern in organization_patterns(organization, latest=data.latest_rounds)
        ],
        "pattern_actions": pattern_actions(),
        "top_patterns": TOP_PATTERNS,
    }
    if data.teams:
        gaps = _gaps(organization, data)
        context["heatmap"] = figures.heatmap(
            data, organization_slug=organization.slug, gaps=gaps.by_team, sort=sort
        )
        context["trend_chart"] = figures.trend_chart(organization.name, data)
        context["grid"] = figures.maturity_grid(
            data, targets=gaps.defaults_for(sorted({slug for slug, _ in gaps.defaults}))
        )
        context["grid_options"] = figures.team_options(data.teams)
    return render_to_string(dashboard_cache.FRAGMENT_TEMPLATE, context)


@org_view(Role.EXECUTIVE)
@require_GET
def dashboard(request, access):
    organization = access.organization
    form = DashboardFilter(request.GET or None, organization=organization)
    since, team_ids, sort = form.since(), form.team_ids(), form.chosen_sort()
    body = dashboard_cache.cached_fragment(
        organization,
        since=since,
        filters=(form.chosen_period(), tuple(team_ids or ()), sort),
        render=lambda: _body(organization, since=since, team_ids=team_ids, sort=sort),
    )
    context = {"organization": organization, "form": form, "body": body}
    return render(request, "scoring/dashboard.html", context)


# Per dimension: the target level, the gap in percentage points (0 when met) and the due date,
# as the page's Target column says them (`targets.target_gap`); empty without a target.
TARGET_COLUMNS = ("target", "gap_pp", "due")


def _target_cells(gap) -> list:
    if gap is None:
        return ["", "", ""]
    return [gap.target.level_name, gap.gap, gap.target.due.isoformat()]


@org_view(Role.EXECUTIVE)
@require_GET
def dashboard_csv(request, access):
    _, data = _dashboard(request, access)
    keys = [*data.dimensions, ("total", "Total")]
    gaps = _gaps(access.organization, data).by_team if data.teams else {}
    header = [
        "team",
        "latest_round",
        "closed",
        "bank_version",
        *[f"{name} %" for _, name in keys],
        *[f"{name} level" for _, name in keys],
        "change_pp",
        *[f"{name} {column}" for _, name in data.dimensions for column in TARGET_COLUMNS],
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
            *[
                value
                for key, _ in data.dimensions
                for value in _target_cells(gaps.get(team.team_id, {}).get(key))
            ],
        ]
        for team in data.teams
    )
    return csv_response(f"{access.organization.slug}-dashboard.csv", header, rows)
