"""The respondent's pages in Chromium at a phone's width (390 px) and a laptop's (1366 px):
introduction, a question page half answered, the review, the thank-you page, and a closed
round's introduction. None scrolls sideways; the progress bar follows the answers as they are
saved. Screenshots go to $RESPONDENT_SCREENSHOTS when it is set (to look at them)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.surveys.models import Round, RoundStatus
from tests.factories import RoundFactory, published_bank
from tests.scenarios import invite

pytestmark = pytest.mark.e2e

WIDTHS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 800}}
WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def look(page, name: str) -> None:
    scroll, inner = page.evaluate(WIDTH)
    assert scroll <= inner, f"{name} scrolls sideways: {scroll} px in {inner} px"
    folder = os.environ.get("RESPONDENT_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_respondent_pages_fit_and_the_progress_follows_the_answers(
    live_server, page, team, width
):
    round_ = RoundFactory(team=team, bank=published_bank("llmops"), title="Spring check")
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    page.set_viewport_size(WIDTHS[width])
    url = f"{live_server.url}{reverse('surveys:intro', args=[token])}"
    page.goto(url)
    look(page, f"{width}-intro")
    page.get_by_role("link", name="Start").click()
    bar = page.locator("#survey-progress")
    questions = page.locator("fieldset")
    for index in range(4):
        with page.expect_response(lambda r: "/answer/" in r.url):
            questions.nth(index).get_by_role("radio").nth(1).check()
        expect(questions.nth(index).get_by_text("Saved", exact=True)).to_be_visible()
    expect(page.locator("#progress-text")).to_have_text("4 of 14 answered")
    assert bar.get_attribute("value") == str(round(100 * 4 / 14))
    look(page, f"{width}-page")
    for index in range(4, 7):
        questions.nth(index).get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Next page").click()
    expect(page.locator("#progress-text")).to_have_text("7 of 14 answered")
    for index in range(7):
        questions.nth(index).get_by_role("radio").nth(2).check()
    page.get_by_role("button", name="Review answers").click()
    look(page, f"{width}-review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you, your answers are in")).to_be_visible()
    expect(page.get_by_text("What the levels mean")).to_be_visible()
    look(page, f"{width}-done")
    closed = RoundFactory(team=team, bank=published_bank("llmops"), title="Autumn check")
    bo = invite(closed, ["bo@example.com"])["bo@example.com"]
    Round.objects.filter(pk=closed.pk).update(status=RoundStatus.CLOSED, closed_at=timezone.now())
    response = page.goto(f"{live_server.url}{reverse('surveys:intro', args=[bo])}")
    assert response.status == 410
    expect(page.get_by_role("heading", name="This survey has closed")).to_be_visible()
    look(page, f"{width}-closed")
