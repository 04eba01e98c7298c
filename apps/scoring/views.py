"""Result pages: a round's result and a team's history, with CSV downloads."""

from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from apps.organizations.access import TeamAction, org_view, team_access
from apps.scoring import figures, selectors, targets
from apps.scoring.csv_export import (
    csv_response,
    round_comments_table,
    round_result_table,
    team_history_table,
)
from apps.scoring.next_steps import round_steps
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
        team_targets = targets.team_targets(round_.team, [round_.bank.slug])
        context["chart"] = figures.round_chart(result)
        context["question_charts"] = [
            (q, figures.question_distribution_chart(q)) for q in result.questions
        ]
        context["target_rows"] = targets.row_gaps(result.dimensions, team_targets, round_.bank.slug)
        context["has_targets"] = any(gap for _, gap in context["target_rows"])
        context.update(_steps_context(access, round_, result, team_targets))
    return render(request, "scoring/round_result.html", context)


def _steps_context(access, round_, result, team_targets) -> dict:
    """What "What to do next" (scoring/_next_steps.html) needs: the ranked steps of a visible
    result, the round and team they come from, and who may change the targets."""
    return {
        "steps": round_steps(result, team_targets),
        "steps_round": round_,
        "steps_team": round_.team,
        "may_set_targets": access.may(TeamAction.LEAD, round_.team),
    }


@org_view()
@require_GET
def round_result_csv(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.VIEW)
    result = selectors.round_team_result(round_, viewer=access, questions=False)
    gaps = {}
    if result.visible:
        team_targets = targets.team_targets(round_.team, [round_.bank.slug])
        rows = targets.row_gaps(result.dimensions, team_targets, round_.bank.slug)
        gaps = {row.key: gap for row, gap in rows}
    filename = f"{slugify(round_.title)}-result.csv"
    return csv_response(filename, *round_result_table(result, gaps))


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
    team_targets = targets.team_targets(team, {p.round.bank.slug for p in points})
    gaps = targets.history_gaps(points, team_targets)
    visible = [p for p in points if p.visible]
    now = targets.targets_now(points, team_targets)
    chart = figures.history_chart(team.name, points, dimensions, targets=now)
    context = {
        "organization": access.organization,
        "team": team,
        "points": list(reversed(points)),
        "rows": list(reversed(list(zip(points, gaps, strict=True)))),
        "dimensions": dimensions,
        "chart": chart,
        "grid": figures.team_grid(team, points, dimensions, now),
        "sections": history_sections(access, team, points),
        "step_actions": step_actions(),
        "may_set_targets": access.may(TeamAction.LEAD, team),
    }
    if visible:
        latest = visible[-1].round
        context["current_targets"] = [(name, now.get(key)) for key, name in dimensions]
        result = selectors.round_team_result(latest, viewer=access)
        context.update(_steps_context(access, latest, result, team_targets))
    return render(request, "scoring/team_history.html", context)


@org_view()
@require_GET
def team_history_csv(request, access, team_id):
    team = team_access(access, team_id, TeamAction.VIEW)
    points, _ = selectors.team_history(team)
    team_targets = targets.team_targets(team, {p.round.bank.slug for p in points})
    gaps = targets.history_gaps(points, team_targets)
    table = team_history_table(team, points, gaps)
    return csv_response(f"{slugify(team.name)}-history.csv", *table)
