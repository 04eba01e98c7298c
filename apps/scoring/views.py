"""Result pages: a round's result and a team's history, with CSV downloads."""

from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from apps.organizations.access import TeamAction, org_view, team_access
from apps.scoring import charts, selectors
from apps.scoring.csv_export import csv_response
from apps.surveys.access import round_access
from apps.surveys.round_selectors import bank_bands


@org_view()
@require_GET
def round_result(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.VIEW)
    result = selectors.round_team_result(round_, viewer=access)
    context = {"organization": access.organization, "round": round_, "result": result}
    if result.visible:
        context["chart"] = charts.bar_chart(
            ident="round-chart",
            title=f"{round_.team.name}: score per dimension",
            description="Team average per dimension as a share of the maximum, over the level "
            "bands. The table below gives the same numbers.",
            rows=[
                (row.name, row.percent, row.level_name)
                for row in [*result.dimensions, result.total]
            ],
            bands=selectors.chart_bands(result.bands, result.total.max_points),
        )
    return render(request, "scoring/round_result.html", context)


@org_view()
@require_GET
def round_result_csv(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.VIEW)
    result = selectors.round_team_result(round_, viewer=access)
    header = [
        "team",
        "round",
        "bank",
        "bank_version",
        "dimension",
        "respondents",
        "mean",
        "max",
        "percent",
        "level",
        "median_min_max_stdev",
    ]
    base = [round_.team.name, round_.title, round_.bank.slug, round_.bank.version]
    if not result.visible:
        rows = [[*base, "", result.n, result.message, "", "", "", ""]]
    else:
        rows = [
            [
                *base,
                row.name,
                result.n,
                row.mean,
                row.max_points,
                row.percent,
                row.level_name,
                f"{row.minimum}/{row.maximum}/{row.stdev}",
            ]
            for row in [*result.dimensions, result.total]
        ]
    return csv_response(f"{slugify(round_.title)}-result.csv", header, rows)


@org_view()
@require_GET
def team_history(request, access, team_id):
    team = team_access(access, team_id, TeamAction.VIEW)
    points, dimensions = selectors.team_history(team)
    visible = [p for p in points if p.visible]
    chart = None
    if visible:
        names = [*dimensions, ("total", "Total")]
        chart = charts.line_chart(
            ident="history-chart",
            title=f"{team.name}: score per dimension over time",
            description="Team average per dimension, as a share of the maximum, for every closed "
            "round that met its threshold. The table below gives the same numbers.",
            x_labels=[p.round.closes_at.strftime("%b %Y") for p in points],
            series=[
                (
                    name,
                    [
                        (p.total if key == "total" else p.dimensions.get(key)).percent
                        if p.visible and (key == "total" or key in p.dimensions)
                        else None
                        for p in points
                    ],
                )
                for key, name in names
            ],
            bands=selectors.chart_bands(
                bank_bands(visible[-1].round.bank_id), visible[-1].total.max_points
            ),
        )
    context = {
        "organization": access.organization,
        "team": team,
        "points": list(reversed(points)),
        "dimensions": dimensions,
        "chart": chart,
    }
    return render(request, "scoring/team_history.html", context)


@org_view()
@require_GET
def team_history_csv(request, access, team_id):
    team = team_access(access, team_id, TeamAction.VIEW)
    points, _ = selectors.team_history(team)
    header = [
        "team",
        "round",
        "closed",
        "bank",
        "bank_version",
        "respondents",
        "dimension",
        "mean",
        "max",
        "percent",
        "level",
    ]

    def rows():
        for p in points:
            base = [
                team.name,
                p.round.title,
                p.round.closes_at.date().isoformat(),
                p.round.bank.slug,
                p.round.bank.version,
                p.n,
            ]
            if not p.visible:
                yield [*base, "", p.message, "", "", ""]
                continue
            for row in [*p.dimensions.values(), p.total]:
                yield [*base, row.name, row.mean, row.max_points, row.percent, row.level_name]

    return csv_response(f"{slugify(team.name)}-history.csv", header, rows())
