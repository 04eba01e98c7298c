"""What a question bank asks, read-only, for the people who choose one for a round: its levels,
and per dimension its questions with their options (the lead's preview before creating a
round), and how long answering it takes (`minutes_to_answer`: the one estimate, used by the
preview, the respondent's introduction and the invitation e-mail)."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch

from apps.surveys.models import BankStatus, Choice, Dimension, Level, Question, QuestionBank

SECONDS_PER_QUESTION = 20  # reading a question and its options, choosing one
MINIMUM_MINUTES = 2


def minutes_to_answer(question_count: int) -> int:
    """About how many minutes answering `question_count` questions takes: 20 seconds each,
    rounded to the nearest minute, at least 2 (14 questions: 5 minutes)."""
    seconds = max(0, question_count) * SECONDS_PER_QUESTION
    return max(MINIMUM_MINUTES, (seconds + 30) // 60)


def previewable_banks() -> list[QuestionBank]:
    """The banks a lead may look at before creating a round: the published ones (which the round
    form offers), in the form's order, each with its `question_count` and `minutes` (to answer
    it). One query."""
    banks = list(
        QuestionBank.objects.filter(status=BankStatus.PUBLISHED)
        .annotate(question_count=Count("questions"))
        .order_by("title", "-version")
    )
    for bank in banks:
        bank.minutes = minutes_to_answer(bank.question_count)
    return banks


@dataclass(frozen=True)
class PreviewOption:
    label: str
    points: int
    level: Level | None  # the level whose practice the option describes, where the bank says


@dataclass(frozen=True)
class PreviewQuestion:
    code: str
    text: str
    help: str
    allow_na: bool
    options: list[PreviewOption]


@dataclass(frozen=True)
class PreviewDimension:
    key: str
    name: str
    description: str
    questions: list[PreviewQuestion]


@dataclass(frozen=True)
class BankPreview:
    bank: QuestionBank
    levels: list[Level]
    dimensions: list[PreviewDimension]

    @property
    def question_count(self) -> int:
        return sum(len(d.questions) for d in self.dimensions)

    @property
    def minutes(self) -> int:
        return minutes_to_answer(self.question_count)

    @property
    def offers_na(self) -> bool:
        return any(q.allow_na for d in self.dimensions for q in d.questions)


def bank_preview(bank: QuestionBank) -> BankPreview:
    """The bank's levels, dimensions, questions and options, in the order respondents see them:
    four queries, whatever the bank's size."""
    levels = list(Level.objects.filter(bank=bank).order_by("number"))
    by_number = {level.number: level for level in levels}
    dimensions = Dimension.objects.filter(bank=bank).prefetch_related(
        Prefetch(
            "questions",
            queryset=Question.objects.order_by("order", "pk").prefetch_related(
                Prefetch("choices", queryset=Choice.objects.order_by("order", "points", "pk"))
            ),
        )
    )
    return BankPreview(
        bank=bank,
        levels=levels,
        dimensions=[
            PreviewDimension(
                key=dimension.key,
                name=dimension.name,
                description=dimension.description,
                questions=[
                    PreviewQuestion(
                        code=question.code,
                        text=question.text,
                        help=question.help,
                        allow_na=question.allow_na,
                        options=[
                            PreviewOption(
                                label=choice.label,
                                points=choice.points,
                                level=by_number.get(choice.level),
                            )
                            for choice in question.choices.all()
                        ],
                    )
                    for question in dimension.questions.all()
                ],
            )
            for dimension in dimensions.order_by("order", "pk")
        ],
    )
