"""Reads for result pages: a round's team result and a team's history, from stored snapshots.

`round_team_result` is the one answer to "what is this team's result for this round, and may
this person see it"; every surface (thank-you page, result page, CSV, API, PDF) asks it, and
`team_history` builds its points with the same function. What may be seen is decided by one
predicate, `Round.results_visible` (DESIGN §3: closed and at or above the threshold); what a
withheld result says is written by one function, `withheld_message`.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from django.db.models import Count, Prefetch, Q, Subquery

from apps.scoring.bands import bank_bands, bank_scale
from apps.scoring.calculations import (
    LevelBand,
    knowledge_gap,
    percent,
    question_current_level,
    question_distribution,
)
from apps.scoring.charts import Band
from apps.scoring.models import TeamScore
from apps.surveys.models import (
    Answer,
    AnswerKind,
    Participant,
    Question,
    ResponseStatus,
    Round,
    RoundStatus,
)


class Withheld(StrEnum):
    """Why a team result is not shown."""

    OPEN = "open"  # still open: only "n submitted of m invited", so nobody can difference views
    BELOW_THRESHOLD = "below_threshold"  # closed with fewer respondents than its minimum
    NOT_YOURS = "not_yours"  # a respondent's link to another round


def withheld_message(reason: Withheld, *, n: int, needed: int, invited: int | None = None) -> str:
    """The one wording of a withheld team result, for pages, CSV, API and PDF alike."""
    if reason == Withheld.OPEN:
        return f"{n} submitted of {invited} invited"
    if reason == Withheld.NOT_YOURS:
        return "Not available"
    # "2 of 3 needed" read as "2 more needed": say what the numbers count.
    return f"{n} of the {needed} responses needed"


@dataclass(frozen=True)
class ScoreRow:
    """A team aggregate: statistics of the fractions of the respondents with a score here, shown
    on `max_points` (the total: the bank's scale; a dimension: its maximum)."""

    key: str  # dimension key, or "total"
    name: str
    mean: Decimal
    max_points: Decimal
    level_number: int
    level_name: str
    n: int = 0  # respondents with a score in this dimension
    median: Decimal = Decimal(0)
    minimum: Decimal = Decimal(0)
    maximum: Decimal = Decimal(0)
    stdev: Decimal = Decimal(0)
    change: Decimal | None = None  # percentage points since the previous round

    @property
    def percent(self) -> Decimal:
        return percent(self.mean, self.max_points)


@dataclass(frozen=True)
class QuestionRow:
    code: str
    text: str
    dimension: str
    counts: list[tuple[str, int, int]]  # (choice label, points, how many), options only
    disagreement: bool
    na: int = 0  # answered "not applicable"
    dont_know: int = 0  # answered "I don't know"
    # The team's current level on this question (DESIGN §3): the median level of the chosen
    # options, or, where options have no levels, the level of the mean fraction. None: nobody
    # chose an option.
    level_number: int | None = None
    level_name: str = ""
    knowledge_gap: bool = False  # "don't know" from a third or more of the respondents
    # The name of the level each option (in `counts` order) describes, "" where it names none;
    # whether the question offers N/A and the bank "I don't know".
    option_levels: tuple[str, ...] = ()
    offers_na: bool = False
    offers_dont_know: bool = False
    comments: tuple["Note", ...] = ()  # never with a name (DESIGN §3)
    # What the next steps rank by beyond the row (`next_steps.QuestionFacts`), read with it:
    # the question's id, its dimension's key and its weight (None: not read with the row).
    question_id: int | None = None
    dimension_key: str = ""
    weight: Decimal | None = None

    @property
    def answered(self) -> int:
        return sum(n for _, _, n in self.counts) + self.na + self.dont_know

    @property
    def options(self) -> list[tuple[str, str, int, int]]:
        """(level name or "", option text, points, how many) per option, in `counts` order."""
        levels = [*self.option_levels, *[""] * len(self.counts)]
        return [(levels[i], *count) for i, count in enumerate(self.counts)]


@dataclass(frozen=True)
class Note:
    """A respondent's comment and evidence link on a question, with the answer it came with
    (an option's level name, or its text where it names none; "Not applicable"; "I don't
    know") and nothing that says whose it is."""

    answer: str
    comment: str
    evidence_url: str


@dataclass
class RoundResult:
    round: Round
    n: int  # everyone who submitted
    needed: int
    reason: Withheld | None  # None: visible
    invited: int | None = None  # read only while the round is open
    total: ScoreRow | None = None
    dimensions: list[ScoreRow] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)
    previous: Round | None = None
    bands: list[LevelBand] = field(default_factory=list)

    @property
    def compared(self) -> bool:
        """Whether the change since the previous round is shown: same question set only."""
        return self.previous is not None and self.previous.bank_id == self.round.bank_id

    @property
    def visible(self) -> bool:
        return self.reason is None

    @property
    def message(self) -> str | None:
        """What shows instead of the result ("2 of 3 needed"), or None when it is visible."""
        if self.reason is None:
            return None
        return withheld_message(self.reason, n=self.n, needed=self.needed, invited=self.invited)

    @property
    def by_key(self) -> dict[str, ScoreRow]:
        rows = {row.key: row for row in self.dimensions}
        if self.total is not None:
            rows["total"] = self.total
        return rows

    @property
    def disagreements(self) -> list[QuestionRow]:
        return [q for q in self.questions if q.disagreement]

    @property
    def knowledge_gaps(self) -> list[QuestionRow]:
        """Questions a third or more answered "don't know": a finding of its own (page, PDF)."""
        return [q for q in self.questions if q.knowledge_gap]


