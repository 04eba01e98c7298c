"""Result pages: a round's result and a team's history, with CSV downloads."""

from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from apps.organizations.access import TeamAction, org_view, team_access
from apps.scoring import figures, selectors
from apps.scoring.csv_export import (
    csv_response,
    round_comments_table,
    round_result_table,
    team_history_table,
)
from apps.scoring.result_page import history_sections, result_sections, step_actions
from apps.surveys.access import round_access


@org_view()
@require_GET
def round_result(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.VIEW)
    result = selectors.round_team_result(round_, viewer=access)
    context = {
        "organization": access.organization,
        "round": round_,
        "result": result,
        "sections": result_sections(access, round_, result),
        "step_actions": step_actions(),
    }
    if result.visible:
        context["chart"] = figures.round_chart(result)
        context["question_charts"] = [
            (q, figures.question_distribution_chart(q)) for q in result.questions
        ]
    return render(request, "scoring/round_result.html", context)


@org_view()
@require_GET
def round_result_csv(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.VIEW)
    result = selectors.round_team_result(round_, viewer=access)
    return csv_response(f"{slugify(round_.title)}-result.csv", *round_result_table(result))


@org_view()
@require_GET
def round_comments_csv(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.VIEW)
    result = selectors.round_team_result(round_, viewer=access)
    return csv_response(f"{slugify(round_.title)}-comments.csv", *round_comments_table(result))


@org_view()
@require_GET
def team_history(request, access, team_id):
    team = team_access(access, team_id, TeamAction.VIEW)
    points, dimensions = selectors.team_history(team)
    chart = figures.history_chart(team.name, points, dimensions)
    context = {
        "organization": access.organization,
        "team": team,
        "points": list(reversed(points)),
        "dimensions": dimensions,
        "chart": chart,
        "sections": history_sections(access, team, points),
        "step_actions": step_actions(),
    }
    return render(request, "scoring/team_history.html", context)


@org_view()
@require_GET
def team_history_csv(request, access, team_id):
    team = team_access(access, team_id, TeamAction.VIEW)
    points, _ = selectors.team_history(team)
    return csv_response(f"{slugify(team.name)}-history.csv", *team_history_table(team, points))
