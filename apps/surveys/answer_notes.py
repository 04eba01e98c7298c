"""A respondent's comment and evidence link on an answer, saved as they type (DESIGN §4).

A note belongs to an answer (Answer.comment, Answer.evidence_url): it can be saved once the
question is answered, and changes no more once the response is submitted. The team reads notes
through `scoring.selectors.round_team_result`, without names, once the round's results show.
"""

from django.core.exceptions import ValidationError

from apps.core.text import without_nul
from apps.surveys.models import Participant
from apps.surveys.models.rounds import (
    COMMENT_MAX_LENGTH,
    EVIDENCE_URL_MAX_LENGTH,
    evidence_url_validator,
)
from apps.surveys.round_services import AnsweringError, AnswerInput, NoAnswerYet, answers_save

__all__ = [
    "COMMENT",
    "EVIDENCE_URL",
    "InvalidNote",
    "NoAnswerYet",
    "answer_note_save",
    "clean_note",
]

COMMENT = "comment"
EVIDENCE_URL = "evidence_url"


class InvalidNote(AnsweringError):
    """A comment or link that cannot be saved as it is; the page keeps the text."""

    status = 422


def clean_note(field: str, value: str) -> str:
    """The note as it is stored: trimmed; a link without a scheme gets https://. InvalidNote
    says, in words for the respondent, what is wrong."""
    value = without_nul(value or "")  # PostgreSQL stores no NUL; nor do we invisible controls
    if field == COMMENT:
        if len(value) > COMMENT_MAX_LENGTH:
            raise InvalidNote(
                f"A comment can be at most {COMMENT_MAX_LENGTH:,} characters "
                f"(this one has {len(value):,})."
            )
        return value
    if field != EVIDENCE_URL:
        raise InvalidNote("Unknown field.")
    if not value:
        return ""
    if "://" not in value and not value.lower().startswith(("javascript:", "data:", "mailto:")):
        value = f"https://{value}"  # "wiki.example.com/page" is meant as a web address
    if len(value) > EVIDENCE_URL_MAX_LENGTH:
        raise InvalidNote(f"A link can be at most {EVIDENCE_URL_MAX_LENGTH} characters.")
    try:
        evidence_url_validator(value)
    except ValidationError:
        raise InvalidNote(evidence_url_validator.message) from None
    return value


def answer_note_save(*, participant: Participant, question_id, field: str, value: str) -> bool:
    """Save the comment or the evidence link (`field`) of the participant's answer to a
    question, in the one statement that saves answers (`round_services.answers_save`); False
    when it was so already (nothing written)."""
    value = clean_note(field, value)
    change = AnswerInput(question_id, **{field: value})
    return bool(answers_save(participant=participant, answers=[change]))
