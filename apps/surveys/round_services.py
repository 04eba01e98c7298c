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
from apps.core import audit, jobs
from apps.core.emails import absolute_url
from apps.core.errors import RefusedError
from apps.core.prepared import prepared_cursor
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


DETACHED_DOMAIN = "deleted.invalid"  # a reserved top-level domain: no mail goes there


def participants_detach(*, user: User, now=None) -> int:
    """A person deleted their account: their participations keep no trace of them. Each gets
    an address that names nobody (`deleted-<id>@deleted.invalid`), no user, and a revoked link
    (it answers 410); their e-mails not sent yet are discarded. Submitted responses, answers
    and scores stay and count as before. Returns how many were detached."""
    from apps.surveys.tasks import send_participant_email

    theirs = Participant.objects.filter(Q(user=user) | Q(email__iexact=user.email))
    jobs.discard({send_participant_email: theirs})
    now = now or timezone.now()
    detached = 0
    for participant in theirs.select_for_update():
        participant.email = f"deleted-{participant.public_id.hex}@{DETACHED_DOMAIN}"
        participant.user = None
        participant.revoked_at = participant.revoked_at or now
        participant.save(update_fields=["email", "user", "revoked_at"])
        detached += 1
    return detached


# --- Rounds


def _check_round_fields(*, bank: QuestionBank, opens_at, closes_at, min_respondents: int) -> None:
    errors = {}
    if bank.status != BankStatus.PUBLISHED:
        errors["bank"] = "Choose a published question bank."
    if closes_at <= opens_at:
        errors["closes_at"] = "The round must close after it opens."
    elif closes_at <= timezone.now():
        errors["closes_at"] = (
            "That close date is in the past: choose a later date or time. To end the round "
            "now, use “Close round”."
        )
    if min_respondents < 2:
        errors["min_respondents"] = "At least 2, so that no single person's answers can be seen."
    if errors:
        raise ValidationError(errors)


def _round_dates(round_: Round) -> dict:
    return {"opens_at": round_.opens_at, "closes_at": round_.closes_at}


@transaction.atomic
def round_create(
    *, team, bank, title, opens_at, closes_at, anonymous, min_respondents, created_by
) -> Round:
    if team.is_archived:
        raise ValidationError("This team is archived; restore it to run a round.")
    _check_round_fields(
        bank=bank, opens_at=opens_at, closes_at=closes_at, min_respondents=min_respondents
    )
    round_ = Round.objects.create(
        team=team,
        bank=bank,
        title=title.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        anonymous=anonymous,
        min_respondents=min_respondents,
        created_by=created_by,
    )
    audit.record(
        "round.created",
        organization=team.organization,
        obj=round_,
        after={"team": team.name, "bank": str(bank), **_round_dates(round_)},
    )
    return round_


def round_has_responses(round_: Round) -> bool:
    return Response.objects.filter(round=round_).exists()


CLOSED_REFUSAL = "This round is closed: its title and dates can no longer change."


def round_update(*, round_: Round, **fields) -> Round:
    """Everything stays editable until the first response; after it, the title and the close
    date (later, to give people more time, or earlier, but not into the past). When the close
    date moves, everyone invited who has not submitted is told by e-mail (after commit).

    A closed round is never reopened: the refusal is itself an audit entry, written after the
    refused change rolled back."""
    try:
        return _round_update(round_=round_, **fields)
    except RoundClosedRefusal:
        with transaction.atomic():
            audit.record(
                "round.reopen_refused",
                organization=round_.team.organization,
                obj=round_,
                before=_round_dates(round_),
                after={"opens_at": fields["opens_at"], "closes_at": fields["closes_at"]},
            )
        raise ValidationError(CLOSED_REFUSAL) from None


class RoundClosedRefusal(Exception):
    """Internal: _round_update found the round closed (round_update logs and refuses)."""


