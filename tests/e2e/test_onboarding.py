"""A new customer signs up, builds a team, invites a colleague, who joins from the e-mail."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def wait_for_email(to: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if to in message.to:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {to} within {timeout}s (is the Celery worker running?)")


def test_sign_up_build_a_team_invite_and_the_colleague_joins(
    live_server, celery_worker, browser, settings
):
    settings.SITE_URL = live_server.url
    founder = browser.new_page()

    founder.goto(f"{live_server.url}/accounts/signup/")
    founder.get_by_label("Your name").fill("Fiona Founder")
    founder.get_by_label("Work e-mail").fill("fiona@example.com")
    founder.get_by_label("Password").fill("a-long-passphrase-2026")
    founder.get_by_label("Organization name").fill("Fabrikam")
    founder.get_by_role("button", name="Create account and organization").click()
    expect(founder.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    # The address is confirmed through the e-mailed link before the account can be used.
    confirmation = wait_for_email("fiona@example.com")
    founder.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0))
    founder.get_by_role("button", name="Confirm and log in").click()
    expect(founder.get_by_role("heading", name="Fabrikam")).to_be_visible()
    expect(founder.get_by_text("You are owner")).to_be_visible()

    founder.get_by_role("link", name="Teams").click()
    founder.get_by_label("Name").fill("Platform")
    founder.get_by_role("button", name="Create team").click()
    expect(founder.get_by_role("heading", name="Platform")).to_be_visible()
    expect(founder.get_by_text("Team Platform created")).to_be_visible()

    founder.get_by_role("link", name="Members").click()
    founder.get_by_label("E-mail address").fill("colleague@example.com")
    founder.get_by_label("Platform").check()
    founder.get_by_role("button", name="Send invitation").click()
    expect(founder.get_by_text("Invitation sent to colleague@example.com")).to_be_visible()
    expect(founder.get_by_text("Pending invitations")).to_be_visible()

    email = wait_for_email("colleague@example.com")
    assert "Fabrikam" in email.subject
    link = re.search(r"https?://\S+/invitations/\S+/", email.body).group(0)
    assert link.startswith(live_server.url)

    colleague = browser.new_context().new_page()  # another person, another browser
    colleague.goto(link)
    expect(colleague.get_by_role("heading", name="Join Fabrikam")).to_be_visible()
    colleague.get_by_role("link", name="Create account and join").click()
    expect(colleague.get_by_label("Work e-mail")).to_have_value("colleague@example.com")
    colleague.get_by_label("Your name").fill("Colin Colleague")
    colleague.get_by_label("Password").fill("another-long-passphrase")
    colleague.get_by_role("button", name="Create account and join").click()

    expect(colleague.get_by_text("Welcome! You are now a member of Fabrikam.")).to_be_visible()
    expect(colleague.get_by_role("heading", name="Your teams")).to_be_visible()
    expect(colleague.get_by_role("link", name=re.compile("Platform"))).to_be_visible()
    colleague.screenshot(path="/tmp/e2e-final.png", full_page=True)

    # The founder sees the invitation accepted: the colleague is a member, nothing is pending.
    founder.reload()
    expect(founder.get_by_text("colin colleague", exact=False).first).to_be_visible()
    expect(founder.get_by_text("No pending invitations.")).to_be_visible()
