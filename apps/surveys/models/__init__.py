from apps.surveys.models.banks import (
    BankContent,
    BankLocked,
    BankStatus,
    Choice,
    Dimension,
    Guidance,
    Level,
    Question,
    QuestionBank,
)
from apps.surveys.models.rounds import (
    Answer,
    AnswerKind,
    Participant,
    Response,
    ResponseStatus,
    Round,
    RoundStatus,
)

__all__ = [
    "Answer",
    "AnswerKind",
    "BankContent",
    "BankLocked",
    "BankStatus",
    "Choice",
    "Dimension",
    "Guidance",
    "Level",
    "Participant",
    "Question",
    "QuestionBank",
    "Response",
    "ResponseStatus",
    "Round",
    "RoundStatus",
]
