"""Writes for survey rounds: create, edit, invite, remind, close; answer and submit."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from apps.accounts.models import User
from apps.core import jobs
from apps.core.emails import absolute_url
from apps.core.errors import RefusedError
from apps.core.tokens import derived_token, hash_token
from apps.surveys.models import (
    Answer,
    AnswerKind,
    BankStatus,
    Choice,
    Participant,
    Question,
    QuestionBank,
    Response,
    ResponseStatus,
    Round,
    RoundStatus,
)
from apps.surveys.signals import response_submitted, responses_purging, round_closed

REMINDER_INTERVAL = timedelta(hours=24)


# --- Links


def participant_token(participant: Participant) -> str:
    return derived_token("participant", str(participant.public_id))


def participant_link(participant: Participant) -> str:
    return absolute_url(reverse("surveys:intro", args=[participant_token(participant)]))


def link_expires_at(round_: Round):
    """When the round's links stop working: SURVEY_LINK_DAYS_AFTER_CLOSE after it closes.

    Counts from when the round actually closed (`Round.period`: a round closed by hand before
    its close date, from that moment); while it is open, this is the latest the links can work.
    """
    return round_.period.closes + timedelta(days=settings.SURVEY_LINK_DAYS_AFTER_CLOSE)


@transaction.atomic
def participant_revoke(*, round_: Round, participant_public_id, now=None) -> Participant | None:
    """Revoke one participant's link for good (it answers 410). Their response stays and keeps
    counting in the results. Idempotent; None if the participant is not in this round."""
    participant = (
        Participant.objects.select_for_update()
        .filter(round=round_, public_id=participant_public_id)
        .first()
    )
    if participant is not None and participant.revoked_at is None:
        participant.revoked_at = now or timezone.now()
        participant.save(update_fields=["revoked_at"])
    return participant


# --- Rounds


def _check_round_fields(*, bank: QuestionBank, opens_at, closes_at, min_respondents: int) -> None:
    errors = {}
    if bank.status != BankStatus.PUBLISHED:
        errors["bank"] = "Choose a published question bank."
    if closes_at <= opens_at:
        errors["closes_at"] = "The round must close after it opens."
    elif closes_at <= timezone.now():
        errors["closes_at"] = "The close date is in the past."
    if min_respondents < 2:
        errors["min_respondents"] = "At least 2, so that no single person's answers can be seen."
    if errors:
        raise ValidationError(errors)


def round_create(
    *, team, bank, title, opens_at, closes_at, anonymous, min_respondents, created_by
) -> Round:
    if team.is_archived:
        raise ValidationError("This team is archived; restore it to run a round.")
    _check_round_fields(
        bank=bank, opens_at=opens_at, closes_at=closes_at, min_respondents=min_respondents
    )
    return Round.objects.create(
        team=team,
        bank=bank,
        title=title.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        anonymous=anonymous,
        min_respondents=min_respondents,
        created_by=created_by,
    )


def round_has_responses(round_: Round) -> bool:
    return Response.objects.filter(round=round_).exists()


@transaction.atomic
def round_update(
    *, round_: Round, title, bank, opens_at, closes_at, anonymous, min_respondents
) -> Round:
    """Everything stays editable until the first response; after it, only the title."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError("This round is closed and can no longer change.")
    locked = round_has_responses(round_)
    changed_locked = (
        bank.pk != round_.bank_id
        or opens_at != round_.opens_at
        or closes_at != round_.closes_at
        or anonymous != round_.anonymous
        or min_respondents != round_.min_respondents
    )
    if locked and changed_locked:
        raise ValidationError(
            "People have started answering: the bank, dates, anonymity and threshold can no longer "
            "change. Only the title can."
        )
    if (
        round_.anonymous
        and not anonymous
        and round_.participants.filter(invited_at__isnull=False).exists()
    ):
        raise ValidationError("Invitations promised anonymity; the round must stay anonymous.")
    _check_round_fields(
        bank=bank, opens_at=opens_at, closes_at=closes_at, min_respondents=min_respondents
    )
    round_.title = title.strip()
    round_.bank = bank
    round_.opens_at, round_.closes_at = opens_at, closes_at
    round_.anonymous, round_.min_respondents = anonymous, min_respondents
    round_.save()
    return round_


@transaction.atomic
def round_close(*, round_: Round) -> bool:
    """Close now; the round_closed hook stores the team aggregates. Idempotent: False if it was
    closed already."""
    closed = (
        Round.objects.filter(pk=round_.pk, status=RoundStatus.OPEN).update(
            status=RoundStatus.CLOSED, closed_at=timezone.now()
        )
        == 1
    )
    if closed:
        round_closed.send(sender=Round, round_=Round.objects.get(pk=round_.pk))
    return closed


def rounds_close_due(now=None) -> int:
    """Close every open round whose close date has passed (the beat task calls this)."""
    now = now or timezone.now()
    closed = 0
    for round_ in Round.objects.filter(status=RoundStatus.OPEN, closes_at__lte=now).only("pk"):
        closed += round_close(round_=round_)
    return closed