def chart_bands(bands: list[LevelBand], bank_maximum: Decimal) -> list[Band]:
    return [
        Band(b.name, float(percent(b.min_score, bank_maximum)))
        for b in bands
        if b.min_score > 0 and bank_maximum
    ]


def _rows(scores: list[TeamScore], previous: dict[str, Decimal] | None = None):
    total, dimensions = None, []
    for score in sorted(
        scores, key=lambda s: (s.dimension is not None, s.dimension.order if s.dimension else 0)
    ):
        if not score.n:
            continue  # nobody has a score here: not assessed, never shown as 0
        key = score.dimension.key if score.dimension else "total"
        now = percent(score.mean, score.max_points)
        row = ScoreRow(
            key=key,
            name=score.dimension.name if score.dimension else "Total",
            mean=score.mean,
            max_points=score.max_points,
            level_number=score.level_number,
            level_name=score.level_name,
            n=score.n,
            median=score.median,
            minimum=score.minimum,
            maximum=score.maximum,
            stdev=score.stdev,
            change=(now - previous[key]) if previous and key in previous else None,
        )
        if score.dimension is None:
            total = row
        else:
            dimensions.append(row)
    return total, dimensions


def _scores(round_: Round, *, previous: bool) -> tuple[list[TeamScore], list[TeamScore]]:
    """The round's stored team aggregates and, with `previous`, those of the team's previous
    closed round that met its threshold (`_previous_percents`), in one statement, each with its
    round. The previous round's are the same team's and are only ever shown beside a visible
    result."""
    if not previous:
        return list(TeamScore.objects.filter(round=round_).select_related("dimension")), []
    earlier = (
        Round.objects.results_visible()
        .filter(team_id=round_.team_id, opens_at__lt=round_.opens_at)
        .order_by("-opens_at")
        .values("pk")[:1]
    )
    rows = TeamScore.objects.filter(Q(round=round_) | Q(round_id=Subquery(earlier)))
    own, before = [], []
    for score in rows.select_related("dimension", "round"):
        (own if score.round_id == round_.pk else before).append(score)
    return own, before


def _previous_percents(
    round_: Round, scores: list[TeamScore]
) -> tuple[Round | None, dict[str, Decimal] | None]:
    """The team's previous closed round that met its threshold (`scores`: its stored aggregates,
    each with its round; a visible round always has its total's), and its percentages by
    dimension key when it was answered on the same bank."""
    if not scores:
        return None, None
    earlier = scores[0].round
    if earlier.bank_id != round_.bank_id:
        return earlier, None  # another question set: named, never compared (as on the dashboard)
    return earlier, {
        (s.dimension.key if s.dimension else "total"): percent(s.mean, s.max_points)
        for s in scores
        if s.n
    }


