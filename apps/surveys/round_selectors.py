"""Reads for round pages: progress, the people invited, the answering pages, my surveys.

Scores are not read here: a person's own result is apps.scoring.own_result, the team's
`apps.scoring.selectors.round_team_result`.
"""

import json
import threading
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from apps.core.prepared import prepared_cursor
from apps.core.tokens import hash_token
from apps.organizations.models import Organization, Team
from apps.surveys.models import (
    Answer,
    AnswerKind,
    BankStatus,
    Participant,
    Question,
    QuestionBank,
    Round,
    RoundStatus,
)


@dataclass(frozen=True)
class Progress:
    invited: int
    submitted: int
    started: int
    pending_emails: list[str] | None  # None when the round is anonymous

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.invited) if self.invited else 0


def round_progress(round_: Round) -> Progress:
    counts = Participant.objects.filter(round=round_).aggregate(
        invited=Count("pk"),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        started=Count("pk", filter=Q(response__isnull=False, submitted_at__isnull=True)),
    )
    pending = None
    if not round_.anonymous:
        pending = list(
            Participant.objects.filter(round=round_, submitted_at__isnull=True)
            .order_by("email")
            .values_list("email", flat=True)
        )
    return Progress(pending_emails=pending, **counts)


def round_people(round_: Round) -> QuerySet[Participant]:
    """Everyone invited to a round, for the lead's people page (which hides, in an anonymous
    round, who submitted)."""
    return Participant.objects.filter(round=round_).order_by("email")


def team_rounds(team) -> QuerySet[Round]:
    return (
        Round.objects.filter(team=team)
        .select_related("bank")
        .annotate(
            invited=Count("participants", distinct=True),
            submitted=Count(
                "participants", filter=Q(participants__submitted_at__isnull=False), distinct=True
            ),
        )
        .order_by("-opens_at", "-pk")
    )


NA_HINT = "This practice does not apply to our team or product."
DK_HINT = "Choose this rather than guess; it shows the team where knowledge is missing."


def dimension_pages(bank_id: int) -> list[dict]:
    """The answering pages: one per dimension, its questions with their choices.

    Each question carries what its radios show, worked out once here rather than per render:
    `options` (its choices), `asides` (N/A, don't know; the bank's and the question's rule) and
    `choice_labels` (choice id: label, for the review)."""
    questions = (
        Question.objects.filter(bank_id=bank_id)
        .select_related("dimension", "bank")
        .prefetch_related("choices")
        .order_by("dimension__order", "order", "pk")
    )
    pages: dict[int, dict] = {}
    for question in questions:
        page = pages.setdefault(
            question.dimension_id, {"dimension": question.dimension, "questions": []}
        )
        question.key = mark_safe(str(question.pk))  # a number: nothing to escape
        choices = list(question.choices.all())
        question.options = [_option(question, "c", c.pk, str(c.pk), c.label) for c in choices]
        question.asides = []
        if question.allow_na:
            question.asides.append(
                _option(question, "na", question.pk, "na", "Not applicable", NA_HINT)
            )
        if question.bank.allow_dont_know:
            question.asides.append(
                _option(question, "dk", question.pk, "dk", "I don't know", DK_HINT)
            )
        question.choice_labels = {c.pk: c.label for c in choices}
        page["questions"].append(question)
    return list(pages.values())


def _option(question, prefix: str, key, value: str, label: str, hint: str = "") -> dict:
    """One radio of a question: the value it posts, and its markup that never changes (its
    attributes but the autosave's link and whether it is checked; its label and hint), built
    here once rather than at each render of the page."""
    described = [f"help-{question.pk}"] if question.help else []
    if hint:
        described.append(f"hint-{prefix}-{key}")
    option_id = f"{prefix}-{key}"
    head = format_html('type="radio" name="q-{}" id="{}" value="{}"', question.pk, option_id, value)
    tail = format_html(
        'hx-params="q-{0},comment-{0},evidence-{0}" hx-trigger="change" hx-target="#saved-{0}" '
        'hx-swap="innerHTML"',
        question.pk,
    )
    if described:
        tail += format_html(' aria-describedby="{}"', " ".join(described))
    label_html = format_html(
        '<label class="form-check-label" for="{}">{}</label>', option_id, label
    )
    if hint:
        label_html += format_html(
            '\n          <div class="form-text mt-0" id="hint-{}">{}</div>', option_id, hint
        )
    return {"value": value, "head": head, "tail": tail, "label_html": label_html}


