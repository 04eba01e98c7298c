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
from apps.surveys import answer_notes, bank_preview, round_selectors, round_services
from apps.surveys.models import AnswerKind
from apps.surveys.round_services import (
    AnsweringError,
    AnswerInput,
    AnswersMissing,
    LinkExpired,
    LinkRevoked,
)


def participant_view(view):
    """Resolve the link's token (404 if forged) and turn refusals into a clear page.

    Unknown links count against the caller's address (guessing); each link has its own budget.
    """

    @never_cache
    @guard_links("link-guess")
    @limit("survey-link", key=by_link, methods=None)
    @wraps(view)
    def wrapped(request, token, *args, **kwargs):
        participant = round_services.participant_for_token(token)
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


@participant_view
@require_GET
def intro(request, participant, token):
    if _submitted(participant):
        return redirect("scoring:done", token=token)
    round_ = participant.round
    plan = round_selectors.answering_pages(participant)  # pages and answers in one read
    question_count = sum(len(page) for page in plan.pages)
    context = {
        "round": round_,
        "token": token,
        "pages": plan.pages,
        "question_count": question_count,
        "minutes": bank_preview.minutes_to_answer(question_count),
        "answered": len(plan.answers),
        "accepting": round_.is_accepting_answers(),
        "not_open_yet": round_.has_not_opened(),
    }
    return render(request, "surveys/intro.html", context)


@participant_view
@require_http_methods(["GET", "POST"])
def page(request, participant, token, number):
    if _submitted(participant):
        return redirect("scoring:done", token=token)
    _check_can_answer(participant)
    errors: dict[int, dict[str, str]] = {}
    if request.method == "POST":  # "Next": save what changed on the page, then go on
        plan = round_selectors.answering_pages(participant)
        if not 1 <= number <= len(plan.pages):
            return redirect("surveys:page", token=token, number=1)
        errors = _save_page(request.POST, participant, plan.pages[number - 1], plan.answers)
        if not errors:
            if number < len(plan.pages):
                return redirect("surveys:page", token=token, number=number + 1)
            return redirect("surveys:review", token=token)
    pages = round_selectors.dimension_pages(participant.round.bank_id)
    if not 1 <= number <= len(pages):
        return redirect("surveys:page", token=token, number=1)
    current = pages[number - 1]
    answers = round_selectors.participant_answers(participant)
    for question_id, refused in errors.items():  # what was typed stays on the page
        answers.setdefault(question_id, {}).update(refused["typed"])
    context = {
        "round": participant.round,
        "bank": participant.round.bank,
        "token": token,
        "page": current,
        "number": number,
        "page_count": len(pages),
        "percent": round(100 * (number - 1) / len(pages)),
        "answers": answers,
        "errors": errors,
    }
    return render(request, "surveys/page.html", context, status=400 if errors else 200)


def _save_page(data, participant, question_ids, saved) -> dict[int, dict]:
    """Save what differs on the page from what is `saved` (with htmx, the answers were saved
    as they were chosen): the answers and notes of all its questions in one statement.
    {question id: {"messages", "typed"}} of the notes that could not be saved."""
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
    round_services.answers_save(participant=participant, answers=changes)
    return errors


@participant_view
@require_POST
def answer(request, participant, token):
    """Autosave one answer as it is chosen (htmx): posts q-<question id>=<choice id>, and the
    question's notes (comment-<id>, evidence-<id>) as they stand in the page."""
    keys = [key for key in request.POST if key.startswith("q-")]
    if request.htmx and request.htmx.trigger_name in keys:
        keys = [request.htmx.trigger_name]  # the radio that changed, whatever else was sent
    if len(keys) != 1:
        raise round_services.InvalidAnswer("Send exactly one answer.")
    question_id = keys[0][2:]
    round_services.answer_save(
        participant=participant, question_id=question_id, choice_id=request.POST[keys[0]]
    )
    saved = HttpResponse('<span class="text-success">Saved</span>')
    # A note typed before its answer (refused then: "choose an answer first") saves now,
    # through its own field, which listens for this. Empty note fields have nothing to save:
    # they are not asked (unless the page did not say what they hold).
    notes = [request.POST.get(f"{prefix}-{question_id}") for prefix in NOTE_FIELDS]
    if any(note is None or note.strip() for note in notes):
        return trigger_client_event(saved, "answer-saved")
    return saved


@participant_view
@require_POST
def note(request, participant, token):
    """Autosave a comment or evidence link as it is typed (htmx): posts comment-<question id>
    or evidence-<question id>. Nothing changed: 204 (the status line stays as it is)."""
    keys = [key for key in request.POST if key.partition("-")[0] in NOTE_FIELDS]
    if len(keys) != 1:
        raise round_services.InvalidAnswer("Send exactly one note.")
    prefix, _, question_id = keys[0].partition("-")
    field = NOTE_FIELDS[prefix]
    changed = answer_notes.answer_note_save(
        participant=participant, question_id=question_id, field=field, value=request.POST[keys[0]]
    )
    if not changed:
        return HttpResponse(status=204)
    what = "Comment" if field == answer_notes.COMMENT else "Evidence link"
    return HttpResponse(f'<span class="text-success">{what} saved</span>')


@participant_view
@require_GET
def review(request, participant, token):
    if _submitted(participant):
        return redirect("scoring:done", token=token)
    _check_can_answer(participant)
    return _render_review(request, participant, token)


def _render_review(request, participant, token, missing_codes=(), status=200):
    pages = round_selectors.dimension_pages(participant.round.bank_id)
    answers = round_selectors.participant_answers(participant)
    rows = []
    for number, page_ in enumerate(pages, start=1):
        for question in page_["questions"]:
            saved = answers.get(question.pk, {})
            rows.append(
                {
                    "page": number,
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
    choice = next((c for c in question.choices.all() if c.pk == saved["choice_id"]), None)
    return choice.label if choice else None


@participant_view
@require_POST
def submit(request, participant, token):
    try:
        round_services.response_submit(participant=participant)
    except AnswersMissing as missing:
        return _render_review(request, participant, token, missing.codes, status=400)
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