def rounds_purge(*, rounds) -> None:
    """Clear the way for deleting these rounds with their organization (the organizations hook).

    Their e-mails not sent yet (queued jobs) are discarded. On PostgreSQL the answers of a
    submitted response are read-only (a trigger, surveys 0004) unless their response is deleted
    first, which Django's collector never does: so the responses go first, in one statement whose
    foreign key cascades to their answers, after the `responses_purging` hook has let the apps
    above delete what refers to them (scoring: its score snapshots).
    """
    from apps.surveys.tasks import send_participant_email

    jobs.discard({send_participant_email: Participant.objects.filter(round__in=rounds)})
    if connection.vendor != "postgresql":
        return
    responses = Response.objects.filter(round__in=rounds)
    responses_purging.send(sender=Response, responses=responses)
    sql, params = responses.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Response._meta.db_table} WHERE id IN ({sql})", params)


# --- Participants


INVITE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class InviteResult:
    added: list[str]
    already_invited: list[str]
    # New addresses refused by the caps: over the per-request cap, then over the round's daily cap.
    over_request_cap: list[str] = ()
    over_daily_cap: list[str] = ()


@transaction.atomic
def participants_invite(*, round_: Round, emails: list[str], now=None) -> InviteResult:
    """Add participants and e-mail each their personal link after commit.

    At most ROUND_INVITES_PER_REQUEST new addresses per call and ROUND_INVITES_PER_ROUND_PER_DAY
    new participants per round in any 24 hours (so a round page is no mail relay); the addresses
    within the caps are invited, the rest are returned as refused.
    """
    from apps.surveys.tasks import send_participant_email

    if round_.is_over():
        raise ValidationError("This round is closed: nobody can be invited any more.")
    now = now or timezone.now()
    # Lock the round: two pastes at once cannot both fit under the daily cap.
    list(Round.objects.select_for_update().filter(pk=round_.pk).values_list("pk", flat=True))
    existing = {
        email.lower()
        for email in Participant.objects.filter(round=round_).values_list("email", flat=True)
    }
    already_invited = [email for email in emails if email.lower() in existing]
    new_emails = []
    for email in emails:
        if email.lower() not in existing:
            existing.add(email.lower())  # the same address twice in one paste: once
            new_emails.append(email)
    per_request = max(0, settings.ROUND_INVITES_PER_REQUEST)
    new_emails, over_request_cap = new_emails[:per_request], new_emails[per_request:]
    invited_lately = Participant.objects.filter(
        round=round_, created_at__gt=now - INVITE_WINDOW
    ).count()
    room = max(0, settings.ROUND_INVITES_PER_ROUND_PER_DAY - invited_lately)
    new_emails, over_daily_cap = new_emails[:room], new_emails[room:]
    users = {user.email: user for user in User.objects.filter(email__in=new_emails)}
    participants = []
    for email in new_emails:
        participant = Participant(
            round=round_, email=email, public_id=uuid.uuid4(), user=users.get(email)
        )
        participant.token_hash = hash_token(participant_token(participant))
        participants.append(participant)
    try:
        with transaction.atomic():
            Participant.objects.bulk_create(participants)
    except IntegrityError:  # someone invited the same address at the same moment: retry one by one
        participants = [
            p
            for p in participants
            if not Participant.objects.filter(round=round_, email=p.email).exists()
        ]
        Participant.objects.bulk_create(participants, ignore_conflicts=True)
    invited = Participant.objects.filter(round=round_, email__in=[p.email for p in participants])
    jobs.enqueue_many(
        send_participant_email, [(pk, "invitation") for pk in invited.values_list("pk", flat=True)]
    )
    return InviteResult(
        added=[p.email for p in participants],
        already_invited=already_invited,
        over_request_cap=over_request_cap,
        over_daily_cap=over_daily_cap,
    )


@transaction.atomic
def participants_remind(*, round_: Round, now=None) -> int:
    """Queue one reminder per pending participant, at most once per 24 hours per person."""
    from apps.surveys.tasks import send_participant_email

    if round_.is_over():
        raise ValidationError("This round is closed: there is nobody to remind.")
    now = now or timezone.now()
    due = Participant.objects.filter(
        round=round_, submitted_at__isnull=True, revoked_at__isnull=True
    ).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMINDER_INTERVAL))
    # Lock the ones due (skipping those another lead's click holds): nobody is reminded twice.
    due_ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True))
    Participant.objects.filter(pk__in=due_ids).update(reminded_at=now)
    stamp = now.isoformat()
    jobs.enqueue_many(send_participant_email, [(pk, "reminder", stamp) for pk in due_ids])
    return len(due_ids)


# --- Answering


class AnsweringError(RefusedError):
    """Why an answer or a submission was refused."""


class RoundNotOpenYet(AnsweringError):
    status = 403


class RoundClosed(AnsweringError):
    status = 410