def _stored_n(scores: list[TeamScore]) -> int:
    """How many submitted, from the total aggregate stored at close (none: nobody)."""
    return next((s.submitted for s in scores if s.dimension_id is None), 0)


def _withheld_or_empty(round_: Round, n: int, viewer=None) -> RoundResult:
    """A round's result before any rows: whether it may be seen and, if not, why.

    The one place that asks `Round.results_visible` for a single round; `round_team_result`
    and `team_history` both start here.
    """
    if isinstance(viewer, Participant) and viewer.round_id != round_.pk:
        reason = Withheld.NOT_YOURS
    elif round_.results_visible(n):
        reason = None
    elif round_.status == RoundStatus.CLOSED:
        reason = Withheld.BELOW_THRESHOLD
    else:
        reason = Withheld.OPEN
    return RoundResult(round=round_, n=n, needed=round_.min_respondents, reason=reason)


def round_team_result(
    round_: Round,
    viewer=None,
    *,
    questions: bool = True,
    notes: bool = True,
    previous: bool = True,
    counts: dict | None = None,
) -> RoundResult:
    """This team's result for this round, and whether `viewer` may see it.

    `viewer` is whoever reads: an `OrgAccess` (a member, lead or executive, already through the
    tenant gate) or the respondent's `Participant`. The rule is the same for all of them: team
    results of any kind show only once the round is closed and at or above its threshold.
    While the round is open the result carries only "n submitted of m invited"; below the
    threshold only "n of the m responses needed". Nothing else leaves here for a withheld result.

    `questions=False` is for a surface that shows only the scores (the result CSV): the
    per-question rows (answers counted per option, levels, comments) are not built, and
    `questions` stays empty. `notes=False` builds the rows without their comments (a surface
    that lists none), sparing a read of the answers. `previous=False` leaves out the change
    since the previous round (`previous` stays None, `change` too): for a surface that does not
    show it (the CSVs). `counts`, for an open round, are its invited and submitted as read
    already by the caller in the same way (`own_result.participant_own_result_and_counts`).
    """
    if round_.status != RoundStatus.CLOSED:
        counts = counts or Participant.objects.filter(round=round_).aggregate(
            invited=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False))
        )
        result = _withheld_or_empty(round_, counts["submitted"], viewer)
        result.invited = counts["invited"]
        return result
    scores, before = _scores(round_, previous=previous)
    result = _withheld_or_empty(round_, _stored_n(scores), viewer)
    if not result.visible:
        return result  # nothing else may leave below the threshold
    result.previous, previous_percents = _previous_percents(round_, before)
    result.total, result.dimensions = _rows(scores, previous_percents)
    result.bands = bank_bands(round_.bank_id)
    if questions:
        result.questions = _question_rows(round_, result.bands, notes=notes)
    return result


def history_steps_result(point: "HistoryPoint") -> RoundResult:
    """The result of a history point's round (`team_history`: its stored aggregates read
    already) with its per-question rows, without their comments: what the next steps on the
    team history need, and no more (no second read of the aggregates, no previous round, no
    comments). A withheld point's result comes back as it is, without rows."""
    result = point.result
    if not result.visible:
        return result
    bands = bank_bands(result.round.bank_id)
    return replace(result, bands=bands, questions=_question_rows(result.round, bands, notes=False))


