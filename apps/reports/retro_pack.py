"""What the team retro pack (a round) and the team history PDF say, from the stored results.

The retro pack is at most four A4 pages: the result at a glance (with the targets), what to
discuss, the top steps (`next_steps.round_steps`, the result page's) and the team's plan (its
open actions with owners and dates, and the plan check: actions done since the previous round
beside their question's change), and an appendix with every question's distribution. The team
history PDF is the same pack for the team's latest visible round with the trend added.

Only a visible result has a pack (DESIGN §3; `offer` refuses the request before, and the
builder checks again here, as a round's state may change in between). Each part of a pack is
its own context key, built by its own function; a template shows a part only when its key is
there.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.safestring import SafeString

from apps.plans import selectors as plan_selectors
from apps.plans.check import CheckedAction, plan_check
from apps.plans.models import Action
from apps.reports.discussion import disagreement_order, gap_order, gap_question, retro_question
from apps.reports.offer import ReportUnavailable, round_unavailable, team_unavailable
from apps.scoring import figures, targets
from apps.scoring.next_steps import Step, round_steps
from apps.scoring.selectors import (
    HistoryPoint,
    Note,
    QuestionRow,
    RoundResult,
    bank_version_label,
    round_team_result,
    team_history,
)
from apps.surveys.models import Round

# What page 2 holds in full; the rest is named in one line (disagreements, gaps) or counted
# (comments, all of which are in the round's comments CSV), so that the page never overflows.
MAX_DISAGREEMENTS = 5
MAX_GAPS = 3
MAX_COMMENTS = 5
COMMENT_LENGTH = 200
TOP_STEPS = 3  # as on the result page; the rest are one click away there
MAX_OPEN_ACTIONS = 4  # the plan's open actions on page 3 (doing first, soonest due first)
MAX_CHECKED_ACTIONS = 3  # actions done since the previous round, beside their question


@dataclass(frozen=True)
class Glance:
    """Page 1: the scores (the result's rows), what the change is measured against, each
    dimension against its target, the round's bar chart and, for a bank with a grid, the team's
    dot with its trail."""

    result: RoundResult
    change_basis: str
    chart: SafeString
    grid: SafeString | None
    gaps: dict[str, targets.TargetGap]  # by dimension key, where the team has a target

    @property
    def has_targets(self) -> bool:
        return bool(self.gaps)


@dataclass(frozen=True)
class TopStep:
    """A step as the pack prints it: the step, and its question's answers counted by level
    (where the result page quotes each chosen option, which would not fit on the page)."""

    step: Step
    answers: str


@dataclass(frozen=True)
class NextSteps:
    """Page 3: the top steps, ranked as on the result page, and how many more there are."""

    top: list[TopStep]
    more: int


@dataclass(frozen=True)
class Topic:
    """A question worth discussing, with a suggested question for the retro."""

    row: QuestionRow
    ask: str


@dataclass(frozen=True)
class Comment:
    code: str  # the question's
    note: Note  # never with a name
    text: str  # the comment, shortened to COMMENT_LENGTH


@dataclass(frozen=True)
class Discussion:
    """Page 2: disagreements and knowledge gaps, each with a question to ask, and comments."""

    disagreements: list[Topic]
    more_disagreements: list[QuestionRow]
    gaps: list[Topic]
    more_gaps: list[QuestionRow]
    comments: list[Comment]
    more_comments: int


@dataclass(frozen=True)
class Plan:
    """Page 3: the team's plan as it is on the day the pack is built: its open actions (each
    with `question`, `overdue`: `plan_selectors.plan_actions`), its counts, and the actions done
    since the previous round beside their question's change (`plan_check`)."""

    open: list[Action]
    more_open: int
    summary: plan_selectors.PlanSummary
    checked: list[CheckedAction]
    more_checked: int
    since: str | None  # the previous round's title: "done since ..."


def change_basis(result: RoundResult) -> str:
    """What the change column is measured against, in words (DESIGN §4: always say it)."""
    previous = result.previous
    if previous is None:
        return "No change shown: this is the team's first round with a visible result."
    if not result.compared:
        return (
            f"No change shown: the previous round, {previous.title}, used "
            f"{bank_version_label(previous.bank.slug, previous.bank.version)}, another "
            "question set."
        )
    return f"Change: percentage points (pp) since {previous.title}."


def team_grid(
    result: RoundResult, points: list[HistoryPoint], zone: dict | None = None
) -> SafeString | None:
    """The team alone on the maturity grid at this round: its trail through its earlier
    visible rounds, and the zone where its targets (`zone`: dimension key →
    `targets.EffectiveTarget`) are met; None for a bank without a grid. The very figure the
    team history page draws (`figures.team_grid`), up to this round."""
    round_ = result.round
    upto = [p for p in points if p.round.opens_at <= round_.opens_at]
    dimensions = [(row.key, row.name) for row in result.dimensions]
    return figures.team_grid(round_.team, upto, dimensions, zone)