@dataclass(frozen=True)
class BankPages:
    """A bank's answering pages (`dimension_pages`) and what the respondent's views look up in
    them: each question's page number, the question ids of each page, how many there are."""

    pages: list[dict]
    page_of: dict[int, int]  # question id: its page number (from 1)
    question_ids: list[list[int]]  # per page
    question_count: int


_bank_pages: dict[tuple, BankPages] = {}
_bank_pages_lock = threading.Lock()
BANK_PAGES_KEPT = 64  # published banks whose pages a process keeps


def bank_pages(bank: QuestionBank) -> BankPages:
    """The bank's answering pages. A published (or retired) bank never changes again, so its
    pages are read once per process and kept (the last BANK_PAGES_KEPT banks); a draft is read
    each time. The key holds the bank's creation and publication moments, so a bank that took
    the id of one deleted before (a test database) is never served the other's pages."""
    key = (bank.pk, bank.created_at, bank.published_at)
    if bank.status != BankStatus.DRAFT:
        found = _bank_pages.get(key)
        if found is not None:
            return found
    pages = dimension_pages(bank.pk)
    page_of = {q.pk: n for n, page in enumerate(pages, start=1) for q in page["questions"]}
    found = BankPages(
        pages=pages,
        page_of=page_of,
        question_ids=[[q.pk for q in page["questions"]] for page in pages],
        question_count=len(page_of),
    )
    if bank.status != BankStatus.DRAFT:
        with _bank_pages_lock:
            while len(_bank_pages) >= BANK_PAGES_KEPT:
                _bank_pages.pop(next(iter(_bank_pages)))
            _bank_pages[key] = found
    return found


def _saved(kind, choice_id, comment, evidence_url) -> dict:
    """A saved answer as the answering pages use it: the radio of an answer posts its value,
    the choice's id or "na" or "dk"."""
    return {
        "kind": kind,
        "choice_id": choice_id,
        "comment": comment,
        "evidence_url": evidence_url,
        "value": str(choice_id) if kind == AnswerKind.CHOICE else kind,
    }


def participant_answers(participant: Participant) -> dict[int, dict]:
    """The participant's saved answers by question id (`_saved`)."""
    rows = Answer.objects.filter(response__participant=participant).values_list(
        "question_id", "kind", "choice_id", "comment", "evidence_url"
    )
    return {question_id: _saved(*saved) for question_id, *saved in rows}


@dataclass(frozen=True)
class AnsweringPages:
    pages: list[list[int]]  # the question ids of each page, numbered as `dimension_pages` does
    answers: dict[int, dict]  # `participant_answers`


def answering_pages(participant: Participant) -> AnsweringPages:
    """What saving a page needs, in one read: which questions are on which page, and what the
    participant saved already (so that only what changed is written)."""
    order = connection.ops.quote_name("order")
    sql = (
        "SELECT q.id, q.dimension_id, a.kind, a.choice_id, a.comment, a.evidence_url "
        "FROM surveys_question q JOIN surveys_dimension d ON d.id = q.dimension_id "
        "LEFT JOIN surveys_response r ON r.participant_id = %s "
        "LEFT JOIN surveys_answer a ON a.response_id = r.id AND a.question_id = q.id "
        f"WHERE q.bank_id = %s ORDER BY d.{order}, q.{order}, q.id"
    )
    pages: dict[int, list[int]] = {}
    answers = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [participant.pk, participant.round.bank_id])
        for question_id, dimension_id, *saved in cursor.fetchall():
            pages.setdefault(dimension_id, []).append(question_id)
            if saved[0] is not None:
                answers[question_id] = _saved(*saved)
    return AnsweringPages(list(pages.values()), answers)


