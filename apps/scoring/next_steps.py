"""What to do next (DESIGN §4): one step per question that is not at the bank's top level.

A question's step quotes the bank's guidance for the next level above the question's own
current level (`selectors.QuestionRow.level_number`: the median level of the chosen options, or,
for a bank without option levels, the level of the question's mean fraction), never the next
level of its dimension: a dimension at the top level still gets steps for its weak questions,
and a question at the top level gets none, nor does one nobody scored (all N/A or don't know).

Steps rank by their gap to the target times the question's weight (the gap: levels from the
question's current level up to the team's target for its dimension, `targets.team_targets`;
without a target, the bank's top level), then questions where the team disagrees, then more
"don't know" answers, then by code.

`choose_steps` is the rule, a pure function of the rows and the bank's guidance; `round_steps`
reads what it needs for a round's visible result. The result page, the team history, the API
and the PDF all call `round_steps`.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from apps.scoring.calculations import LevelBand
from apps.scoring.selectors import QuestionRow, RoundResult
from apps.scoring.targets import team_targets
from apps.surveys.models import Guidance, Question

# (dimension key, question code or None for the dimension's own advice, level number) → text
GuidanceKey = tuple[str, str | None, int]


@dataclass(frozen=True)
class QuestionFacts:
    """What ranking needs of a question beyond its row: its id, dimension key and weight."""

    question_id: int
    dimension_key: str
    weight: Decimal


@dataclass(frozen=True)
class Step:
    """One next step: a question, where the team stands on it, and the guidance to move up."""

    question_id: int
    code: str
    text: str
    dimension: str  # the dimension's name
    dimension_key: str
    current_level: int
    current_level_name: str
    next_level: int
    next_level_name: str
    guidance: str
    why: str  # the team's answers in words
    # What the rank is made of:
    weight: Decimal
    target_level: int  # the team's target for the dimension, else the bank's top level
    target_level_name: str
    targeted: bool  # whether the team has a target for the dimension (else: the top level)
    gap_levels: int  # levels from the current level up to the target (0: at or above it)
    disagreement: bool
    dont_know: int

    @property
    def priority(self) -> Decimal:
        """Gap to target times weight: the first part of the rank."""
        return self.gap_levels * self.weight


def answers_in_words(row: QuestionRow) -> str:
    """The team's answers to one question, most chosen first: "3 of 5 chose “…”; 1 chose “…”;
    1 don't know; 1 not applicable"."""
    chosen = sorted(
        ((n, label) for label, _, n in row.counts if n), key=lambda item: -item[0]
    )  # stable: equal counts keep the options' order
    parts = [
        f"{n} of {row.answered} chose “{label}”" if i == 0 else f"{n} chose “{label}”"
        for i, (n, label) in enumerate(chosen)
    ]
    if row.dont_know:
        parts.append(f"{row.dont_know} don't know")
    if row.na:
        parts.append(f"{row.na} not applicable")
    return "; ".join(parts)


def _code_order(code: str) -> list:
    """APP-2 before APP-10: digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def step_rank(step: Step) -> tuple:
    """The order of steps: largest gap times weight, disagreement, more don't know, then code."""
    return (-step.priority, not step.disagreement, -step.dont_know, _code_order(step.code))


def choose_steps(
    rows: Sequence[QuestionRow],
    *,
    facts: Mapping[str, QuestionFacts],
    levels: Sequence[LevelBand],
    guidance: Mapping[GuidanceKey, str],
    targets: Mapping[str, int] | None = None,
) -> list[Step]:
    """Every question's step, ranked (`step_rank`).

    `facts` by question code; `levels` the bank's levels; `guidance` the bank's texts
    (a question's own for a level, else its dimension's for that level); `targets` the team's
    target level by dimension key. A question whose next level has no guidance at all gets no
    step: there is nothing to quote."""
    ordered = sorted(levels, key=lambda band: band.number)
    if not ordered:
        return []
    top = ordered[-1].number
    names = {band.number: band.name for band in ordered}
    targets = targets or {}
    steps = []
    for row in rows:
        fact = facts.get(row.code)
        if fact is None or row.level_number is None:
            continue  # nobody chose an option: no current level, nothing to step from
        up = next((band for band in ordered if band.number > row.level_number), None)
        if up is None:
            continue  # at the top level already
        text = guidance.get((fact.dimension_key, row.code, up.number)) or guidance.get(
            (fact.dimension_key, None, up.number)
        )
        if not text:
            continue
        target = targets.get(fact.dimension_key, top)
        steps.append(
            Step(
                question_id=fact.question_id,
                code=row.code,
                text=row.text,
                dimension=row.dimension,
                dimension_key=fact.dimension_key,
                current_level=row.level_number,
                current_level_name=row.level_name or names.get(row.level_number, ""),
                next_level=up.number,
                next_level_name=up.name,
                guidance=text,
                why=answers_in_words(row),
                weight=fact.weight,
                target_level=target,
                target_level_name=names.get(target, f"level {target}"),
                targeted=fact.dimension_key in targets,
                gap_levels=max(target - row.level_number, 0),
                disagreement=row.disagreement,
                dont_know=row.dont_know,
            )
        )
    return sorted(steps, key=step_rank)


def round_steps(result: RoundResult, targets: Mapping | None = None) -> list[Step]:
    """The ranked steps of a round's result; none for a withheld result (DESIGN §3).

    `targets`: the team's targets as `targets.team_targets` gives them, when the caller has
    read them already; read here otherwise."""
    if not result.visible or not result.questions:
        return []
    round_ = result.round
    slug = round_.bank.slug
    if targets is None:
        targets = team_targets(round_.team, [slug])
    if all(row.question_id is not None for row in result.questions):  # read with the rows
        facts = {
            row.code: QuestionFacts(row.question_id, row.dimension_key, row.weight)
            for row in result.questions
        }
    else:
        facts = {
            code: QuestionFacts(pk, key, weight)
            for code, pk, key, weight in Question.objects.filter(
                bank_id=round_.bank_id
            ).values_list("code", "pk", "dimension__key", "weight")
        }
    guidance = {
        (key, code, level): text
        for key, code, level, text in Guidance.objects.filter(bank_id=round_.bank_id).values_list(
            "dimension__key", "question__code", "level__number", "text"
        )
    }
    return choose_steps(
        result.questions,
        facts=facts,
        levels=result.bands,
        guidance=guidance,
        targets={key: t.level for (s, key), t in targets.items() if s == slug},
    )