@transaction.atomic
def _round_update(
    *, round_: Round, title, bank, opens_at, closes_at, anonymous, min_respondents
) -> Round:
    from apps.surveys.tasks import send_participant_email

    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status == RoundStatus.CLOSED:
        raise RoundClosedRefusal
    before = _round_dates(round_)
    locked = round_has_responses(round_)
    changed_locked = (
        bank.pk != round_.bank_id
        or opens_at != round_.opens_at
        or anonymous != round_.anonymous
        or min_respondents != round_.min_respondents
    )
    if locked and changed_locked:
        raise ValidationError(
            "People have started answering: the bank, the opening date, anonymity and the "
            "threshold can no longer change. The title and the close date can."
        )
    close_moved = closes_at != round_.closes_at
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
    if _round_dates(round_) != before:
        audit.record(
            "round.dates_changed",
            organization=round_.team.organization,
            obj=round_,
            before=before,
            after=_round_dates(round_),
        )
    if close_moved:
        stamp = closes_at.isoformat()
        jobs.enqueue_many(
            send_participant_email,
            [(pk, CLOSE_MOVED, stamp) for pk in close_moved_recipients(round_)],
        )
    return round_


CLOSE_MOVED = "close_moved"  # the e-mail kind that tells people the close date moved


def close_moved_recipients(round_: Round) -> list[int]:
    """Who is told that the close date moved: everyone invited (the invitation was sent) who
    has not submitted and whose link is not revoked. Those who submitted have nothing left to
    do before the close."""
    return list(
        Participant.objects.filter(
            round=round_,
            invited_at__isnull=False,
            submitted_at__isnull=True,
            revoked_at__isnull=True,
        ).values_list("pk", flat=True)
    )


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
        round_ = Round.objects.select_related("team__organization").get(pk=round_.pk)
        audit.record("round.closed", organization=round_.team.organization, obj=round_)
        round_closed.send(sender=Round, round_=round_)
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
    """The round takes answers: refuse one that has not opened yet or is over, saying which.

    `accepting_answers_sql` is this rule in SQL, for the statement that saves answers; a test
    holds the two to the same verdict on every edge (status, opening and closing moments).
    """
    now = timezone.now()
    if round_.has_not_opened(now):
        raise RoundNotOpenYet("This survey has not opened yet.")
    if round_.is_over(now):
        raise RoundClosed("This survey has closed. Your saved answers are kept.")


def accepting_answers_sql(alias: str) -> str:
    """`check_accepting` as a SQL condition on the surveys_round row `alias`: open, opened, and
    not at or past its close moment. Its two parameters are the moment, twice (`_moment`)."""
    return (
        f"({alias}.status = '{RoundStatus.OPEN.value}' "
        f"AND {alias}.opens_at <= %s AND {alias}.closes_at > %s)"
    )


def _moment(now) -> list:
    """`now` as the parameters of `accepting_answers_sql`, in the form the database compares."""
    value = connection.ops.adapt_datetimefield_value(now)
    return [value, value]


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


class NoAnswerYet(AnsweringError):
    """A note on a question not answered yet."""

    status = 409

    def __init__(self, message: str = "Choose an answer first: your note is saved with it."):
        super().__init__(message)


@dataclass(frozen=True)
class AnswerInput:
    """One question's part of a save. `choice_id` is an option's id, "na" or "dk", or None to
    keep the saved answer (a note alone). A note left None is kept as it is; a note given is
    stored as it is given (`answer_notes.clean_note` cleans it first)."""

    question_id: object
    choice_id: object = None
    comment: str | None = None
    evidence_url: str | None = None

    def row(self) -> tuple:
        """(question id, kind, choice id, comment, evidence link), as the statement takes them."""
        if self.choice_id is None:
            kind, choice = None, None
        elif self.choice_id in (NOT_APPLICABLE, DONT_KNOW):
            kind, choice = self.choice_id, None
        else:
            kind, choice = AnswerKind.CHOICE.value, _int(self.choice_id)
        return (_int(self.question_id), kind, choice, self.comment, self.evidence_url)


