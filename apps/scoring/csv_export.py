"""Streamed CSV downloads, with cells neutralised against spreadsheet formula injection."""

import csv
import re
from collections.abc import Iterable

from django.db import transaction
from django.http import StreamingHttpResponse

from apps.core import audit

# The characters a spreadsheet may read as the start of a formula: = + - @ and every character
# whose compatibility form (NFKC) is one of them, such as their full-width forms (U+FF1D, U+FF0B,
# U+FF0D, U+FF20) and small forms (tests check this list against Unicode).
FORMULA_CHARS = (
    "=+-@"
    "\u207a\u207c\u208a\u208c"  # superscript and subscript + =
    "\u2a75\u2a76"  # ⩵ ⩶ (== and ===)
    "\ufb29"  # Hebrew alternative plus
    "\ufe62\ufe63\ufe66\ufe6b"  # small + - = @
    "\uff0b\uff0d\uff1d\uff20"  # full-width + - = @
)
# Where a spreadsheet may start a new cell: the list separator of some locales (;), the comma,
# a tab, and a line break (for importers that split a quoted cell).
SEPARATORS = ";,\t\r\n"
_CHARS = re.escape(FORMULA_CHARS)
_FIRST = re.compile(rf"^(?:[\t\r\n]|\s*[{_CHARS}])")
_INNER = re.compile(rf"([{SEPARATORS}]\s*)(?=[{_CHARS}])")


def safe_cell(value) -> str:
    """A text cell that a spreadsheet will not run as a formula.

    A cell is unsafe when it, or any part of it after a separator (`x;=1+1`, read as two cells
    where `;` separates lists), starts with a formula character, after optional whitespace.
    An unsafe cell is prefixed with a quote, and so is every such inner part (`'x;'=1+1`), so
    that a spreadsheet splitting the cell finds no formula either. Ordinary text such as
    "Ops; deploys" or "Build, test and release" is left as it is. Numbers are never changed.
    """
    if value is None:
        return ""
    text = str(value)
    if not isinstance(value, str):
        return text
    inner = _INNER.search(text) is not None
    if not inner and _FIRST.match(text) is None:
        return text
    return "'" + (_INNER.sub(r"\1'", text) if inner else text)


class _Echo:
    def write(self, value):
        return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[list], *, audited: bool = True
) -> StreamingHttpResponse:
    """A CSV download; for an organization's page (the gate left `org_access` on the request),
    an `export.csv_downloaded` audit entry (`audited=False`: the caller logs its own)."""
    request = audit.current_request()
    access = getattr(request, "org_access", None)
    if audited and access is not None:
        with transaction.atomic():
            audit.record("export.csv_downloaded", organization=access.organization, label=filename)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A team aggregate in one column per statistic, on the dimension's points (n, mean, median,
# min, max, standard deviation of the respondents' scores), then the dimension's maximum
# points (not the team's best score, which is `max`), the mean as a percentage of it
# (calculations.percent, as every surface shows it) and the level.
STATISTICS = [
    "n",
    "mean",
    "median",
    "min",
    "max",
    "stdev",
    "dimension_max_points",
    "percent",
    "level",
]


def _statistics(row) -> list:
    return [
        row.n,
        row.mean,
        row.median,
        row.minimum,
        row.maximum,
        row.stdev,
        row.max_points,
        row.percent,
        row.level_name,
    ]


# The target that applies to a dimension row (`targets.target_gap`, as the pages show it):
# its level, the level's lower bound as a percentage, where it comes from, its date, and
# whether the row meets it or how many percentage points it is short; empty without a target,
# on the total row and on a withheld row.
TARGET = ["target_level", "target_percent", "target_source", "target_due", "target_met", "gap_pp"]


def _target(gap) -> list:
    if gap is None:
        return [""] * len(TARGET)
    target = gap.target
    met = "yes" if gap.met else "no"
    return [target.level_name, target.threshold, target.source_text, target.due, met, gap.gap]


def _withheld(message: str) -> list:
    """The statistics cells of a withheld result: its message in the first, the rest empty."""
    return [message, *[""] * (len(STATISTICS) - 1)]


def round_result_table(result, gaps: dict | None = None) -> tuple[list[str], list[list]]:
    """A round result (`selectors.round_team_result`) as CSV: a row per dimension and the
    total, each dimension with its target (`gaps`: dimension key → `targets.TargetGap`); a
    withheld result is one row saying why ("2 of 3 needed")."""
    round_ = result.round
    gaps = gaps or {}
    header = [
        "team",
        "round",
        "bank",
        "bank_version",
        "dimension",
        "respondents",
        *STATISTICS,
        *TARGET,
    ]
    base = [round_.team.name, round_.title, round_.bank.slug, round_.bank.version]
    if not result.visible:
        return header, [[*base, "", result.n, *_withheld(result.message), *_target(None)]]
    return header, [
        [*base, row.name, result.n, *_statistics(row), *_target(gaps.get(row.key))]
        for row in [*result.dimensions, result.total]
    ]


def round_comments_table(result, notes) -> tuple[list[str], list[list]]:
    """A round's comments and evidence links (`selectors.round_notes` of its
    `selectors.round_team_result`) as CSV: a row per comment, never with a name; a withheld
    result is one row saying why."""
    round_ = result.round
    header = [
        "team",
        "round",
        "bank",
        "bank_version",
        "dimension",
        "question",
        "question_text",
        "answer",
        "comment",
        "evidence_url",
    ]
    base = [round_.team.name, round_.title, round_.bank.slug, round_.bank.version]
    if not result.visible:
        return header, [[*base, "", "", "", "", result.message, ""]]
    return header, [
        [*base, q.dimension, q.code, q.text, note.answer, note.comment, note.evidence_url]
        for q in notes
        for note in q.comments
    ]


def team_history_table(team, points, gaps=None) -> tuple[list[str], Iterable[list]]:
    """A team history (`selectors.team_history`'s points) as CSV: per closed round a row per
    dimension and the total; a withheld round is one row saying why. `new_question_set` is
    "yes" on the rows of the first round answered on another bank version than the round
    before it (a change there is not progress alone), "no" elsewhere. Each dimension row
    carries its target as it stood against that round (`gaps`: `targets.history_gaps`, one
    dict per point)."""
    gaps = gaps or [{} for _ in points]
    header = [
        "team",
        "round",
        "closed",
        "bank",
        "bank_version",
        "respondents",
        "dimension",
        *STATISTICS,
        "new_question_set",
        *TARGET,
    ]

    def rows():
        for p, point_gaps in zip(points, gaps, strict=True):
            base = [
                team.name,
                p.round.title,
                p.round.period.closed_day(team.organization.time_zone).isoformat(),
                p.round.bank.slug,
                p.round.bank.version,
                p.n,
            ]
            marker = "yes" if p.new_question_set else "no"
            if not p.visible:
                yield [*base, "", *_withheld(p.message), marker, *_target(None)]
                continue
            for row in [*p.dimensions.values(), p.total]:
                gap = point_gaps.get(row.key) if row is not p.total else None
                yield [*base, row.name, *_statistics(row), marker, *_target(gap)]

    return header, rows()
