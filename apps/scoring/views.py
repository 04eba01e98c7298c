"""Result pages: a round's result and a team's history, with CSV downloads."""

from html import escape  # Django's escape without its wrapper for lazy text: many cells a page

from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe
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
        context["question_sections"] = question_sections(
            (q, figures.question_distribution_chart(q)) for q in result.questions
        )
        context["target_rows"] = targets.row_gaps(result.dimensions, team_targets, round_.bank.slug)
        context["has_targets"] = any(gap for _, gap in context["target_rows"])
        context.update(_steps_context(access, round_, result, team_targets))
    return render(request, "scoring/round_result.html", context)


def _steps_context(access, round_, result, team_targets) -> dict:
    """What "What to do next" (scoring/_next_steps.html) needs: the ranked steps of a visible
    result (with each one's own part written out, `step_html`), the round and team they come
    from, and who may change the targets."""
    steps = round_steps(result, team_targets)
    return {
        "steps": steps,
        "step_rows": [(step, step_html(step)) for step in steps],
        "steps_round": round_,
        "steps_team": round_.team,
        "may_set_targets": access.may(TeamAction.LEAD, round_.team),
    }


@org_view()
@require_GET
def round_result_csv(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.VIEW)
    result = selectors.round_team_result(round_, viewer=access, questions=False, previous=False)
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
    result = selectors.round_team_result(round_, viewer=access, questions=False, previous=False)
    notes = selectors.round_notes(result)
    return csv_response(
        f"{slugify(round_.title)}-comments.csv", *round_comments_table(result, notes)
    )


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
        # The steps need the latest round's question rows only: its aggregates are read
        # already, and it shows no comments and no change since the round before.
        result = selectors.history_steps_result(visible[-1])
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


# The round result's parts that repeat per question and per step, written out directly: a
# template loop over 30 questions and their steps was most of the page's own time. Every text
# from the data is escaped; the output is what scoring/_question_results.html and the step of
# scoring/_next_steps.html rendered, byte for byte.


NO_VALUE = "\u2013"  # an en dash, as on the other pages
DISAGREEMENT = ' <span class="badge text-bg-warning">disagreement</span>'
KNOWLEDGE_GAP = ' <span class="badge text-bg-info">knowledge gap</span>'


def question_sections(question_charts) -> SafeString:
    """A section per (question row, its chart): its level and findings, the chart, the answers
    in full and the comments, without names."""
    return mark_safe("".join(_question_section(q, chart) for q, chart in question_charts))


