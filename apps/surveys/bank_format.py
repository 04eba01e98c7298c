"""The JSON interchange format of question banks, and its checks.

Parsing reports every problem with the path of the faulty value (for example
`dimensions[0].questions[2].choices[1].points: expected an integer`), so an admin can fix a
file without guessing. This module has no database access.
"""

import itertools
import json
import re
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

Text = Annotated[StrictStr, Field(max_length=5000)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Key = Annotated[StrictStr, Field(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Code = Annotated[StrictStr, Field(min_length=1, max_length=30)]
Number = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]
LevelNumber = Annotated[StrictInt, Field(ge=1, le=20)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceSpec(_Spec):
    label: Annotated[StrictStr, Field(min_length=1, max_length=300)]
    points: Annotated[StrictInt, Field(ge=0, le=1000)]
    # The level whose practice this option describes; required when the bank has
    # `options_per_level` (a publishing check).
    level: LevelNumber | None = None


class QuestionSpec(_Spec):
    code: Code
    text: Annotated[StrictStr, Field(min_length=1, max_length=5000)]
    help: Text = ""
    weight: Annotated[Decimal, Field(gt=0, max_digits=5, decimal_places=2)] = Decimal(1)
    allow_na: StrictBool = False  # offers "not applicable", which does not score
    choices: list[ChoiceSpec]


class DimensionSpec(_Spec):
    key: Key
    name: Name
    description: Text = ""
    questions: list[QuestionSpec]


class LevelSpec(_Spec):
    number: LevelNumber
    name: Annotated[StrictStr, Field(min_length=1, max_length=60)]
    description: Text = ""
    min_score: Number


class GuidanceSpec(_Spec):
    dimension: Key
    question: Code | None = None
    level: LevelNumber
    text: Annotated[StrictStr, Field(min_length=1, max_length=5000)]


class BankSpec(_Spec):
    slug: Key
    version: Annotated[StrictInt, Field(ge=1)]
    title: Name
    description: Text = ""
    # Points apart beyond which a question is flagged as a disagreement (besides two levels' worth).
    disagreement_threshold: Number | None = None
    # The total is shown as scale times fraction, and the levels' min_score are on it (default: the
    # bank's maximum total, so that a bank without it reads in plain points).
    scale: Annotated[Decimal, Field(gt=0, max_digits=8, decimal_places=2)] | None = None
    options_per_level: StrictBool = False  # exactly one option per level in every question
    allow_dont_know: StrictBool = True  # every question offers "I don't know" (not scored)
    levels: list[LevelSpec]
    dimensions: list[DimensionSpec]
    guidance: list[GuidanceSpec] = []

    @property
    def questions(self) -> list[QuestionSpec]:
        return [q for d in self.dimensions for q in d.questions]

    def max_total(self) -> Decimal:
        """The highest total a respondent can reach: the best choice of every question, weighted."""
        return sum(
            (max((c.points for c in q.choices), default=0) * q.weight for q in self.questions),
            Decimal(0),
        )

    def effective_scale(self) -> Decimal:
        """What the total and the level bounds are on: `scale`, or else the maximum total."""
        return self.scale if self.scale is not None else self.max_total()


class BankFormatError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# Limits of an imported file, checked before any real work: a bank is a few dozen questions
# (the shipped ones are 20 kB), and a 50 MB file or 100,000 questions would hold a database
# write lock for longer than gunicorn's 30 s timeout.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 20  # the format itself nests 7 deep (bank, dimensions, question, choices, choice)
MAX_QUESTIONS = 500
MAX_DIMENSIONS = 100
MAX_LEVELS = 20
MAX_CHOICES = 20  # per question
MAX_GUIDANCE = 2000

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def too_large_problem(size: int) -> str:
    return (
        f"The file is {size / 1024 / 1024:.1f} MB; a question bank file may be at most "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB."
    )


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text, without recursion (`json.loads` on
    thousands of nested brackets raises RecursionError)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def read_bank_file(handle, size: int | None = None):
    """Decoded JSON from a binary file, refusing (with `BankFormatError`) a file larger than
    MAX_FILE_BYTES before reading it, text that is not UTF-8 or not JSON, and nesting deeper
    than MAX_DEPTH. `size`: the file's size when known (an upload, a file on disk)."""
    if size is not None and size > MAX_FILE_BYTES:
        raise BankFormatError([too_large_problem(size)])
    raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise BankFormatError([too_large_problem(size or len(raw))])
    return load_bank_json(raw)


def load_bank_json(raw: bytes):
    """Decoded JSON from UTF-8 bytes. A byte order mark at the start (which Notepad and other
    Windows editors write) is dropped: `json.loads` would refuse it ("Unexpected UTF-8 BOM")."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BankFormatError(
            [f"The file is not valid JSON: it is not UTF-8 text ({error})."]
        ) from None
    if nesting_depth(text) > MAX_DEPTH:
        raise BankFormatError(
            [f"The file is not a question bank: its JSON nests more than {MAX_DEPTH} levels deep."]
        )
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise BankFormatError([f"The file is not valid JSON: {error}"]) from None


def _items(value, key: str) -> list:
    items = value.get(key) if isinstance(value, dict) else None
    return items if isinstance(items, list) else []


def size_problems(data) -> list[str]:
    """Counts beyond the limits, from the raw decoded JSON (before validating it)."""
    dimensions = _items(data, "dimensions")
    questions = [q for d in dimensions for q in _items(d, "questions")]
    counts = [
        (len(questions), MAX_QUESTIONS, "questions"),
        (len(dimensions), MAX_DIMENSIONS, "dimensions"),
        (len(_items(data, "levels")), MAX_LEVELS, "levels"),
        (len(_items(data, "guidance")), MAX_GUIDANCE, "guidance entries"),
        (
            max((len(_items(q, "choices")) for q in questions), default=0),
            MAX_CHOICES,
            "choices in one question",
        ),
    ]
    return [
        f"The file has {count} {what}; a question bank may have at most {limit}."
        for count, limit, what in counts
        if count > limit
    ]


def _path(location: tuple) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def parse_bank(data) -> BankSpec:
    """Validate `data` (decoded JSON) and return it as a `BankSpec`, or raise `BankFormatError`."""
    if not isinstance(data, dict):
        raise BankFormatError(["(top level): expected a JSON object"])
    try:
        spec = BankSpec.model_validate(data)
    except ValidationError as error:
        raise BankFormatError(
            [f"{_path(e['loc'])}: {e['msg'][0].lower()}{e['msg'][1:]}" for e in error.errors()]
        ) from None
    problems = structure_problems(spec)
    if problems:
        raise BankFormatError(problems)
    return spec


def structure_problems(spec: BankSpec) -> list[str]:
    """What would break the database's invariants: duplicates and dangling references."""
    problems = []
    seen_numbers, seen_bounds = set(), set()
    for i, level in enumerate(spec.levels):
        if level.number in seen_numbers:
            problems.append(f"levels[{i}].number: level {level.number} appears twice")
        if level.min_score in seen_bounds:
            problems.append(f"levels[{i}].min_score: {level.min_score} is used by another level")
        seen_numbers.add(level.number)
        seen_bounds.add(level.min_score)
    ordered = sorted(spec.levels, key=lambda lv: lv.number)
    if ordered and ordered[0].min_score != 0:
        problems.append("levels: the first level must start at min_score 0")
    for lower, higher in itertools.pairwise(ordered):
        if higher.min_score <= lower.min_score:
            problems.append(
                f"levels: level {higher.number} must start above level {lower.number} "
                f"({higher.min_score} ≤ {lower.min_score})"
            )
    keys, codes = set(), {}
    for d, dimension in enumerate(spec.dimensions):
        if dimension.key in keys:
            problems.append(f"dimensions[{d}].key: dimension '{dimension.key}' appears twice")
        keys.add(dimension.key)
        for q, question in enumerate(dimension.questions):
            where = f"dimensions[{d}].questions[{q}]"
            if question.code in codes:
                problems.append(f"{where}.code: question code '{question.code}' appears twice")
            codes[question.code] = dimension.key
            points = [c.points for c in question.choices]
            if len(points) != len(set(points)):
                problems.append(f"{where}.choices: two choices are worth the same points")
            for c, choice in enumerate(question.choices):
                if choice.level is not None and choice.level not in seen_numbers:
                    problems.append(f"{where}.choices[{c}].level: unknown level {choice.level}")
    numbers = {level.number for level in spec.levels}
    targets = set()
    for g, guidance in enumerate(spec.guidance):
        where = f"guidance[{g}]"
        if guidance.dimension not in keys:
            problems.append(f"{where}.dimension: unknown dimension '{guidance.dimension}'")
        if guidance.question is not None:
            if guidance.question not in codes:
                problems.append(f"{where}.question: unknown question '{guidance.question}'")
            elif codes[guidance.question] != guidance.dimension:
                problems.append(
                    f"{where}.question: '{guidance.question}' "
                    f"is not in dimension '{guidance.dimension}'"
                )
        if guidance.level not in numbers:
            problems.append(f"{where}.level: unknown level {guidance.level}")
        target = (guidance.dimension, guidance.question, guidance.level)
        if target in targets:
            problems.append(f"{where}: guidance for this target appears twice")
        targets.add(target)
    return problems


def publish_problems(spec: BankSpec) -> list[str]:
    """Why a (structurally valid) bank is not ready to be answered and scored, in plain words."""
    problems = []
    if len(spec.levels) < 2:
        problems.append("The bank needs at least two levels.")
    if not spec.dimensions:
        problems.append("The bank has no dimensions.")
    for dimension in spec.dimensions:
        if not dimension.questions:
            problems.append(f"Dimension “{dimension.name}” has no questions.")
        for question in dimension.questions:
            if len(question.choices) < 2:
                problems.append(f"Question {question.code} has fewer than 2 choices.")
            if spec.options_per_level:
                problems.extend(_option_level_problems(question, spec.levels))
    maximum = spec.effective_scale()
    ordered = sorted(spec.levels, key=lambda lv: lv.number)
    if ordered and (ordered[0].min_score != 0 or ordered[-1].min_score > maximum):
        what = "scale" if spec.scale is not None else "maximum score"
        problems.append(
            f"The level bands do not cover 0 to the {what} {maximum}: they must start at 0 "
            f"and every level must be reachable (the highest starts at {ordered[-1].min_score})."
        )
    present = {(g.dimension, g.level) for g in spec.guidance if g.question is None}
    for dimension in spec.dimensions:
        for lower, higher in itertools.pairwise(ordered):
            if (dimension.key, higher.number) not in present:
                problems.append(
                    f"Dimension “{dimension.name}” has no guidance for moving from "
                    f"{lower.name} to {higher.name}."
                )
    return problems


def _option_level_problems(question: QuestionSpec, levels: list[LevelSpec]) -> list[str]:
    """A bank with options per level: the question has exactly one option for each level, and
    its points rise with the level."""
    names = {level.number: level.name for level in levels}
    if any(choice.level is None for choice in question.choices):
        return [f"Question {question.code}: every option needs its level (options per level)."]
    chosen = [choice.level for choice in question.choices]
    problems = [
        f"Question {question.code} has no option for level {number} ({names[number]})."
        for number in sorted(names)
        if number not in chosen
    ] + [
        f"Question {question.code} has more than one option for level {number} ({names[number]})."
        for number in sorted(set(chosen))
        if chosen.count(number) > 1 and number in names
    ]
    if not problems:
        by_level = sorted(question.choices, key=lambda choice: choice.level)
        if any(low.points >= high.points for low, high in itertools.pairwise(by_level)):
            problems.append(
                f"Question {question.code}: the options' points must rise with their level "
                f"(by level: {', '.join(str(c.points) for c in by_level)})."
            )
    return problems
