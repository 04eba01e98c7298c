"""The respondent's pages, reached through a personal link: no account needed."""

import zoneinfo
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from apps.core.ratelimit import by_link, guard_links, limit
from apps.surveys import answer_notes, bank_preview, page_markup, round_selectors, round_services
from apps.surveys.models import AnswerKind
from apps.surveys.round_services import (
    AnsweringError,
    AnswerInput,
    AnswersMissing,
    LinkExpired,
    LinkRevoked,
)


def participant_view(view=None, *, answers: bool = False, fast=None):
    """Resolve the link's token (404 if forged) and turn refusals into a clear page.

    The link's participant, round, team, organization and bank come in one statement
    (`round_selectors.link_participant`), with the saved answers (`participant.saved`) for a
    view that asks for them. `fast(request, token)`, when given, may answer first without any
    lookup (an autosave written straight through the link); None goes on as usual.
    Unknown links count against the caller's address (guessing); each link has its own budget.
    """
    if view is None:
        return lambda view: participant_view(view, answers=answers, fast=fast)

    @never_cache
    @guard_links("link-guess")
    @limit("survey-link", key=by_link, methods=None)
    @wraps(view)
    def wrapped(request, token, *args, **kwargs):
        if fast is not None:
            response = fast(request, token)
            if response is not None:
                return response
        participant = round_selectors.link_participant(token, answers=answers)
        if participant is None:
            return render(
                request,
                "surveys/problem.html",
                {
                    "heading": "This link is not valid",
                    "message": "Check that you copied the whole link from your e-mail, "
                    "or ask your team lead for a new invitation.",
                },
                status=404,
            )
        try:
            with timezone.override(
                zoneinfo.ZoneInfo(participant.round.team.organization.time_zone)
            ):
                # A revoked or expired link shows nothing, on every page (410).
                round_services.check_link(participant)
                return view(request, participant, token, *args, **kwargs)
        except AnsweringError as error:
            if request.htmx:
                return HttpResponse(
                    f'<span class="text-danger">{error.message}</span>', status=error.status
                )
            return _problem(request, participant, error)

    return wrapped


def _problem(request, participant, error):
    link_gone = isinstance(error, LinkRevoked | LinkExpired)
    context = {
        # A dead link says why, and nothing about the round's dates.
        "round": None if link_gone else participant.round,
        "team": participant.round.team,
        "heading": getattr(error, "heading", None)
        or {
            403: "Not open yet",
            409: "Already submitted",
            410: "This survey has closed",
        }.get(error.status, "That did not work"),
        "message": error.message,
    }
    return render(request, "surveys/problem.html", context, status=error.status)


def _submitted(participant) -> bool:
    return participant.submitted_at is not None


# The note fields of a question on the answering page: comment-<id> and evidence-<id>.
NOTE_FIELDS = {"comment": answer_notes.COMMENT, "evidence": answer_notes.EVIDENCE_URL}


def _check_can_answer(participant):
    round_services.check_accepting(participant.round)


def _answered(bank: round_selectors.BankPages, saved: dict) -> int:
    """How many of the bank's questions have an answer (N/A and don't know count, DESIGN §3)."""
    return sum(1 for question_id in bank.page_of if _is_answered(saved, question_id))


def _is_answered(saved: dict, question_id: int) -> bool:
    return saved.get(question_id, {}).get("kind") is not None


def _percent(bank: round_selectors.BankPages, saved: dict) -> int:
    """The progress bar: the share of questions answered, not of pages."""
    count = bank.question_count
    return round(100 * _answered(bank, saved) / count) if count else 0


def _first_unanswered_page(bank: round_selectors.BankPages, saved: dict) -> int | None:
    """The number of the first page with a question not answered yet; None when all are."""
    for number, question_ids in enumerate(bank.question_ids, start=1):
        if not all(_is_answered(saved, question_id) for question_id in question_ids):
            return number
    return None


@participant_view(answers=True)
@require_GET
def intro(request, participant, token):
    if _submitted(participant):
        return redirect("scoring:done", token=token)
    round_ = participant.round
    bank = round_selectors.bank_pages(round_.bank)
    answered = _answered(bank, participant.saved)
    if round_.is_over():
        # Closed reads as closed, as its question pages do (410); the draft stays as it is.
        raise round_services.RoundClosed(
            "This survey has closed. Your saved answers are kept."
            if answered
            else "It no longer takes answers."
        )
    resume = _first_unanswered_page(bank, participant.saved)
    context = {
        "round": round_,
        "token": token,
        "pages": bank.pages,
        "question_count": bank.question_count,
        "minutes": bank_preview.minutes_to_answer(bank.question_count),
        "answered": answered,
        # "Continue" opens the first page with a question left; all answered: the review.
        "continue_url": reverse("surveys:page", args=[token, resume or 1])
        if resume or not answered
        else reverse("surveys:review", args=[token]),
        "accepting": round_.is_accepting_answers(),
        "not_open_yet": round_.has_not_opened(),
    }
    return render(request, "surveys/intro.html", context)