def _question_section(q, chart) -> str:
    ident = f"question-{slugify(q.code)}"
    code = escape(q.code)
    if q.level_number:
        level = (
            f'<span class="badge level-{q.level_number}">{q.level_number} · '
            f"{escape(q.level_name)}</span>"
        )
    else:
        level = '<span class="text-body-secondary">not assessed</span>'
    options = "".join(
        "<tr><td>"
        + (f'<span class="text-body-secondary">{escape(name)}:</span> ' if name else "")
        + f'{escape(label)}</td><td class="text-end">{points}</td>'
        f'<td class="text-end">{n}</td></tr>'
        for name, label, points, n in q.options
    )
    na = (
        f'<tr><td><em>Not applicable</em></td><td class="text-end">{NO_VALUE}</td>'
        f'<td class="text-end">{q.na}</td></tr>'
        if q.offers_na or q.na
        else ""
    )
    dont_know = (
        f'<tr><td><em>I don\'t know</em></td><td class="text-end">{NO_VALUE}</td>'
        f'<td class="text-end">{q.dont_know}</td></tr>'
        if q.offers_dont_know or q.dont_know
        else ""
    )
    comments = ""
    if q.comments:
        notes = "".join(f"\n    {_note(note, code)}\n    " for note in q.comments)
        comments = (
            f'\n  <h4 class="h6 small mt-2 mb-1">Comments ({len(q.comments)})</h4>\n'
            f'  <ul class="list-unstyled small question-comments mb-0">\n    {notes}\n  </ul>\n  '
        )
    return (
        f'\n<section class="question-result border-top pt-3 mt-3" id="{ident}" '
        f'aria-labelledby="{ident}-heading">\n'
        '  <div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2">\n'
        f'    <h3 class="h6 mb-1" id="{ident}-heading"><span class="small text-body-secondary">'
        f"{escape(q.dimension)} · {code}</span><br>{escape(q.text)}</h3>\n"
        '    <div class="small">\n'
        f"      {level}\n"
        f"      {DISAGREEMENT if q.disagreement else ''}\n"
        f"      {KNOWLEDGE_GAP if q.knowledge_gap else ''}\n"
        "    </div>\n"
        "  </div>\n"
        f'  <figure class="question-chart mb-1">{chart}</figure>\n'
        '  <details class="small">\n'
        "    <summary>The answers in full</summary>\n"
        '    <table class="table table-sm align-middle mb-2">\n'
        f'      <caption class="visually-hidden">How many chose each answer to {code}</caption>\n'
        '      <thead><tr><th scope="col">Answer</th><th scope="col" class="text-end">Points</th>'
        '<th scope="col" class="text-end">How many</th></tr></thead>\n'
        "      <tbody>\n"
        f"        {options}\n"
        f"        {na}\n"
        f"        {dont_know}\n"
        "      </tbody>\n"
        "    </table>\n"
        "  </details>\n"
        f"  {comments}\n"
        "</section>\n"
    )


def _note(note, code: str) -> str:
    """A comment and its evidence link, with the answer it came with and no name."""
    text = escape(note.comment) if note.comment else ""
    if note.evidence_url:
        url = escape(note.evidence_url)
        text += (
            (" · " if note.comment else "")
            + f'<a href="{url}" rel="noopener noreferrer nofollow" class="text-break">Evidence'
            f'<span class="visually-hidden"> for {code}</span>: {url}</a>'
        )
    return (
        f'<li class="mb-2"><span class="text-body-secondary">{escape(note.answer)}:</span> '
        f"{text}</li>"
    )


def step_html(step) -> SafeString:
    """A next step's own part (scoring/_next_steps.html adds the registered actions after it):
    the question, where the team stands and where next, why, the guidance and the rank's
    parts."""
    if step.gap_levels:
        gap = f"{step.gap_levels} level{'' if step.gap_levels == 1 else 's'} below "
    else:
        gap = "At or above "
    if step.targeted:
        target = f"the target, {escape(step.target_level_name)}"
    else:
        target = f"the top level, {escape(step.target_level_name)} (no target set)"
    next_name = escape(step.next_level_name)
    return mark_safe(
        f'\n<h3 class="h6 mb-1"><span class="small text-body-secondary">{escape(step.dimension)}'
        f" · {escape(step.code)}</span><br>{escape(step.text)}</h3>\n"
        '<p class="small mb-2">\n'
        f'  <span class="badge level-{step.current_level}">Now: {step.current_level} · '
        f"{escape(step.current_level_name)}</span>\n"
        '  <span aria-hidden="true">→</span><span class="visually-hidden">, next:</span>\n'
        f'  <span class="badge text-bg-light border">Next: {step.next_level} · {next_name}</span>\n'
        "</p>\n"
        f'<p class="small mb-1"><strong>Why:</strong> {escape(step.why)}</p>\n'
        '<blockquote class="border-start border-3 ps-2 mb-2 next-step-guidance">'
        f'<span class="visually-hidden">Guidance for {next_name}: </span>'
        f"{escape(step.guidance)}</blockquote>\n"
        f'<p class="small text-body-secondary mb-2">{gap}{target} · weight '
        f"{floatformat(step.weight, '-2')}"
        + (" · answers two or more levels apart" if step.disagreement else "")
        + (f" · {step.dont_know} don't know" if step.dont_know else "")
        + "</p>"
    )