def answer_save(*, participant: Participant, question_id, choice_id) -> bool:
    """Save (or change) one answer of a draft: `choice_id` is an option of the question, or
    "na" (only where the question allows N/A) or "dk" (only where the bank allows it).
    One statement (`answers_save`); False when it was so already."""
    change = AnswerInput(question_id, choice_id)
    return bool(answers_save(participant=participant, answers=[change]))


def answers_save(*, participant: Participant, answers: list[AnswerInput]) -> set[int]:
    """Save answers and notes of a draft, a page of them or one, in one statement; the ids of
    the questions whose row changed (what is saved so already writes nothing).

    The statement itself refuses what must not be written, so that no race gets past it: it
    writes only while the response is a draft (holding the response's row, so that a submit
    waits for it or it for the submit) and while the round accepts answers
    (`accepting_answers_sql`); only questions of the round's bank, options of their own
    question, N/A where the question offers it, "don't know" where the bank does. It starts
    the response with the first answer. Only when it wrote fewer rows than it was given do a
    few reads find out why (`_refusal`) and raise what the person is told: the same error, in
    the same order, as checking each rule in turn would.
    """
    if not answers:
        return set()
    check_accepting(participant.round)
    rows = list({row[0]: row for row in (change.row() for change in answers)}.values())
    for _attempt in range(2):
        written = _answers_upsert(participant, rows, timezone.now())
        missing = [row for row in rows if row[0] not in written]
        if not missing or not _refusal(participant, missing):
            return written
    raise AnsweringError("Your answer could not be saved just now; please choose it again.")


# The statement that saves answers. {source} is the participant's response (with {head},
# the common table expressions that provide it); {values}, one ANSWER_ROW per answer:
# (question id, kind, choice id, comment, evidence link). A kind left NULL keeps the saved
# answer (a note alone, only on an answered question); a note left NULL keeps the saved note.
# The WHERE of the SELECT is the rules; the WHERE of DO UPDATE leaves what is so already alone.
ANSWER_ROW_SQL = (
    "(CAST(%s AS bigint), CAST(%s AS varchar(6)), CAST(%s AS bigint), "
    "CAST(%s AS varchar(1000)), CAST(%s AS varchar(500)))"
)
ANSWERS_UPSERT_SQL = """{head}
INSERT INTO surveys_answer AS a
    (response_id, bank_id, question_id, kind, choice_id, comment, evidence_url, updated_at)
SELECT r.id, r.bank_id, q.id, COALESCE(v.kind, old.kind),
    CASE WHEN v.kind IS NULL THEN old.choice_id ELSE c.id END,
    COALESCE(v.comment, old.comment, ''), COALESCE(v.evidence_url, old.evidence_url, ''), %s
FROM (
    SELECT column1 AS question_id, column2 AS kind, column3 AS choice_id, column4 AS comment,
        column5 AS evidence_url
    FROM (VALUES {values}) AS posted
) AS v
JOIN {source} r ON r.status = 'draft'
JOIN surveys_round rd ON rd.id = r.round_id AND {accepting}
JOIN surveys_question q ON q.id = v.question_id AND q.bank_id = r.bank_id
JOIN surveys_questionbank b ON b.id = r.bank_id
LEFT JOIN surveys_choice c ON c.id = v.choice_id AND c.question_id = q.id
LEFT JOIN surveys_answer old ON old.response_id = r.id AND old.question_id = q.id
WHERE CASE v.kind
    WHEN 'choice' THEN c.id IS NOT NULL
    WHEN 'na' THEN q.allow_na
    WHEN 'dk' THEN b.allow_dont_know
    ELSE old.id IS NOT NULL
END
ON CONFLICT (response_id, question_id) DO UPDATE SET kind = excluded.kind,
    choice_id = excluded.choice_id, comment = excluded.comment,
    evidence_url = excluded.evidence_url, updated_at = excluded.updated_at
WHERE a.kind <> excluded.kind OR COALESCE(a.choice_id, 0) <> COALESCE(excluded.choice_id, 0)
    OR a.comment <> excluded.comment OR a.evidence_url <> excluded.evidence_url
RETURNING question_id"""
# {who}: the participant, by id (%s) or by their link (LINK_PARTICIPANT_SQL).
RESPONSE_SQL = (
    "SELECT id, round_id, bank_id, status FROM surveys_response WHERE participant_id = {who}"
)
LINK_PARTICIPANT_SQL = (
    "(SELECT id FROM surveys_participant WHERE token_hash = %s AND revoked_at IS NULL)"
)
# A response for the participant, unless they have one or the round does not take answers.
START_RESPONSE_SQL = """INSERT INTO surveys_response
    (participant_id, round_id, bank_id, status, started_at)
SELECT p.id, rd.id, rd.bank_id, 'draft', %s FROM surveys_participant p
JOIN surveys_round rd ON rd.id = p.round_id
WHERE p.id = {who} AND {accepting}
    AND NOT EXISTS (SELECT 1 FROM surveys_response WHERE participant_id = p.id)
ON CONFLICT (participant_id) DO NOTHING"""


