"""A failed autosave never looks saved: the person reads why, next to the question."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.surveys.models import Answer, Round, RoundStatus

pytestmark = pytest.mark.e2e


def test_a_round_closed_under_the_page_and_a_lost_connection_are_both_told(
    live_server, transactional_db, browser, round_, invite
):
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    page = browser.new_context().new_page()
    page.goto(live_server.url + reverse("surveys:page", args=[token, 1]))
    first, second, third = (page.locator("fieldset").nth(n) for n in range(3))

    first.get_by_role("radio").nth(1).check()
    expect(first.get_by_text("Saved", exact=True)).to_be_visible()

    # The lead closes the round while the page is open.
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED, closed_at=timezone.now())
    second.get_by_role("radio").nth(1).check()
    expect(second.get_by_text("Not saved: This survey has closed.")).to_be_visible()
    expect(second.get_by_text("Saved", exact=True)).to_have_count(0)

    # The network drops: the request never reaches the server.
    page.context.set_offline(True)
    third.get_by_role("radio").nth(1).check()
    expect(third.get_by_text("Not saved: no connection.")).to_be_visible()
    page.context.set_offline(False)

    assert Answer.objects.count() == 1  # only the first answer, saved before the close