def _question_rows(
    round_: Round, bands: list[LevelBand], *, notes: bool = True
) -> list[QuestionRow]:
    """A row per question of the round's bank, from two reads of the submitted answers: their
    counts per question, kind and option (one GROUP BY; the distribution, level and findings
    come from those counts through `calculations`, never from one value per answer), and, with
    `notes`, the answers that carry a comment or an evidence link (`_notes`)."""
    bank = round_.bank
    questions = _bank_questions(round_.bank_id)
    submitted = Answer.objects.filter(
        response__round=round_, response__status=ResponseStatus.SUBMITTED
    )
    chosen: dict[int, int] = defaultdict(int)  # option id → how many chose it
    unscored: dict[tuple[int, str], int] = defaultdict(int)  # (question id, kind) → how many
    for question_id, kind, choice_id, n in (
        submitted.values("question_id", "kind", "choice_id")
        .annotate(n=Count("pk"))
        .values_list("question_id", "kind", "choice_id", "n")
        .order_by()
    ):
        if kind == AnswerKind.CHOICE:
            chosen[choice_id] += n
        else:
            unscored[question_id, kind] += n
    named = {band.number: band.name for band in bands}
    by_question = _notes(submitted, named) if notes else {}
    scale = bank_scale(bank) if bands else Decimal(0)
    rows = []
    for question, choices in questions:
        by_choice = [(choice, chosen[choice.pk]) for choice in choices]
        with_levels = bool(choices) and all(c.level is not None for c in choices)
        distribution = question_distribution(
            [(choice.points, n) for choice, n in by_choice if n],
            choice_points=[c.points for c in choices],
            level_count=len(bands),
            threshold=bank.disagreement_threshold,
            chosen_levels=[(c.level, n) for c, n in by_choice if n] if with_levels else None,
        )
        number = question_current_level(
            [(choice.points, choice.level, n) for choice, n in by_choice], scale=scale, bands=bands
        )
        na = unscored[question.pk, AnswerKind.NOT_APPLICABLE]
        dont_know = unscored[question.pk, AnswerKind.DONT_KNOW]
        scored = sum(n for _, n in by_choice)
        rows.append(
            QuestionRow(
                code=question.code,
                text=question.text,
                dimension=question.dimension,
                counts=[(choice.label, choice.points, n) for choice, n in by_choice],
                disagreement=distribution.disagreement,
                na=na,
                dont_know=dont_know,
                level_number=number,
                level_name=named.get(number, "") if number is not None else "",
                knowledge_gap=knowledge_gap(dont_know, scored + na + dont_know),
                option_levels=tuple(named.get(c.level, "") for c in choices),
                offers_na=question.allow_na,
                offers_dont_know=bank.allow_dont_know,
                comments=_in_order(by_question.get(question.pk, ())),
                question_id=question.pk,
                dimension_key=question.dimension_key,
                weight=question.weight,
            )
        )
    return rows


@dataclass(frozen=True)
class _Question:
    pk: int
    code: str
    text: str
    allow_na: bool
    weight: Decimal
    dimension: str  # its name
    dimension_key: str


@dataclass(frozen=True)
class _Choice:
    pk: int
    label: str
    points: int
    level: int | None


def _bank_questions(bank_id: int) -> list[tuple[_Question, list[_Choice]]]:
    """The bank's questions in order (by dimension, then their own), each with its options by
    points: one statement (a question without options has none)."""
    out: list[tuple[_Question, list[_Choice]]] = []
    for pk, code, text, allow_na, weight, dimension, key, *choice in (
        Question.objects.filter(bank_id=bank_id)
        .order_by("dimension__order", "order", "pk", "choices__points", "choices__pk")
        .values_list(
            "pk",
            "code",
            "text",
            "allow_na",
            "weight",
            "dimension__name",
            "dimension__key",
            "choices__pk",
            "choices__label",
            "choices__points",
            "choices__level",
        )
    ):
        if not out or out[-1][0].pk != pk:
            out.append((_Question(pk, code, text, allow_na, weight, dimension, key), []))
        if choice[0] is not None:
            out[-1][1].append(_Choice(*choice))
    return out


def _in_order(notes) -> tuple[Note, ...]:
    """A question's notes as every surface lists them: by their text, not by who came first."""
    return tuple(sorted(notes, key=lambda n: (n.comment, n.evidence_url)))


@dataclass(frozen=True)
class QuestionNotes:
    """One question's comments and evidence links (its `QuestionRow.comments`), without its
    answers counted."""

    code: str
    text: str
    dimension: str
    comments: tuple[Note, ...]