@participant_view(answers=True)
@require_http_methods(["GET", "POST"])
def page(request, participant, token, number):
    if _submitted(participant):
        return redirect("scoring:done", token=token)
    _check_can_answer(participant)
    bank = round_selectors.bank_pages(participant.round.bank)
    if not 1 <= number <= len(bank.pages):
        return redirect("surveys:page", token=token, number=1)
    answers = participant.saved
    errors: dict[int, dict[str, str]] = {}
    if request.method == "POST":  # "Next": save what changed on the page, then go on
        errors, written = _save_page(
            request.POST, participant, bank.question_ids[number - 1], answers
        )
        if not errors:
            if number < len(bank.pages):
                return redirect("surveys:page", token=token, number=number + 1)
            return redirect("surveys:review", token=token)
        if written:  # what was saved shows as saved
            answers = round_selectors.participant_answers(participant)
        for question_id, refused in errors.items():  # what was typed stays on the page
            answers.setdefault(question_id, {}).update(refused["typed"])
    context = {
        "round": participant.round,
        "bank": participant.round.bank,
        "token": token,
        "page": bank.pages[number - 1],
        "number": number,
        "page_count": len(bank.pages),
        "percent": _percent(bank, answers),
        "answered": _answered(bank, answers),
        "answered_elsewhere": _answered(bank, answers)
        - sum(1 for q in bank.question_ids[number - 1] if _is_answered(answers, q)),
        "question_count": bank.question_count,
        "questions": page_markup.page_questions(
            bank.pages[number - 1]["questions"],
            answers,
            errors,
            answer_url=reverse("surveys:answer", args=[token]),
            note_url=reverse("surveys:note", args=[token]),
        ),
    }
    return render(request, "surveys/page.html", context, status=400 if errors else 200)


def _save_page(data, participant, question_ids, saved) -> tuple[dict[int, dict], set[int]]:
    """Save what differs on the page from what is `saved` (with htmx, the answers were saved
    as they were chosen): the answers and notes of all its questions in one statement.
    ({question id: {"messages", "typed"}} of the notes that could not be saved, the ids of the
    questions written)."""
    errors: dict[int, dict] = {}

    def refuse(question_id, field, typed, error):
        refused = errors.setdefault(question_id, {"messages": {}, "typed": {}})
        refused["messages"][field] = error.message
        refused["typed"][field] = typed

    changes = []
    for question_id in question_ids:
        before = saved.get(question_id)
        change = {}
        choice_id = data.get(f"q-{question_id}")
        if choice_id and (before is None or before["value"] != choice_id):
            change["choice_id"] = choice_id
        for prefix, field in NOTE_FIELDS.items():
            typed = data.get(f"{prefix}-{question_id}")
            if typed is None:
                continue
            try:
                value = answer_notes.clean_note(field, typed)
            except answer_notes.InvalidNote as error:
                refuse(question_id, field, typed, error)
                continue
            if value == (before[field] if before else ""):
                continue  # saved so already
            if before is None and not choice_id:
                refuse(question_id, field, typed, answer_notes.NoAnswerYet())
                continue
            change[field] = value
        if change:
            changes.append(AnswerInput(question_id, **change))
    written = round_services.answers_save(participant=participant, answers=changes)
    return errors, written


def _autosave_by_link(request, token):
    """The autosave's usual case in one statement: written straight through the link
    (`round_services.answers_save_by_link`). Anything else (nothing written: a refusal, an
    unknown link, saved so already) goes the usual way, which says why."""
    keys = _answer_keys(request)
    if len(keys) != 1:
        return None
    change = AnswerInput(keys[0][2:], request.POST[keys[0]])
    written = round_services.answers_save_by_link(token=token, answers=[change])
    if not written:
        if written is not None:  # tried: the view asks why rather than trying again
            request.tried_by_link = [change]
        return None
    return _saved_answer(request, keys[0][2:])


def _answer_keys(request) -> list[str]:
    keys = [key for key in request.POST if key.startswith("q-")]
    if request.htmx and request.htmx.trigger_name in keys:
        keys = [request.htmx.trigger_name]  # the radio that changed, whatever else was sent
    return keys


def _saved_answer(request, question_id) -> HttpResponse:
    saved = HttpResponse('<span class="text-success">Saved</span>')
    # A note typed before its answer (refused then: "choose an answer first") saves now,
    # through its own field, which listens for this. Empty note fields have nothing to save:
    # they are not asked (unless the page did not say what they hold).
    notes = [request.POST.get(f"{prefix}-{question_id}") for prefix in NOTE_FIELDS]
    if any(note is None or note.strip() for note in notes):
        return trigger_client_event(saved, "answer-saved")
    return saved