def plan(result: RoundResult, *, today: dt.date) -> Plan:
    round_ = result.round
    actions = plan_selectors.team_plan(round_.team, today=today)
    open_actions = [a for a in actions if a.is_open]
    check = plan_check(round_, result)
    return Plan(
        open=open_actions[:MAX_OPEN_ACTIONS],
        more_open=max(len(open_actions) - MAX_OPEN_ACTIONS, 0),
        summary=plan_selectors.summary_of(actions, today=today),
        checked=check.actions[:MAX_CHECKED_ACTIONS],
        more_checked=max(len(check.actions) - MAX_CHECKED_ACTIONS, 0),
        since=check.previous.title if check.previous else None,
    )


def glance(result: RoundResult, points: list[HistoryPoint], team_targets: dict) -> Glance:
    slug = result.round.bank.slug
    zone = {key: target for (bank, key), target in team_targets.items() if bank == slug}
    return Glance(
        result=result,
        change_basis=change_basis(result),
        chart=figures.round_chart(result),
        grid=team_grid(result, points, zone),
        gaps={
            row.key: gap
            for row, gap in targets.row_gaps(result.dimensions, team_targets, slug)
            if gap is not None
        },
    )


def answers_by_level(row: QuestionRow) -> str:
    """A question's answers in one line: "Defined 2 · Managed 4 · don't know 1"."""
    parts = [f"{level or label} {n}" for level, label, _, n in row.options if n]
    parts += [
        f"{name} {n}"
        for name, n in (("not applicable", row.na), ("don't know", row.dont_know))
        if n
    ]
    return " · ".join(parts)


def next_steps(result: RoundResult, team_targets: dict) -> NextSteps:
    steps = round_steps(result, team_targets)
    rows = {row.code: row for row in result.questions}
    return NextSteps(
        top=[TopStep(step, answers_by_level(rows[step.code])) for step in steps[:TOP_STEPS]],
        more=max(len(steps) - TOP_STEPS, 0),
    )


def _shortened(text: str) -> str:
    if len(text) <= COMMENT_LENGTH:
        return text
    return text[: COMMENT_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def discussion(result: RoundResult) -> Discussion:
    disagreements = sorted(result.disagreements, key=disagreement_order)
    gaps = sorted(result.knowledge_gaps, key=gap_order)
    notes = [
        Comment(q.code, note, _shortened(note.comment))
        for q in result.questions
        for note in q.comments
    ]
    return Discussion(
        disagreements=[Topic(q, retro_question(q)) for q in disagreements[:MAX_DISAGREEMENTS]],
        more_disagreements=disagreements[MAX_DISAGREEMENTS:],
        gaps=[Topic(q, gap_question(q)) for q in gaps[:MAX_GAPS]],
        more_gaps=gaps[MAX_GAPS:],
        comments=notes[:MAX_COMMENTS],
        more_comments=max(len(notes) - MAX_COMMENTS, 0),
    )


def appendix(result: RoundResult) -> list[tuple[QuestionRow, SafeString]]:
    """Per question its row and distribution chart: the very SVG the result page shows."""
    return [(q, figures.question_distribution_chart(q)) for q in result.questions]


def _pack(result: RoundResult, points: list[HistoryPoint], *, today: dt.date) -> dict:
    """The parts every pack has, for a visible result; `today` in the organization's zone (what
    is overdue)."""
    round_ = result.round
    team_targets = targets.team_targets(round_.team, [round_.bank.slug])
    return {
        "round": round_,
        "team": round_.team,
        "result": result,
        "glance": glance(result, points, team_targets),
        "discussion": discussion(result),
        "steps": next_steps(result, team_targets),
        "plan": plan(result, today=today),
        "appendix": appendix(result),
    }


def retro_pack(round_: Round, *, today: dt.date) -> dict:
    """The team retro pack of a round whose result is visible."""
    result = round_team_result(round_)
    reason = round_unavailable(result)
    if reason:
        raise ReportUnavailable(reason)
    points, _ = team_history(round_.team)
    return {
        "kind_label": "Team retro pack",
        "heading": round_.team.name,
        "subheading": round_.title,
        **_pack(result, points, today=today),
    }


def team_history_pack(team, *, today: dt.date) -> dict:
    """The team history PDF: the retro pack of the latest visible round, and the trend with the
    targets that apply now, as the history page draws it."""
    points, dimensions = team_history(team)
    visible = [p for p in points if p.visible]
    reason = team_unavailable(bool(visible))
    if reason:
        raise ReportUnavailable(reason)
    latest = Round.objects.select_related("team__organization", "bank").get(pk=visible[-1].round.pk)
    result = round_team_result(latest)
    team_targets = targets.team_targets(team, {p.round.bank.slug for p in points})
    gaps = targets.history_gaps(points, team_targets)
    return {
        "kind_label": "Team history",
        "heading": team.name,
        "subheading": "Maturity over time",
        # Newest first, as on the history page, each with its gaps to target by dimension key.
        "points": list(reversed(points)),
        "rows": list(reversed(list(zip(points, gaps, strict=True)))),
        "dimensions": dimensions,
        "history_chart": figures.history_chart(
            team.name, points, dimensions, targets=targets.targets_now(points, team_targets)
        ),
        **_pack(result, points, today=today),
    }
