"""What a roadmap says: gathered from the stored results and the bank's guidance.

Visibility holds as on the pages (`round_team_result`): a round's team results appear only once
it has closed at or above its minimum respondents; otherwise a roadmap says only the withheld
message ("n of m needed", or "n submitted of m invited" while open) and nothing else of it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from apps.scoring import figures
from apps.scoring.dashboard import executive_dashboard
from apps.scoring.next_steps import Step, round_steps
from apps.scoring.selectors import RoundResult, round_team_result, team_history
from apps.surveys.models import Guidance, Level, Round, RoundStatus


@dataclass
class DimensionSection:
    name: str
    level_number: int
    level_name: str
    level_description: str
    percent: Decimal
    next_level_name: str | None
    advice: str
    steps: list[Step] = field(default_factory=list)  # this dimension's, in rank order


def _sections(result: RoundResult) -> list[DimensionSection]:
    """Per dimension: where the team is, the dimension's advice for its next level, and its
    questions' steps as `next_steps.round_steps` ranks them (each quoting the guidance for the
    question's own next level: one rule, the same as the result page)."""
    round_ = result.round
    levels = {lv.number: lv for lv in Level.objects.filter(bank_id=round_.bank_id)}
    advice = {
        (key, number): text
        for key, number, text in Guidance.objects.filter(
            bank_id=round_.bank_id, question__isnull=True
        ).values_list("dimension__key", "level__number", "text")
    }
    steps = round_steps(result)
    sections = []
    for row in result.dimensions:
        target = row.level_number + 1 if row.level_number + 1 in levels else None
        sections.append(
            DimensionSection(
                name=row.name,
                level_number=row.level_number,
                level_name=row.level_name,
                level_description=levels[row.level_number].description
                if row.level_number in levels
                else "",
                percent=row.percent,
                next_level_name=levels[target].name if target else None,
                advice=advice.get((row.key, target), "") if target else "",
                steps=[step for step in steps if step.dimension_key == row.key],
            )
        )
    return sections


def round_roadmap(round_: Round) -> dict:
    result = round_team_result(round_)
    context = {
        "kind": "round",
        "title": f"{round_.team.name}: {round_.title}",
        "round": round_,
        "result": result,
    }
    if result.visible:
        context.update(
            sections=_sections(result),
            chart=figures.round_chart(result),
            question_charts=_question_charts(result),
        )
    return context


def _question_charts(result: RoundResult) -> list:
    """Per question its row and distribution chart, the very SVG the result page shows."""
    return [(q, figures.question_distribution_chart(q)) for q in result.questions]


def team_roadmap(team) -> dict:
    points, dimensions = team_history(team)
    visible = [p for p in points if p.visible]
    context = {
        "kind": "team",
        "title": f"{team.name}: maturity roadmap",
        "team": team,
        "points": points,
        "dimensions": dimensions,
    }
    if visible:
        latest = Round.objects.select_related("team__organization", "bank").get(
            pk=visible[-1].round.pk
        )
        result = round_team_result(latest)
        context.update(
            round=latest,
            result=result,
            sections=_sections(result),
            chart=figures.round_chart(result),
            question_charts=_question_charts(result),
            history_chart=figures.history_chart(team.name, points, dimensions),
        )
    return context


def organization_roadmap(organization) -> dict:
    data = executive_dashboard(organization)
    context = {
        "kind": "organization",
        "title": f"{organization.name}: maturity across teams",
        "data": data,
    }
    if data.teams:
        context["heatmap"] = figures.heatmap(data)
        context["trend_chart"] = figures.trend_chart(organization.name, data)
        context["grid"] = figures.maturity_grid(data)
    return context


def fingerprint_source(scope: str, obj) -> str:
    """A description of the data a roadmap shows; it changes when the report would change."""
    from apps.scoring.models import TeamScore
    from apps.surveys.models import Response

    if scope == "round":
        submitted = Response.objects.filter(round=obj, status="submitted")
        last = submitted.order_by("-submitted_at").values_list("submitted_at", flat=True).first()
        return f"round:{obj.pk}:{obj.status}:{submitted.count()}:{last}"
    if scope == "team":
        rounds = Round.objects.filter(team=obj, status=RoundStatus.CLOSED)
        return f"team:{obj.pk}:{sorted(rounds.values_list('pk', flat=True))}"
    latest = (
        TeamScore.objects.filter(round__team__organization=obj)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)
        .first()
    )
    count = TeamScore.objects.filter(round__team__organization=obj).count()
    return f"organization:{obj.pk}:{count}:{latest}"