def round_notes(result: RoundResult) -> list[QuestionNotes]:
    """The comments and evidence links of a visible result's round per question, in the bank's
    order and each as `round_team_result` lists them, without counting the answers: for a
    surface that shows only them (the comments CSV; build `result` with `questions=False`).
    None for a withheld result."""
    if not result.visible:
        return []
    round_ = result.round
    submitted = Answer.objects.filter(
        response__round=round_, response__status=ResponseStatus.SUBMITTED
    )
    by_question = _notes(submitted, {band.number: band.name for band in result.bands})
    questions = (
        Question.objects.filter(bank_id=round_.bank_id)
        .order_by("dimension__order", "order")
        .values_list("pk", "code", "text", "dimension__name")
    )
    return [
        QuestionNotes(code, text, dimension, _in_order(by_question[pk]))
        for pk, code, text, dimension in questions
        if pk in by_question
    ]


def _notes(submitted, named: dict[int, str]) -> dict[int, list[Note]]:
    """The submitted comments and evidence links by question id, without names: each with the
    answer it came with (its option's level name, or its text where it names none; "Not
    applicable"; "I don't know"). The pages, CSV, API and PDF list them ordered by their text,
    not by who answered first."""
    notes: dict[int, list[Note]] = defaultdict(list)
    for question_id, kind, label, level, comment, evidence_url in submitted.exclude(
        comment="", evidence_url=""
    ).values_list(
        "question_id", "kind", "choice__label", "choice__level", "comment", "evidence_url"
    ):
        answer = AnswerKind(kind).label if kind != AnswerKind.CHOICE else named.get(level, label)
        notes[question_id].append(Note(answer, comment, evidence_url))
    return notes


def bank_version_label(slug: str, version: int) -> str:
    """How every surface names the question set a round was answered on: "llmops v2"."""
    return f"{slug} v{version}"


@dataclass(frozen=True)
class HistoryPoint:
    """One closed round in a team's history: its result as `round_team_result` would give it,
    without the per-question rows."""

    result: RoundResult
    # The bank ("llmops v1") of the team's previous closed round when this round was answered on
    # another one: a new question set starts here, so the change is not progress alone.
    previous_bank: str | None = None
    previous_bank_version: int | None = None

    @property
    def round(self) -> Round:
        return self.result.round

    @property
    def bank(self) -> str:
        return bank_version_label(self.round.bank.slug, self.round.bank.version)

    @property
    def new_question_set(self) -> bool:
        return self.previous_bank is not None

    @property
    def n(self) -> int:
        return self.result.n

    @property
    def visible(self) -> bool:
        return self.result.visible

    @property
    def message(self) -> str | None:
        return self.result.message

    @property
    def total(self) -> ScoreRow | None:
        return self.result.total

    @property
    def dimensions(self) -> dict[str, ScoreRow]:
        return {row.key: row for row in self.result.dimensions}


def team_history(team) -> tuple[list[HistoryPoint], list[tuple[str, str]]]:
    """Every closed round of the team, oldest first, and the dimensions (key, name) seen.

    A round answered on another bank than the round before it starts a new question set
    (`HistoryPoint.new_question_set`): the pages, the chart, the CSV and the API mark it."""
    rounds = (
        Round.objects.filter(team=team, status=RoundStatus.CLOSED)
        .select_related("bank", "team__organization")
        .prefetch_related(
            Prefetch("team_scores", queryset=TeamScore.objects.select_related("dimension"))
        )
        .order_by("opens_at")
    )
    points, dimensions = [], {}
    for round_ in rounds:
        scores = list(round_.team_scores.all())
        result = _withheld_or_empty(round_, _stored_n(scores))
        if result.visible:
            result.total, result.dimensions = _rows(scores)
        for row in result.dimensions:
            dimensions.setdefault(row.key, row.name)
        before = points[-1].round.bank if points else None
        changed = before is not None and before.pk != round_.bank_id
        points.append(
            HistoryPoint(
                result,
                previous_bank=bank_version_label(before.slug, before.version) if changed else None,
                previous_bank_version=before.version if changed else None,
            )
        )
    return points, list(dimensions.items())