def answers_save_by_link(*, token: str, answers: list[AnswerInput]) -> set[int] | None:
    """`answers_save` straight from the participant's link, in its one statement and no other
    (PostgreSQL): the ids of the questions it wrote. It writes only through a link that is not
    revoked (an expired link belongs to a round that is over, which takes no answers), under
    every rule of `answers_save`. An empty set says nothing was written, for whatever reason
    (an unknown link, a refusal, or saved so already): the caller then looks the link up and
    saves through `answers_save`, which tells the person why. None: not tried (SQLite, or
    nothing to save)."""
    if not answers or connection.vendor != "postgresql":
        return None
    rows = list({row[0]: row for row in (change.row() for change in answers)}.values())
    return _answers_upsert(None, rows, timezone.now(), token_hash=hash_token(token or ""))


def answers_save_refused(*, participant: Participant, answers: list[AnswerInput]) -> set[int]:
    """After `answers_save_by_link` wrote none of `answers`: raise why, as `answers_save`
    would; an empty set when each was saved so already; else (a first answer that raced
    another tab's) save them through `answers_save`. Asks before it tries again."""
    if not answers:
        return set()
    check_accepting(participant.round)
    rows = list({row[0]: row for row in (change.row() for change in answers)}.values())
    if not _refusal(participant, rows):
        return set()
    return answers_save(participant=participant, answers=answers)


def _answers_upsert(
    participant: Participant | None, rows: list[tuple], now, *, token_hash=None
) -> set[int]:
    """Run the statement (on SQLite, a first answer starts the response in one just before):
    the ids of the questions whose answer it wrote. The participant is `participant`, or on
    PostgreSQL the one whose link has `token_hash` (then a failure writes nothing and says
    nothing: see `answers_save_by_link`)."""
    moment = _moment(now)
    if token_hash is None:
        who, who_param = "%s", participant.pk
    else:
        who, who_param = LINK_PARTICIPANT_SQL, token_hash
    start = START_RESPONSE_SQL.format(accepting=accepting_answers_sql("rd"), who=who)
    start_params = [moment[0], who_param, *moment]
    answering = any(row[1] is not None for row in rows)  # a note alone starts no response
    if connection.vendor == "postgresql":
        # The response is held (FOR KEY SHARE): a submit (FOR UPDATE) waits for this
        # statement, or this statement for the submit, and then finds the response submitted
        # and writes nothing. With a first answer, the response starts in the same statement.
        held = RESPONSE_SQL.format(who=who)
        head, head_params, source = f"WITH held AS ({held} FOR KEY SHARE)", [], "held"
        if answering:
            head += (
                f", started AS ({start} RETURNING id, round_id, bank_id, status), "
                "r AS (SELECT * FROM started UNION ALL SELECT * FROM held)"
            )
            head_params, source = start_params, "r"
        head_params = [who_param, *head_params]
    else:  # SQLite has one writer at a time: nothing interleaves with a statement.
        if answering:
            with connection.cursor() as cursor:
                cursor.execute(start, start_params)
        head, head_params, source = "", [], f"({RESPONSE_SQL.format(who=who)})"
    sql = ANSWERS_UPSERT_SQL.format(
        head=head,
        values=", ".join([ANSWER_ROW_SQL] * len(rows)),
        source=source,
        accepting=accepting_answers_sql("rd"),
    )
    params = [
        *head_params,
        connection.ops.adapt_datetimefield_value(now),
        *(value for row in rows for value in row),
        *([] if head else [who_param]),
        *moment,
    ]
    try:
        with prepared_cursor() as cursor:  # every autosave: planned once per connection
            cursor.execute(sql, params)
            return {question_id for (question_id,) in cursor.fetchall()}
    except IntegrityError:
        # The joins keep to what the composite foreign keys and triggers (surveys 0004, 0008)
        # enforce; should one refuse all the same, say why as for any refusal (outside a
        # transaction, where the failed statement left nothing to roll back).
        if connection.in_atomic_block:
            raise
        if participant is None:  # by link: the caller finds out why
            return set()
        if _refusal(participant, rows):
            raise
        return set()


