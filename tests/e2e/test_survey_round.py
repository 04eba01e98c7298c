"""A lead runs a round; three colleagues answer from their e-mails (one leaves and resumes)."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.organizations.models import Role
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e

COLLEAGUES = ["ana@example.com", "ben@example.com", "cleo@example.com"]


def wait_for_links(emails, timeout=20.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        links = {}
        for message in mail.outbox:
            found = re.search(r"https?://\S+/s/[\w-]+/", message.body)
            if found and message.to[0] in emails:
                links[message.to[0]] = found.group(0)
        if len(links) == len(emails):
            return links
        time.sleep(0.1)
    raise AssertionError(f"invitation e-mails did not all arrive within {timeout}s")


def answer_questions(page, count=None, points=1):
    """Choose the answer worth `points` for the first `count` questions of the page (autosaved)."""
    questions = page.locator("fieldset")
    total = questions.count() if count is None else count
    for index in range(total):
        question = questions.nth(index)
        radio = question.get_by_role("radio").nth(points)
        if radio.is_checked():  # answered before leaving: still there
            continue
        radio.check()
        expect(question.get_by_text("Saved", exact=True)).to_be_visible()


def answer_survey(browser, link, *, stop_after=None):
    page = browser.new_context().new_page()
    page.goto(link)
    start = page.get_by_role("link", name=re.compile("Start|Continue where you left off"))
    start.click()
    for page_number in (1, 2):
        expect(page.get_by_text(f"Page {page_number} of 2")).to_be_visible()
        if stop_after is not None:
            answer_questions(page, count=stop_after)
            page.context.close()  # leaves half-way
            return None
        answer_questions(page)
        page.get_by_role("button", name=re.compile("Next page|Review answers")).click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you, your answers are in")).to_be_visible()
    return page


def test_lead_runs_a_round_and_three_colleagues_answer(
    live_server, celery_worker, browser, settings
):
    settings.SITE_URL = live_server.url
    lead_user = UserFactory(email="lead@example.com", name="Lina Lead")
    membership = MembershipFactory(user=lead_user, role=Role.LEAD)
    team = TeamFactory(organization=membership.organization, name="Search")
    TeamMembershipFactory(team=team, membership=membership, is_lead=True)

    lead = browser.new_page()
    lead.on("dialog", lambda dialog: dialog.accept())
    lead.goto(f"{live_server.url}/accounts/login/")
    lead.get_by_label("E-mail").fill("lead@example.com")
    lead.get_by_label("Password").fill(PASSWORD)
    lead.get_by_role("button", name="Log in").click()
    lead.get_by_role("link", name="Teams").click()
    lead.get_by_role("link", name="Search").click()
    lead.get_by_role("link", name="New round").click()
    lead.get_by_label("Title").fill("Search Q4")
    lead.get_by_role("button", name="Create round").click()
    expect(lead.get_by_text("Round “Search Q4” created")).to_be_visible()

    lead.get_by_label("E-mail addresses").fill(", ".join(COLLEAGUES))
    lead.get_by_role("button", name="Send invitations").click()
    expect(lead.get_by_text("Invited 3")).to_be_visible()
    expect(lead.locator("#progress")).to_contain_text("0 / 3")

    links = wait_for_links(COLLEAGUES)
    answer_survey(browser, links["ana@example.com"])
    answer_survey(browser, links["ben@example.com"], stop_after=3)  # leaves early (LLMOps v2: 20)
    expect(lead.locator("#progress")).to_contain_text("1 / 3", timeout=10_000)  # htmx refresh
    resumed = browser.new_context().new_page()  # ...and comes back later, elsewhere
    resumed.goto(links["ben@example.com"])
    resumed.get_by_role("link", name="Continue where you left off (3 of 20 answered)").click()
    radios = resumed.locator("fieldset input[type=radio]:checked")
    expect(radios).to_have_count(3)
    resumed.context.close()
    answer_survey(browser, links["ben@example.com"])
    last = answer_survey(browser, links["cleo@example.com"])
    # Open round: the team's result is withheld, only the count shows (nothing to difference).
    expect(last.get_by_text("3 submitted of 3 invited")).to_be_visible()
    expect(last.get_by_text("Average of 3 colleagues")).to_have_count(0)

    lead.reload()
    expect(lead.locator("#progress")).to_contain_text("3 / 3")
    lead.get_by_role("button", name="Close round").click()
    expect(lead.get_by_text("“Search Q4” is closed")).to_be_visible()
    expect(lead.get_by_text("Closed", exact=True)).to_be_visible()
    # Closed at its threshold: the respondent's page now shows the team.
    last.reload()
    expect(last.get_by_text("Average of 3 colleagues")).to_be_visible()
    last.screenshot(path="/tmp/e2e-thank-you.png", full_page=True)
    lead.screenshot(path="/tmp/e2e-round-closed.png", full_page=True)