class AlreadySubmitted(AnsweringError):
    status = 409


class InvalidAnswer(AnsweringError):
    status = 400


class LinkRevoked(AnsweringError):
    status = 410
    heading = "This link was revoked"


class LinkExpired(AnsweringError):
    status = 410
    heading = "This link has expired"


class AnswersMissing(AnsweringError):
    status = 400

    def __init__(self, codes: list[str]):
        super().__init__("Some questions are not answered yet.")
        self.codes = codes


def participant_for_token(token: str) -> Participant | None:
    return (
        Participant.objects.select_related("round__team__organization", "round__bank")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )


def check_link(participant: Participant, now=None) -> None:
    """Refuse a revoked link, and any link SURVEY_LINK_DAYS_AFTER_CLOSE after its round closed.

    Only the link stops working: the response and its answers stay, and count in the results.
    """
    now = now or timezone.now()
    if participant.revoked_at is not None:
        raise LinkRevoked(
            "Your team lead revoked this link. Answers you submitted are kept and still count in "
            "the team's results; ask your team lead if you need a new link."
        )
    round_ = participant.round
    if round_.is_over(now):
        expires = link_expires_at(round_)
        if now >= expires:
            day = date_format(timezone.localtime(expires), "j F Y")
            raise LinkExpired(f"This link expired on {day}; ask your team lead for the results.")


def check_accepting(round_: Round) -> None:
    now = timezone.now()
    if round_.has_not_opened(now):
        raise RoundNotOpenYet("This survey has not opened yet.")
    if round_.is_over(now):
        raise RoundClosed("This survey has closed. Your saved answers are kept.")


def response_get_or_start(participant: Participant) -> Response:
    response = Response.objects.filter(participant=participant).first()
    if response is not None:
        return response
    try:
        with transaction.atomic():
            return Response.objects.create(
                participant=participant,
                round_id=participant.round_id,
                bank_id=participant.round.bank_id,
            )
    except IntegrityError:  # two tabs opened the link at the same moment
        return Response.objects.get(participant=participant)


NOT_APPLICABLE = AnswerKind.NOT_APPLICABLE.value  # "na": the value the form posts for N/A
DONT_KNOW = AnswerKind.DONT_KNOW.value  # "dk": ...and for "I don't know"


@transaction.atomic
def answer_save(*, participant: Participant, question_id, choice_id) -> Answer:
    """Save (or change) one answer of a draft: `choice_id` is an option of the question, or
    "na" (only where the question allows N/A) or "dk" (only where the bank allows it)."""
    round_ = participant.round
    check_accepting(round_)
    response = response_get_or_start(participant)
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.is_submitted:
        raise AlreadySubmitted(
            "You have already submitted this survey; answers can no longer change."
        )
    question = Question.objects.filter(pk=_int(question_id), bank_id=round_.bank_id).first()
    if question is None:
        raise InvalidAnswer("That question is not part of this survey.")
    kind, choice = _answer_kind(question, choice_id)
    answer, _ = Answer.objects.update_or_create(
        response=response,
        question=question,
        defaults={"kind": kind, "choice": choice, "bank_id": round_.bank_id},
    )
    return answer


def _answer_kind(question: Question, choice_id) -> tuple[str, Choice | None]:
    if choice_id == NOT_APPLICABLE:
        if not question.allow_na:
            raise InvalidAnswer('This question cannot be answered "not applicable".')
        return AnswerKind.NOT_APPLICABLE, None
    if choice_id == DONT_KNOW:
        if not QuestionBank.objects.filter(pk=question.bank_id, allow_dont_know=True).exists():
            raise InvalidAnswer('This survey does not offer "I don\'t know".')
        return AnswerKind.DONT_KNOW, None
    choice = Choice.objects.filter(pk=_int(choice_id), question_id=question.pk).first()
    if choice is None:
        raise InvalidAnswer("That answer does not belong to the question.")
    return AnswerKind.CHOICE, choice


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


@transaction.atomic
def response_submit(*, participant: Participant) -> Response:
    """Submit once. A double click, a replayed POST or a second tab gets the same response back."""
    response = response_get_or_start(participant)
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.is_submitted:
        return response
    if connection.vendor == "postgresql":
        # Hold the round while we submit: a close waits for us, or we see it closed.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM surveys_round WHERE id = %s FOR SHARE", [participant.round_id]
            )
    round_ = Round.objects.get(pk=participant.round_id)
    check_accepting(round_)
    # Scoring stores the score snapshot, or refuses with AnswersMissing.
    response_submitted.send(sender=Response, response=response)
    return response_mark_submitted(response=response, submitted_at=timezone.now())


def response_mark_submitted(*, response: Response, submitted_at) -> Response:
    """Mark a response (and its participant) submitted, with the total the response_submitted
    hook (scoring) has set on it."""
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = submitted_at
    response.save(update_fields=["status", "submitted_at", "total_points", "max_points"])
    Participant.objects.filter(pk=response.participant_id).update(submitted_at=submitted_at)
    return response
