"""The maturity grid and the charts as Chromium lays them out (issue #16): on a 390 px phone no
text of any chart shown is under 11 px (its font size scaled by the width the SVG is drawn at
over its viewBox), the dashboard is one card per team and does not scroll sideways; on a laptop
the grid is at least 560 px wide and the team filter highlights one team and greys the rest."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.demo.seed import DEMO_PASSWORD, seed_demo
from apps.organizations.models import Team
from apps.surveys.models import Round, RoundStatus

pytestmark = pytest.mark.e2e

# The smallest chart text shown, in CSS px, over every visible chart on the page.
SMALLEST_CHART_TEXT = """() => {
  let smallest = Infinity;
  for (const svg of document.querySelectorAll("svg.chart")) {
    const width = svg.getBoundingClientRect().width;
    if (!width) continue;  // not shown at this width (the other drawing is)
    const scale = width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll("text")) {
      smallest = Math.min(smallest, parseFloat(text.getAttribute("font-size")) * scale);
    }
  }
  return smallest;
}"""


def log_in(browser, live_server, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("exec@contoso.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def test_charts_stay_legible_on_a_phone_and_the_grid_highlights_a_team(
    live_server, transactional_db, browser
):
    seed_demo()
    team = Team.objects.get(name="Support Copilot")
    round_ = Round.objects.filter(team=team, status=RoundStatus.CLOSED).latest("closes_at")
    slug = team.organization.slug
    pages = [
        reverse("scoring:dashboard", args=[slug]),
        reverse("scoring:team_history", args=[slug, team.public_id]),
        reverse("scoring:round_result", args=[slug, round_.public_id]),
    ]

    phone = log_in(browser, live_server, 390)
    for path in pages:
        phone.goto(live_server.url + path)
        assert phone.evaluate(SMALLEST_CHART_TEXT) >= 11, path
        assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    phone.goto(live_server.url + pages[0])
    # One card per team: each row of the heat map is a block as wide as the page's column.
    rows = phone.locator("table.heatmap tbody tr")
    expect(rows).to_have_count(8)
    assert rows.first.evaluate("row => getComputedStyle(row).display") == "block"
    expect(phone.locator(".chart-compact svg.maturity-grid")).to_be_visible()
    expect(phone.locator(".chart-wide svg.maturity-grid")).to_be_hidden()

    laptop = log_in(browser, live_server, 1366)
    laptop.goto(live_server.url + pages[0])
    grid = laptop.locator(".chart-wide svg.maturity-grid")
    expect(grid).to_be_visible()
    assert grid.bounding_box()["width"] >= 560
    assert laptop.evaluate(SMALLEST_CHART_TEXT) >= 11
    laptop.get_by_label("Highlight a team").select_option(label="Support Copilot")
    chosen = grid.locator(f'.grid-team[data-team="{team.public_id}"]')
    expect(chosen).not_to_have_class("grid-team is-dim")
    expect(grid.locator(".grid-team.is-dim")).to_have_count(7)
    # A click on another team's dot chooses it; a second click shows every team again.
    other = grid.locator(".grid-team", has_text="Fraud Signals")
    other.locator(".team-dot").click()
    expect(other).not_to_have_class("grid-team is-dim")
    expect(chosen).to_have_class("grid-team is-dim")
    other.locator(".team-dot").click()
    expect(grid.locator(".grid-team.is-dim")).to_have_count(0)