def _refusal(participant: Participant, rows: list[tuple]) -> bool:
    """Why the statement wrote none of these rows: raise the error the person is told; or
    return False when each is saved as asked already, True when one is not and nothing
    refuses it (a first answer racing another tab's first answer: the caller tries again)."""
    check_accepting(Round.objects.get(pk=participant.round_id))
    response = Response.objects.filter(participant=participant).values("pk", "status").first()
    if response is not None and response["status"] == ResponseStatus.SUBMITTED:
        what = "answers" if any(row[1] is not None for row in rows) else "notes"
        raise AlreadySubmitted(
            f"You have already submitted this survey; {what} can no longer change."
        )
    bank_id = participant.round.bank_id
    allow_na = dict(
        Question.objects.filter(pk__in=[row[0] for row in rows], bank_id=bank_id).values_list(
            "pk", "allow_na"
        )
    )
    choices = set(
        Choice.objects.filter(pk__in=[row[2] for row in rows if row[2] is not None]).values_list(
            "pk", "question_id"
        )
    )
    stored = {}
    if response is not None:
        stored = {
            question_id: saved
            for question_id, *saved in Answer.objects.filter(
                response_id=response["pk"], question_id__in=allow_na
            ).values_list("question_id", "kind", "choice_id", "comment", "evidence_url")
        }
    retry = False
    for question_id, kind, choice_id, comment, evidence_url in rows:
        if question_id not in allow_na:
            raise InvalidAnswer("That question is not part of this survey.")
        if kind == NOT_APPLICABLE and not allow_na[question_id]:
            raise InvalidAnswer('This question cannot be answered "not applicable".')
        if kind == DONT_KNOW and not participant.round.bank.allow_dont_know:
            raise InvalidAnswer('This survey does not offer "I don\'t know".')
        if kind == AnswerKind.CHOICE and (choice_id, question_id) not in choices:
            raise InvalidAnswer("That answer does not belong to the question.")
        saved = stored.get(question_id)
        if kind is None and saved is None:
            if comment or evidence_url:
                raise NoAnswerYet()
            continue  # nothing typed, nothing to keep
        wanted = (kind, choice_id, comment, evidence_url)
        if saved is None or any(
            want is not None and want != have for want, have in zip(wanted, saved, strict=True)
        ):
            retry = True
    return retry


def _int(value) -> int:
    """An id as posted, or -1 (no row has it) for anything that is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 < number < 2**63 else -1


# The usual submit's one read (PostgreSQL): the draft, held FOR UPDATE (autosaves hold it FOR
# KEY SHARE: they wait for the submit, or it for them), in its round, held FOR SHARE while the
# round takes answers (a close waits for the submit, or the submit finds it closed).
# The draft held in its round, with its answers: each one's question code and its choice's
# points (NULL for N/A and don't know), in one statement.
SUBMIT_HOLD_SQL = """SELECT s.*, ARRAY(SELECT q.code FROM surveys_answer a
        JOIN surveys_question q ON q.id = a.question_id WHERE a.response_id = s.id
        ORDER BY a.id) AS held_codes,
    ARRAY(SELECT c.points FROM surveys_answer a
        LEFT JOIN surveys_choice c ON c.id = a.choice_id WHERE a.response_id = s.id
        ORDER BY a.id) AS held_points
