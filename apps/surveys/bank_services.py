"""Writes and conversions for question banks: import, export, publish, clone, retire, install."""

import json
import logging
from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from apps.core import audit
from apps.surveys.bank_format import (
    BankFormatError,
    BankSpec,
    parse_bank,
    publish_problems,
    size_problems,
)
from apps.surveys.models import (
    BankStatus,
    Choice,
    Dimension,
    Guidance,
    Level,
    Question,
    QuestionBank,
)

log = logging.getLogger(__name__)

SHIPPED_BANKS_DIR = Path(__file__).resolve().parent / "banks"


class BankNotReady(Exception):
    """Publishing refused; `problems` lists every reason, for the admin to fix them all at once."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def bank_with_content(bank_id: int) -> QuestionBank:
    """A bank with everything inside it, in a fixed number of queries."""
    questions = Question.objects.order_by("order", "pk").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("order", "points"))
    )
    return QuestionBank.objects.prefetch_related(
        Prefetch("levels", queryset=Level.objects.order_by("number")),
        Prefetch("dimensions", queryset=Dimension.objects.order_by("order", "pk")),
        Prefetch("dimensions__questions", queryset=questions),
        Prefetch(
            "guidance",
            queryset=Guidance.objects.select_related("dimension", "question", "level").order_by(
                "dimension__order", "question__order", "level__number", "pk"
            ),
        ),
    ).get(pk=bank_id)


def _unless_default(key: str, value, default) -> dict:
    """`{key: value}`, or nothing when `value` is the format's default: a file written before
    the key existed exports exactly as it was."""
    return {} if value == default else {key: value}


def bank_export(bank: QuestionBank) -> dict:
    """The bank in the interchange format (see README): what `bank_import` reads back."""
    bank = bank_with_content(bank.pk)
    return {
        "slug": bank.slug,
        "version": bank.version,
        "title": bank.title,
        "description": bank.description,
        **(
            {"disagreement_threshold": _number(bank.disagreement_threshold)}
            if bank.disagreement_threshold is not None
            else {}
        ),
        **({"scale": _number(bank.scale)} if bank.scale is not None else {}),
        **_unless_default("options_per_level", bank.options_per_level, False),
        **_unless_default("allow_dont_know", bank.allow_dont_know, True),
        "levels": [
            {
                "number": level.number,
                "name": level.name,
                "description": level.description,
                "min_score": _number(level.min_score),
            }
            for level in bank.levels.all()
        ],
        "dimensions": [
            {
                "key": dimension.key,
                "name": dimension.name,
                "description": dimension.description,
                "questions": [
                    {
                        "code": question.code,
                        "text": question.text,
                        "help": question.help,
                        "weight": _number(question.weight),
                        **_unless_default("allow_na", question.allow_na, False),
                        "choices": [
                            {
                                "label": choice.label,
                                "points": choice.points,
                                **_unless_default("level", choice.level, None),
                            }
                            for choice in question.choices.all()
                        ],
                    }
                    for question in dimension.questions.all()
                ],
            }
            for dimension in bank.dimensions.all()
        ],
        "guidance": [
            {
                "dimension": guidance.dimension.key,
                "question": guidance.question.code if guidance.question_id else None,
                "level": guidance.level.number,
                "text": guidance.text,
            }
            for guidance in bank.guidance.all()
        ],
    }


def bank_spec(bank: QuestionBank) -> BankSpec:
    return parse_bank(bank_export(bank))


@transaction.atomic
def bank_import(data, *, publish: bool = False, version: int | None = None) -> QuestionBank:
    """Create a bank from interchange data: a draft, or published when `publish` is set.

    All or nothing: a bad file raises `BankFormatError` (or `BankNotReady` when publishing an
    incomplete bank) and leaves the database as it was. A bank beyond the size limits (500
    questions, see `bank_format.size_problems`) is refused before any database work.
    """
    problems = size_problems(data)
    if problems:
        raise BankFormatError(problems)
    spec = parse_bank(data)
    version = version or spec.version
    if QuestionBank.objects.filter(slug=spec.slug, version=version).exists():
        raise BankFormatError([f"version: {spec.slug} version {version} already exists"])
    if QuestionBank.objects.filter(slug=spec.slug, status=BankStatus.DRAFT).exists():
        raise BankFormatError(
            [f"slug: {spec.slug} already has a draft; publish or delete it before importing"]
        )
    if publish:
        problems = publish_problems(spec)
        if problems:
            raise BankNotReady(problems)
    try:
        bank = _create(spec, version)
    except IntegrityError as error:
        raise BankFormatError([f"(database) {error}"]) from None
    if publish:
        _mark_published(bank)
    audit.record("bank.imported", obj=bank, after=_bank_facts(bank))
    return bank


def _bank_facts(bank: QuestionBank) -> dict:
    return {"slug": bank.slug, "version": bank.version, "status": bank.status}


def _create(spec: BankSpec, version: int) -> QuestionBank:
    bank = QuestionBank.objects.create(
        slug=spec.slug,
        version=version,
        title=spec.title,
        description=spec.description,
        disagreement_threshold=spec.disagreement_threshold,
        scale=spec.scale,
        options_per_level=spec.options_per_level,
        allow_dont_know=spec.allow_dont_know,
    )
    levels = {
        spec_level.number: Level.objects.create(
            bank=bank,
            number=spec_level.number,
            name=spec_level.name,
            description=spec_level.description,
            min_score=spec_level.min_score,
        )
        for spec_level in spec.levels
    }
    dimensions, questions = {}, {}
    for d_order, spec_dimension in enumerate(spec.dimensions):
        dimension = Dimension.objects.create(
            bank=bank,
            key=spec_dimension.key,
            name=spec_dimension.name,
            description=spec_dimension.description,
            order=d_order,
        )
        dimensions[dimension.key] = dimension
        for q_order, spec_question in enumerate(spec_dimension.questions):
            question = Question.objects.create(
                bank=bank,
                dimension=dimension,
                code=spec_question.code,
                text=spec_question.text,
                help=spec_question.help,
                weight=spec_question.weight,
                allow_na=spec_question.allow_na,
                order=q_order,
            )
            questions[question.code] = question
            Choice.objects.bulk_create(
                Choice(
                    bank=bank,
                    question=question,
                    label=c.label,
                    points=c.points,
                    level=c.level,
                    order=c_order,
                )
                for c_order, c in enumerate(spec_question.choices)
            )
    Guidance.objects.bulk_create(
        Guidance(
            bank=bank,
            dimension=dimensions[g.dimension],
            question=questions[g.question] if g.question else None,
            level=levels[g.level],
            text=g.text,
        )
        for g in spec.guidance
    )
    return bank


def _mark_published(bank: QuestionBank) -> None:
    bank.status = BankStatus.PUBLISHED
    bank.published_at = timezone.now()
    bank.save(lifecycle=True)


@transaction.atomic
def bank_publish(*, bank: QuestionBank) -> QuestionBank:
    """Publish a draft after checking all of it; raise `BankNotReady` listing every problem."""
    bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
    if bank.status != BankStatus.DRAFT:
        raise BankNotReady([f"{bank} is already {bank.get_status_display().lower()}."])
    try:
        spec = bank_spec(bank)
    except BankFormatError as error:
        raise BankNotReady(error.problems) from None
    problems = publish_problems(spec)
    if problems:
        raise BankNotReady(problems)
    _mark_published(bank)
    audit.record("bank.published", obj=bank, after=_bank_facts(bank))
    return bank


@transaction.atomic
def bank_new_draft(*, bank: QuestionBank) -> QuestionBank:
    """Clone a bank into the next version of its slug, as a draft to edit."""
    if QuestionBank.objects.filter(slug=bank.slug, status=BankStatus.DRAFT).exists():
        raise BankFormatError([f"{bank.slug} already has a draft version: edit that one."])
    latest = QuestionBank.objects.filter(slug=bank.slug).aggregate(v=Max("version"))["v"]
    draft = _create(bank_spec(bank), latest + 1)
    audit.record(
        "bank.draft_created", obj=draft, before=_bank_facts(bank), after=_bank_facts(draft)
    )
    return draft


@transaction.atomic
def bank_retire(*, bank: QuestionBank) -> QuestionBank:
    """Retired banks stay readable (past rounds keep them) but new rounds cannot pick them."""
    bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
    if bank.status == BankStatus.PUBLISHED:
        bank.status = BankStatus.RETIRED
        bank.retired_at = timezone.now()
        bank.save(lifecycle=True)
        audit.record("bank.retired", obj=bank, after=_bank_facts(bank))
    return bank


def install_shipped_banks(directory: Path = SHIPPED_BANKS_DIR) -> list[QuestionBank]:
    """Publish the banks shipped in the repository, idempotently.

    A file whose (slug, version) is installed already changes nothing, even if its text differs:
    a published version is never edited in place. To ship changes, raise the file's version.
    """
    installed = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is fine
        slug, version = data.get("slug"), data.get("version")
        if QuestionBank.objects.filter(slug=slug, version=version).exists():
            continue
        latest = QuestionBank.objects.filter(slug=slug).aggregate(v=Max("version"))["v"] or 0
        if version <= latest:
            log.warning(
                "Not installing %s: version %s is older than the installed %s",
                path.name,
                version,
                latest,
            )
            continue
        installed.append(bank_import(data, publish=True))
        log.info("Installed question bank %s version %s", slug, version)
    return installed