@participant_view(fast=_autosave_by_link)
@require_POST
def answer(request, participant, token):
    """Autosave one answer as it is chosen (htmx): posts q-<question id>=<choice id>, and the
    question's notes (comment-<id>, evidence-<id>) as they stand in the page."""
    keys = _answer_keys(request)
    if len(keys) != 1:
        raise round_services.InvalidAnswer("Send exactly one answer.")
    question_id = keys[0][2:]
    tried = getattr(request, "tried_by_link", None)
    if tried is not None:
        round_services.answers_save_refused(participant=participant, answers=tried)
    else:
        round_services.answer_save(
            participant=participant, question_id=question_id, choice_id=request.POST[keys[0]]
        )
    return _saved_answer(request, question_id)


def _note_keys(request) -> list[str]:
    return [key for key in request.POST if key.partition("-")[0] in NOTE_FIELDS]


def _note_by_link(request, token):
    """A note's usual case in one statement, as `_autosave_by_link`."""
    keys = _note_keys(request)
    if len(keys) != 1:
        return None
    prefix, _, question_id = keys[0].partition("-")
    field = NOTE_FIELDS[prefix]
    try:
        value = answer_notes.clean_note(field, request.POST[keys[0]])
    except answer_notes.InvalidNote:
        return None  # said the usual way
    change = AnswerInput(question_id, **{field: value})
    written = round_services.answers_save_by_link(token=token, answers=[change])
    if not written:
        if written is not None:  # tried: the view asks why rather than trying again
            request.tried_by_link = [change]
        return None
    return _note_saved(field)


def _note_saved(field) -> HttpResponse:
    what = "Comment" if field == answer_notes.COMMENT else "Evidence link"
    return HttpResponse(f'<span class="text-success">{what} saved</span>')


@participant_view(fast=_note_by_link)
@require_POST
def note(request, participant, token):
    """Autosave a comment or evidence link as it is typed (htmx): posts comment-<question id>
    or evidence-<question id>. Nothing changed: 204 (the status line stays as it is)."""
    keys = _note_keys(request)
    if len(keys) != 1:
        raise round_services.InvalidAnswer("Send exactly one note.")
    prefix, _, question_id = keys[0].partition("-")
    field = NOTE_FIELDS[prefix]
    tried = getattr(request, "tried_by_link", None)
    if tried is not None:
        changed = round_services.answers_save_refused(participant=participant, answers=tried)
    else:
        changed = answer_notes.answer_note_save(
            participant=participant,
            question_id=question_id,
            field=field,
            value=request.POST[keys[0]],
        )
    if not changed:
        return HttpResponse(status=204)
    return _note_saved(field)


@participant_view(answers=True)
@require_GET
def review(request, participant, token):
    if _submitted(participant):
        return redirect("scoring:done", token=token)
    _check_can_answer(participant)
    return _render_review(request, participant, token, participant.saved)


def _render_review(request, participant, token, answers, missing_codes=(), status=200):
    bank = round_selectors.bank_pages(participant.round.bank)
    # Each page's link reversed once; a question's is its page's with an anchor.
    page_urls = [reverse("surveys:page", args=[token, n]) for n in range(1, len(bank.pages) + 1)]
    rows = []
    for number, page_ in enumerate(bank.pages, start=1):
        for question in page_["questions"]:
            saved = answers.get(question.pk, {})
            rows.append(
                {
                    "url": f"{page_urls[number - 1]}#question-{question.code}",
                    "dimension": page_["dimension"],
                    "question": question,
                    "answer": _answer_text(question, saved),
                    "kind": saved.get("kind"),
                    "comment": saved.get("comment", ""),
                    "evidence_url": saved.get("evidence_url", ""),
                }
            )
    context = {
        "round": participant.round,
        "token": token,
        "rows": rows,
        "missing": [row for row in rows if row["answer"] is None],
        "flagged": set(missing_codes),
        # "Back": to the last question page, where "Review answers" came from.
        "back_url": page_urls[-1] if page_urls else reverse("surveys:intro", args=[token]),
    }
    return render(request, "surveys/review.html", context, status=status)


def _answer_text(question, saved: dict) -> str | None:
    """What the respondent answered, in words: the option's text, "Not applicable" or "I don't
    know"; None when unanswered. N/A and don't know count as answered (DESIGN §3)."""
    kind = saved.get("kind")
    if kind is None:
        return None
    if kind != AnswerKind.CHOICE:
        return AnswerKind(kind).label
    return question.choice_labels.get(saved["choice_id"])


@participant_view
@require_POST
def submit(request, participant, token):
    try:
        round_services.response_submit(participant=participant)
    except AnswersMissing as missing:
        answers = round_selectors.participant_answers(participant)
        return _render_review(request, participant, token, answers, missing.codes, status=400)
    return redirect("scoring:done", token=token)


@login_required
@require_GET
def my_surveys(request):
    # Links relative to the site the person is on; SITE_URL is for e-mails only.
    participations = [
        (p, reverse("surveys:intro", args=[round_services.participant_token(p)]))
        for p in round_selectors.my_pending_participations(request.user)
    ]
    return render(request, "surveys/my_surveys.html", {"participations": participations})