# --- The respondent's link: who, which round, and what they saved, in one statement

LINK_MODELS = (
    ("p", Participant),
    ("rd", Round),
    ("t", Team),
    ("o", Organization),
    ("b", QuestionBank),
)


@cache
def _link_columns(vendor: str) -> list[tuple]:
    """(model, field names, converters per field) in the order the link's statement selects
    them; the converters are the ones Django's compiler applies (a UUID or a moment on SQLite)."""
    found = []
    for alias, model in LINK_MODELS:
        names, converters = [], []
        for field in model._meta.concrete_fields:
            column = field.get_col(alias)
            names.append(field.attname)
            converters.append(
                [
                    (convert, column)
                    for convert in connection.ops.get_db_converters(column)
                    + column.get_db_converters(connection)
                ]
            )
        found.append((model, names, converters))
    return found


@cache
def _link_sql(vendor: str, answers: bool) -> str:
    """The link's statement, built once per process (building it costs more than running it)."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{quote(field.column)}"
        for alias, model in LINK_MODELS
        for field in model._meta.concrete_fields
    )
    saved = ""
    if answers:
        row = "a.question_id, a.kind, a.choice_id, a.comment, a.evidence_url"
        aggregate = (
            f"json_agg(json_build_array({row}))"
            if vendor == "postgresql"
            else f"json_group_array(json_array({row}))"
        )
        saved = (
            f", (SELECT {aggregate} FROM surveys_answer a JOIN surveys_response s "
            "ON s.id = a.response_id WHERE s.participant_id = p.id)"
        )
    return (
        f"SELECT {columns}{saved} FROM surveys_participant p "
        "JOIN surveys_round rd ON rd.id = p.round_id "
        f"JOIN {Team._meta.db_table} t ON t.id = rd.team_id "
        f"JOIN {Organization._meta.db_table} o ON o.id = t.organization_id "
        "JOIN surveys_questionbank b ON b.id = rd.bank_id "
        "WHERE p.token_hash = %s"
    )


def link_participant(token: str, *, answers: bool = False) -> Participant | None:
    """The participant of a link, with its round, team, organization and bank, in one
    statement; None for a link nobody has. With `answers`, `participant.saved` holds their
    saved answers by question id (`_saved`), read in the same statement."""
    with prepared_cursor() as cursor:  # on every request of the path: planned once
        cursor.execute(_link_sql(connection.vendor, answers), [hash_token(token or "")])
        row = cursor.fetchone()
    if row is None:
        return None
    objects, start = [], 0
    for model, names, converters in _link_columns(connection.vendor):
        values = list(row[start : start + len(names)])
        for index, chain in enumerate(converters):
            for convert, column in chain:
                values[index] = convert(values[index], column, connection)
        objects.append(model.from_db(connection.alias, names, values))
        start += len(names)
    participant, round_, team, organization, bank = objects
    team.organization = organization
    round_.team = team
    round_.bank = bank
    participant.round = round_
    if answers:
        rows = row[start]
        if isinstance(rows, str):  # SQLite's JSON is text
            rows = json.loads(rows)
        participant.saved = {question_id: _saved(*saved) for question_id, *saved in rows or ()}
    return participant


def my_pending_participations(user) -> QuerySet[Participant]:
    """Open rounds a logged-in person is invited to and has not submitted (in their orgs)."""
    return (
        Participant.objects.filter(Q(user=user) | Q(email=user.email))
        .filter(
            submitted_at__isnull=True,
            revoked_at__isnull=True,
            round__status=RoundStatus.OPEN,
            round__team__organization__memberships__user=user,
        )
        .select_related("round__team__organization", "round__bank")
        .order_by("round__closes_at")
        .distinct()
    )
