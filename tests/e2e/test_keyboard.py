"""Keyboard only: a respondent answers the whole LLMOps survey and submits it, without a mouse.

Only page.keyboard moves focus and acts (Tab, Shift+Tab, Space, arrow keys, Enter); the test
reads the page (which element has focus, whether it shows a focus indicator) but never clicks.
"""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.core.tokens import hash_token
from apps.surveys import round_selectors, round_services
from apps.surveys.models import Participant, Response, ResponseStatus

pytestmark = pytest.mark.e2e

IS_FOCUSED = "element => element === document.activeElement"
CONTAINS_FOCUS = "element => element.contains(document.activeElement)"
# A keyboard user must see where the focus is: an outline or Bootstrap's focus ring.
SHOWS_FOCUS = """element => {
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return element.matches(":focus-visible") && (outline || style.boxShadow !== "none");
}"""


def tab_to(page, target, *, key="Tab", check=IS_FOCUSED, limit=50) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus; fail if it never gets it."""
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate(check):
            return
    raise AssertionError(f"{target} cannot be reached with {key} ({limit} presses)")


def assert_focus_visible(page, what: str) -> None:
    focused = page.locator("*:focus")
    expect(focused).to_be_visible()
    assert focused.evaluate(SHOWS_FOCUS), f"{what} has the focus but shows no focus indicator"


def press_and_save(page, key: str) -> None:
    """Press a key that picks an answer, and wait for its autosave before the next key."""
    with page.expect_response(lambda r: "/answer/" in r.url and r.request.method == "POST") as r:
        page.keyboard.press(key)
    assert r.value.ok, f"autosave after {key} answered {r.value.status}"


def choose(page, question, index: int) -> None:
    """In the focused radio group, check the `index`-th answer: Space, then arrow keys."""
    press_and_save(page, "Space")
    for _ in range(index):
        press_and_save(page, "ArrowDown")
    expect(question.get_by_text("Saved", exact=True)).to_be_visible()
    radio = question.get_by_role("radio").nth(index)
    expect(radio).to_be_checked()
    expect(radio).to_be_focused()


def test_a_respondent_answers_and_submits_the_survey_with_the_keyboard_only(
    live_server, transactional_db, browser, round_
):
    participant = Participant(round=round_, email="kim@example.com", public_id=uuid.uuid4())
    token = round_services.participant_token(participant)
    participant.token_hash = hash_token(token)
    participant.invited_at = timezone.now()
    participant.save()
    pages = round_selectors.dimension_pages(round_.bank_id)
    questions = [question for page_ in pages for question in page_["questions"]]
    assert len(pages) == 2 and len(questions) == 14  # the LLMOps bank
    # Question n gets its (n mod 3)-th answer; the first question is corrected later, to the 3rd.
    expected = {q.pk: list(q.choices.all())[n % 3].pk for n, q in enumerate(questions)}
    expected[questions[0].pk] = list(questions[0].choices.all())[2].pk

    page = browser.new_context().new_page()
    page.goto(live_server.url + reverse("surveys:intro", args=[token]))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    start = page.get_by_role("link", name="Start")
    tab_to(page, start)
    assert_focus_visible(page, "The Start link")
    page.keyboard.press("Enter")

    number = 0
    for page_number, page_ in enumerate(pages, start=1):
        expect(page.get_by_text(f"Page {page_number} of 2")).to_be_visible()
        fieldsets = page.locator("fieldset")
        expect(fieldsets).to_have_count(len(page_["questions"]))
        for index in range(len(page_["questions"])):
            question = fieldsets.nth(index)
            tab_to(page, question, check=CONTAINS_FOCUS)  # into the group: its first answer
            expect(question.get_by_role("radio").first).to_be_focused()
            if number == 0:
                assert_focus_visible(page, "A radio button")
            choose(page, question, number % 3)
            number += 1
        if page_number == 1:
            # Shift+Tab back to the first question's answer (past the questions' comment and
            # evidence fields) and change it with the arrow keys, from the 1st to the 3rd.
            first = fieldsets.first
            tab_to(page, first.get_by_role("radio").first, key="Shift+Tab")
            press_and_save(page, "ArrowDown")
            press_and_save(page, "ArrowDown")
            expect(first.get_by_role("radio").nth(2)).to_be_checked()
        name = "Next page" if page_number < len(pages) else "Review answers"
        tab_to(page, page.get_by_role("button", name=name))
        assert_focus_visible(page, f"The {name} button")
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    expect(page.get_by_text("Everything is answered")).to_be_visible()
    submit = page.get_by_role("button", name="Submit my answers")
    tab_to(page, submit)
    assert_focus_visible(page, "The Submit button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you, your answers are in")).to_be_visible()

    response = Response.objects.get(participant=participant)
    assert response.status == ResponseStatus.SUBMITTED
    assert response.submitted_at is not None
    assert dict(response.answers.values_list("question_id", "choice_id")) == expected
    participant.refresh_from_db()
    assert participant.submitted_at is not None
