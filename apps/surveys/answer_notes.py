"""A respondent's comment and evidence link on an answer, saved as they type (DESIGN §4).

A note belongs to an answer (Answer.comment, Answer.evidence_url): it can be saved once the
question is answered, and changes no more once the response is submitted. The team reads notes
through `scoring.selectors.round_team_result`, without names, once the round's results show.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.surveys.models import Answer, Participant
from apps.surveys.models.rounds import (
    COMMENT_MAX_LENGTH,
    EVIDENCE_URL_MAX_LENGTH,
    evidence_url_validator,
)
from apps.surveys.round_services import AlreadySubmitted, AnsweringError, check_accepting

COMMENT = "comment"
EVIDENCE_URL = "evidence_url"


class InvalidNote(AnsweringError):
    """A comment or link that cannot be saved as it is; the page keeps the text."""

    status = 422


class NoAnswerYet(AnsweringError):
    status = 409


def clean_note(field: str, value: str) -> str:
    """The note as it is stored: trimmed; a link without a scheme gets https://. InvalidNote
    says, in words for the respondent, what is wrong."""
    value = (value or "").strip()
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


@transaction.atomic
def answer_note_save(*, participant: Participant, question_id, field: str, value: str) -> bool:
    """Save the comment or the evidence link (`field`) of the participant's answer to a
    question; False when it was already so (nothing written)."""
    value = clean_note(field, value)
    check_accepting(participant.round)
    answer = (
        Answer.objects.select_for_update()
        .select_related("response")
        .filter(response__participant=participant, question_id=_int(question_id))
        .first()
    )
    if answer is not None and answer.response.is_submitted:
        raise AlreadySubmitted(
            "You have already submitted this survey; notes can no longer change."
        )
    if answer is None:
        if not value:
            return False  # nothing typed, nothing to keep
        raise NoAnswerYet("Choose an answer first: your note is saved with it.")
    if getattr(answer, field) == value:
        return False
    Answer.objects.filter(pk=answer.pk).update(**{field: value, "updated_at": timezone.now()})
    return True


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
