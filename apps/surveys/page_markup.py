"""The answering page's questions, written out directly rather than by a template loop: the
same markup as the loop in surveys/page.html was, a third of a page's time at ten questions.

Each radio's unchanging parts (`head`, `tail`, `label_html`) are built once per bank by
`round_selectors.dimension_pages`; here go what changes per respondent: the links (with their
token), which radio is checked, the notes as saved or as typed, and why a note was refused.
Every text from the bank or the respondent is escaped.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

EVIDENCE_HINT = (
    "A web page that shows it (a wiki page, a dashboard, a pull request): http:// or https:// only."
)


def _radios(options, chosen, answer_url: str) -> str:
    return "".join(
        '\n        <div class="form-check mb-1">\n'
        f'          <input class="form-check-input" {option["head"]}'
        f"{' checked' if chosen == option['value'] else ''}\n"
        f'                 hx-post="{answer_url}" {option["tail"]}>\n'
        f"          {option['label_html']}\n"
        "        </div>\n        "
        for option in options
    )


def _status(message) -> str:
    return f'<span class="text-danger">Not saved: {escape(message)}</span>' if message else ""


def question_fieldset(question, saved, refused, answer_url: str, note_url: str) -> str:
    """One question of the page: its radios, its note fields and their status lines."""
    saved = saved or {}
    messages = (refused or {}).get("messages") or {}
    comment_error, evidence_error = messages.get("comment"), messages.get("evidence_url")
    q, code = question.key, escape(question.code)
    opened = saved.get("comment") or saved.get("evidence_url") or refused
    help_ = (
        f'<p class="small text-body-secondary mb-2" id="help-{q}">{escape(question.help)}</p>'
        if question.help
        else ""
    )
    asides = ""
    if question.asides:
        asides = (
            '\n        <div class="answer-aside" role="group" aria-label="Other answers to '
            f'{code} (they do not score)">\n        '
            f"{_radios(question.asides, saved.get('value'), answer_url)}\n        </div>\n        "
        )
    return (
        f'\n    <fieldset class="card mb-3" id="question-{code}">\n'
        '      <div class="card-body">\n'
        f'        <legend class="h6 mb-1"><span class="text-body-secondary">{code}</span> '
        f"{escape(question.text)}</legend>\n"
        f"        {help_}\n        "
        f"{_radios(question.options, saved.get('value'), answer_url)}\n        "
        f"{asides}\n"
        f'        <div class="small mt-1" id="saved-{q}" aria-live="polite"></div>\n'
        f'        <details class="answer-note mt-2"{" open" if opened else ""}>\n'
        '          <summary class="small">Comment or evidence <span class="text-body-secondary">'
        "(optional, shown to the team without your name)</span></summary>\n"
        '          <div class="mt-2">\n'
        f'            <label class="form-label small mb-1" for="comment-{q}">Comment</label>\n'
        '            <textarea class="form-control form-control-sm'
        f'{" is-invalid" if comment_error else ""}" id="comment-{q}" name="comment-{q}" '
        'rows="2" maxlength="1000"\n'
        f'                      hx-post="{note_url}" hx-params="comment-{q}" '
        'hx-trigger="input changed delay:800ms, change, answer-saved from:closest fieldset" '
        f'hx-target="#comment-status-{q}" hx-swap="innerHTML"\n'
        f'                      aria-describedby="comment-status-{q}"'
        f"{' aria-invalid="true"' if comment_error else ''}>"
        f"{escape(saved.get('comment') or '')}</textarea>\n"
        f'            <div class="small mt-1 mb-2" id="comment-status-{q}" aria-live="polite">'
        f"{_status(comment_error)}</div>\n"
        f'            <label class="form-label small mb-1" for="evidence-{q}">'
        "Evidence link</label>\n"
        '            <input class="form-control form-control-sm'
        f'{" is-invalid" if evidence_error else ""}" type="text" inputmode="url" '
        f'autocomplete="url" id="evidence-{q}" name="evidence-{q}" maxlength="500" '
        f'placeholder="https://…" value="{escape(saved.get("evidence_url") or "")}"\n'
        f'                   hx-post="{note_url}" hx-params="evidence-{q}" '
        'hx-trigger="change, answer-saved from:closest fieldset" '
        f'hx-target="#evidence-status-{q}" hx-swap="innerHTML"\n'
        f'                   aria-describedby="evidence-hint-{q} evidence-status-{q}"'
        f"{' aria-invalid="true"' if evidence_error else ''}>\n"
        f'            <div class="form-text mt-0" id="evidence-hint-{q}">{EVIDENCE_HINT}</div>\n'
        f'            <div class="small mt-1" id="evidence-status-{q}" aria-live="polite">'
        f"{_status(evidence_error)}</div>\n"
        "          </div>\n"
        "        </details>\n"
        "      </div>\n"
        "    </fieldset>\n    "
    )


def page_questions(
    questions, answers: dict, errors: dict, *, answer_url: str, note_url: str
) -> SafeString:
    """Every question of the page, in order."""
    answer_url, note_url = escape(answer_url), escape(note_url)
    return mark_safe(  # every text escaped above; the radios' parts were built escaped
        "".join(
            question_fieldset(
                question, answers.get(question.pk), errors.get(question.pk), answer_url, note_url
            )
            for question in questions
        )
    )
