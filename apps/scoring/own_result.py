"""A respondent's own result (the thank-you page), from their response's score snapshot.

Fractions of the applicable maximum (DESIGN §3): the total shown on the bank's scale, each
assessed dimension on its maximum; a dimension they did not assess is left out."""

import threading
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Subquery

from apps.scoring.bands import bank_bands, bank_question_specs, bank_scale
from apps.scoring.calculations import (
    LevelBand,
    QuestionSpec,
    level_for,
    max_by_dimension,
    on_scale,
    percent,
)
from apps.scoring.models import DimensionScore
from apps.surveys.models import (
    BankStatus,
    Dimension,
    Level,
    Participant,
    QuestionBank,
    Response,
    ResponseStatus,
)


@dataclass(frozen=True)
class DimensionResult:
    key: str
    name: str
    points: Decimal
    max_points: Decimal
    level: LevelBand

    @property
    def percent(self) -> Decimal:
        return percent(self.points, self.max_points)


@dataclass(frozen=True)
class Result:
    dimensions: list[DimensionResult]
    total: Decimal | None  # None: nothing scored (every answer N/A or don't know)
    max_total: Decimal
    level: LevelBand | None
    respondents: int = 1

    @property
    def percent(self) -> Decimal | None:
        return None if self.total is None else percent(self.total, self.max_total)


def _result(rows, bands, respondents: int, *, scale=None, maxima=None) -> Result:
    """rows: (key, name, points, applicable max_points) per assessed dimension, from the stored
    snapshots; `scale` and `maxima` (by dimension key): what the total and each dimension are
    shown on (default: the applicable maxima, as for a bank without N/A or don't know)."""
    applicable = sum((r[3] for r in rows), Decimal(0))
    points = sum((r[2] for r in rows), Decimal(0))
    scale = applicable if scale is None else scale
    maxima = maxima or {}
    dimensions = []
    for key, name, dimension_points, dimension_max in rows:
        shown_on = maxima.get(key, dimension_max)
        shown = on_scale(dimension_points, dimension_max, shown_on)
        level = level_for(shown, maximum=shown_on, bank_maximum=scale, bands=bands)
        dimensions.append(DimensionResult(key, name, shown, shown_on, level))
    total = on_scale(points, applicable, scale)
    return Result(
        dimensions=dimensions,
        total=total,
        max_total=scale,
        level=None
        if total is None
        else level_for(total, maximum=scale, bank_maximum=scale, bands=bands),
        respondents=respondents,
    )


@dataclass(frozen=True)
class BankRules:
    """What a respondent's result is scored and read with: the bank's level bands, what its
    total and each dimension are shown on, each level's name and description (the badges' key),
    its question specs and its dimensions' ids."""

    bands: list[LevelBand]
    scale: Decimal
    maxima: dict[str, Decimal]
    levels: list[dict]  # number, name, description, line (its first sentence)
    specs: list[QuestionSpec]  # bank_question_specs
    dimension_ids: dict[str, int]  # by key


def first_sentence(text: str) -> str:
    """A level's description in one line: up to its first full stop followed by a space."""
    text = " ".join((text or "").split())
    head, stop, _ = text.partition(". ")
    return f"{head}." if stop else text


_bank_rules: dict[tuple, BankRules] = {}
_bank_rules_lock = threading.Lock()
BANK_RULES_KEPT = 64


def bank_rules(bank: QuestionBank) -> BankRules:
    """The bank's `BankRules` (bands.py's rules). A published or retired bank never changes,
    so a process reads them once per bank (the last BANK_RULES_KEPT), keyed also by the bank's
    creation and publication moments; a draft's are read each time."""
    key = (bank.pk, bank.created_at, bank.published_at)
    kept = bank.status != BankStatus.DRAFT
    found = _bank_rules.get(key) if kept else None
    if found is not None:
        return found
    specs = bank_question_specs(bank.pk)
    found = BankRules(
        bands=bank_bands(bank.pk),
        scale=bank_scale(bank, specs),
        maxima=max_by_dimension(specs),
        levels=[
            {**level, "line": first_sentence(level["description"])}
            for level in Level.objects.filter(bank_id=bank.pk)
            .order_by("number")
            .values("number", "name", "description")
        ],
        specs=specs,
        dimension_ids=dict(Dimension.objects.filter(bank_id=bank.pk).values_list("key", "pk")),
    )
    if kept:
        with _bank_rules_lock:
            while len(_bank_rules) >= BANK_RULES_KEPT:
                _bank_rules.pop(next(iter(_bank_rules)))
            _bank_rules[key] = found
    return found


def _own_rows(scores, *more: str) -> list[tuple]:
    return list(
        scores.filter(max_points__gt=0)
        .order_by("dimension__order")
        .values_list("dimension__key", "dimension__name", "points", "max_points", *more)
    )


def own_result(response: Response, rules: BankRules | None = None) -> Result:
    """The respondent's result; `rules`: their bank's (`bank_rules`), read if not given."""
    rows = _own_rows(DimensionScore.objects.filter(response=response))
    rules = rules or bank_rules(response.bank)
    return _result(rows, rules.bands, 1, scale=rules.scale, maxima=rules.maxima)


def participant_own_result_and_counts(
    participant, rules: BankRules
) -> tuple[Result | None, dict | None]:
    """The participant's result (`own_result`) straight from their submitted response's
    snapshot (None when they have not submitted) and, in the same read, how many of their round
    were invited and have submitted ({"invited": n, "submitted": n}, as `round_team_result`
    counts them for an open round; None when no snapshot row carries them, and it counts them
    itself): the thank-you page's one read besides the link."""
    submitted = Response.objects.filter(participant=participant, status=ResponseStatus.SUBMITTED)
    people = Participant.objects.filter(round_id=participant.round_id).order_by()
    rows = _own_rows(
        DimensionScore.objects.filter(response__in=submitted).annotate(
            invited=_count(people), submitted_n=_count(people.filter(submitted_at__isnull=False))
        ),
        "invited",
        "submitted_n",
    )
    if not rows and not submitted.exists():  # nothing scored (all N/A) is still a result
        return None, None
    counts = None
    if rows:
        invited, submitted_n = rows[0][4:]
        counts = {"invited": invited or 0, "submitted": submitted_n or 0}
    own = [row[:4] for row in rows]
    return _result(own, rules.bands, 1, scale=rules.scale, maxima=rules.maxima), counts


def _count(people):
    """How many rows `people` has, as a subquery of one value (NULL, read as 0, for none)."""
    return Subquery(people.values("round_id").annotate(n=Count("pk")).values("n")[:1])
