"""The demo executive reads the dashboard, narrows it to a team, opens its history, gets a CSV."""

import csv
import io

import pytest
from playwright.sync_api import expect

from apps.demo.seed import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.e2e


def test_executive_dashboard_filter_history_and_csv(live_server, transactional_db, browser):
    seed_demo()
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("exec@contoso.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Contoso AI: maturity dashboard")).to_be_visible()
    heatmap = page.locator("table.heatmap tbody tr")
    expect(heatmap).to_have_count(8)
    expect(
        page.get_by_role(
            "img", name="Maturity grid: Application maturity against Operational maturity"
        )
    ).to_be_visible()

    page.get_by_label("Team", exact=True).select_option(label="Knowledge Base")
    page.get_by_role("button", name="Apply").click()
    expect(heatmap).to_have_count(1)
    expect(heatmap.first).to_contain_text("Knowledge Base")

    heatmap.first.get_by_role("link", name="Knowledge Base").click()
    expect(page.get_by_role("heading", name="Knowledge Base: maturity over time")).to_be_visible()
    # Six rounds, below the row of the targets that apply now (the demo has targets).
    expect(page.locator("table tbody tr:not(.history-targets)")).to_have_count(6)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "knowledge-base-history.csv"
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0][:5] == ["team", "round", "closed", "bank", "bank_version"]
    assert len(rows) == 1 + 6 * 3  # six rounds: two dimensions and the total each
    assert {row[0] for row in rows[1:]} == {"Knowledge Base"}
    page.screenshot(path="/tmp/e2e-history.png", full_page=True)