FROM surveys_response s JOIN surveys_round rd ON rd.id = s.round_id
WHERE s.participant_id = %s AND s.status = 'draft' AND {accepting}
FOR UPDATE OF s FOR SHARE OF rd"""


@transaction.atomic
def response_submit(*, participant: Participant) -> Response:
    """Submit once. A double click, a replayed POST or a second tab gets the same response back."""
    if connection.vendor == "postgresql":
        sql = SUBMIT_HOLD_SQL.format(accepting=accepting_answers_sql("rd"))
        held = list(Response.objects.raw(sql, [participant.pk, *_moment(timezone.now())]))
        if held:  # a draft, in a round that takes answers: hold both and submit
            (response,) = held
            response.participant = participant
            response.bank = participant.round.bank  # the round's, read with the link
            # Read with the hold, for the hook: no second look at the answers.
            response.answer_points = dict(
                zip(response.held_codes, response.held_points, strict=True)
            )
            response.pending_writes = []  # the hook's writes, run with the submission's
            response_submitted.send(sender=Response, response=response)
            return response_mark_submitted(response=response, submitted_at=timezone.now())
    # Otherwise find out which: none yet, submitted already, or the round does not take answers.
    response = Response.objects.select_for_update().filter(participant=participant).first()
    if response is None:  # nothing answered yet: scoring refuses it below, naming every question
        response = response_get_or_start(participant)
        response = Response.objects.select_for_update().get(pk=response.pk)
    if response.is_submitted:
        return response
    rounds = Round.objects.filter(pk=participant.round_id)
    if connection.vendor == "postgresql":
        # Hold the round while we submit: a close waits for us, or we see it closed.
        rounds = Round.objects.raw(
            "SELECT * FROM surveys_round WHERE id = %s FOR SHARE", [participant.round_id]
        )
    (round_,) = rounds
    check_accepting(round_)
    # Scoring stores the score snapshot, or refuses with AnswersMissing.
    response_submitted.send(sender=Response, response=response)
    return response_mark_submitted(response=response, submitted_at=timezone.now())


# The response and its participant marked submitted, in one statement, after the
# data-modifying statements the hook left for it ({writes}: "name AS (statement), ").
MARK_SUBMITTED_SQL = """WITH {writes}submitted AS (
    UPDATE surveys_response SET status = %s, submitted_at = %s, total_points = %s,
        max_points = %s
    WHERE id = %s RETURNING participant_id
)
UPDATE surveys_participant SET submitted_at = %s
WHERE id IN (SELECT participant_id FROM submitted)"""


def response_mark_submitted(*, response: Response, submitted_at) -> Response:
    """Mark a response (and its participant) submitted, with the total the response_submitted
    hook (scoring) has set on it; on PostgreSQL, in the same statement as the writes the hook
    left in `response.pending_writes` (see `response_submit`)."""
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = submitted_at
    if connection.vendor == "postgresql":  # every row in one statement
        pending = getattr(response, "pending_writes", None) or []
        writes = "".join(f"write{n} AS ({sql}), " for n, (sql, _) in enumerate(pending))
        moment = connection.ops.adapt_datetimefield_value(submitted_at)
        with connection.cursor() as cursor:
            cursor.execute(
                MARK_SUBMITTED_SQL.format(writes=writes),
                [
                    *(param for _, params in pending for param in params),
                    ResponseStatus.SUBMITTED.value,
                    moment,
                    response.total_points,
                    response.max_points,
                    response.pk,
                    moment,
                ],
            )
        return response
    response.save(update_fields=["status", "submitted_at", "total_points", "max_points"])
    Participant.objects.filter(pk=response.participant_id).update(submitted_at=submitted_at)
    return response
