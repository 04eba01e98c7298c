"""Figures are built once: a page and its PDF roadmap embed the same SVG, byte for byte, and
every surface shows a percentage rounded the same way (17.50 of 28 is 63%, never 62%)."""

import re
import subprocess

import pytest
from django.urls import reverse

from apps.organizations.models import Role
from apps.reports import services
from apps.reports.models import Report
from apps.reports.pdf import render_pdf
from tests.scenarios import points_totalling, submitted_round
from tests.support.downloads import read_csv

pytestmark = pytest.mark.django_db

# Respondents' totals out of 28: mean 17.50 (62.5%, Managed), median 18, min 14, max 20.
TOTALS = [14, 18, 18, 20]


def svg(html: str, ident: str) -> str:
    """The one SVG in `html` whose title has this id."""
    found = re.findall(
        rf'<svg [^>]*aria-labelledby="{ident}-title {ident}-desc".*?</svg>', html, re.S
    )
    assert len(found) == 1, f"{ident}: {len(found)} charts"
    return found[0]


def heatmap(html: str) -> str:
    found = re.findall(r'<table class="table align-middle heatmap">.*?</table>', html, re.S)
    assert len(found) == 1
    return found[0]


def svg_texts(chart: str) -> list[str]:
    return [t for t in re.findall(r"<text [^>]*>([^<]+)</text>", chart) if t.strip()]


def pdf_text(html: str, tmp_path) -> str:
    path = tmp_path / "roadmap.pdf"
    path.write_bytes(render_pdf(html))
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def report_html(scope: str, obj, user) -> str:
    """The roadmap's HTML as the worker hands it to WeasyPrint."""
    report = services.report_request(scope=scope, obj=obj, requested_by=user)
    return services.report_html(Report.objects.get(pk=report.pk))  # read afresh, as a worker does


def closed_round(team, *, days_ago: int, title: str, totals=TOTALS):
    """A closed round of `team` whose respondents scored `totals` (of 28) in all."""
    points = [points_totalling(total) for total in totals]
    return submitted_round(team=team, days_ago=days_ago, title=title, points=points)


@pytest.fixture
def executive(member_of):
    return member_of(Role.EXECUTIVE, email="exec@acme.example")


def test_round_page_and_pdf_embed_the_same_chart_and_round_62_5_percent_up(
    client, org, team, lead, tmp_path
):
    round_ = closed_round(team, days_ago=20, title="Q3 check")
    client.force_login(lead)
    page = client.get(reverse("scoring:round_result", args=[org.slug, round_.public_id]))
    page = page.content.decode()
    html = report_html("round", round_, lead)

    chart = svg(page, "round-chart")
    assert svg(html, "round-chart") == chart
    assert "63% · Managed" in svg_texts(chart)  # the bar of the total
    assert "17.50 / 28.00 <span" in page and "(63%)" in page  # the table beside it
    assert "62%" not in page and "62%" not in html

    text = pdf_text(html, tmp_path)
    assert "63% · Managed" in text  # the chart's own text, drawn by WeasyPrint
    assert "10.50 / 14.00 (75%)" in text and "17.50 of 28.00 points, 63%" in text
    assert "62%" not in text


def test_round_csv_has_a_column_per_statistic(client, org, team, lead):
    round_ = closed_round(team, days_ago=20, title="Q3 check")
    client.force_login(lead)
    rows = read_csv(
        client.get(reverse("scoring:round_result_csv", args=[org.slug, round_.public_id])),
        as_dicts=True,
    )
    total = rows[-1]
    assert total["dimension"] == "Total"
    assert {key: total[key] for key in list(total)[5:]} == {
        "respondents": "4",
        "n": "4",
        "mean": "17.50",
        "median": "18.00",
        "min": "14.00",
        "max": "20.00",
        "stdev": "2.18",
        "dimension_max_points": "28.00",
        "percent": "63",
        "level": "Managed",
        # No target set: the target columns are there, empty.
        "target_level": "",
        "target_percent": "",
        "target_source": "",
        "target_due": "",
        "target_met": "",
        "gap_pp": "",
    }
    assert all(row["dimension_max_points"] == "14.00" for row in rows[:-1])


def test_api_gives_the_same_rounded_percentage(client, org, team, lead):
    round_ = closed_round(team, days_ago=20, title="Q3 check")
    client.force_login(lead)
    body = client.get(f"/api/v1/organizations/{org.slug}/rounds/{round_.public_id}/result").json()
    total = next(s for s in body["scores"] if s["dimension"] == "total")
    assert float(total["percent"]) == 63


def test_team_history_page_and_pdf_embed_the_same_charts_with_a_total_line(
    client, org, team, lead, tmp_path
):
    closed_round(team, days_ago=120, title="Q2 check", totals=[14, 14, 14])
    latest = closed_round(team, days_ago=20, title="Q3 check")
    client.force_login(lead)
    page = client.get(reverse("scoring:team_history", args=[org.slug, team.public_id]))
    page = page.content.decode()
    round_page = client.get(reverse("scoring:round_result", args=[org.slug, latest.public_id]))
    html = report_html("team", team, lead)

    chart = svg(page, "history-chart")
    assert svg(html, "history-chart") == chart
    assert "Total" in svg_texts(chart)
    assert svg(html, "round-chart") == svg(round_page.content.decode(), "round-chart")
    assert "63%" in page and "62%" not in page

    rows = read_csv(
        client.get(reverse("scoring:team_history_csv", args=[org.slug, team.public_id])),
        as_dicts=True,
    )
    total = [row for row in rows if row["dimension"] == "Total"][-1]
    assert (total["median"], total["max"], total["dimension_max_points"], total["percent"]) == (
        "18.00",
        "20.00",
        "28.00",
        "63",
    )

    text = pdf_text(html, tmp_path)
    assert "63% · Managed" in text and "62%" not in text


def test_dashboard_and_organization_pdf_embed_the_same_figures(
    client, org, team, executive, tmp_path
):
    closed_round(team, days_ago=120, title="Q2 check", totals=[14, 14, 14])
    closed_round(team, days_ago=20, title="Q3 check")
    client.force_login(executive)
    page = client.get(reverse("scoring:dashboard", args=[org.slug]), {"period": "all"})
    page = page.content.decode()
    html = report_html("organization", org, executive)

    for ident in ("trend-chart", "maturity-grid"):
        assert svg(html, ident) == svg(page, ident)
    assert "Total" in svg_texts(svg(page, "trend-chart"))
    # The heat map: the same table, whose team names link to their history on the page only.
    assert re.sub(r"</?a\b[^>]*>", "", heatmap(page)) == heatmap(html)
    assert '<td class="heat-3 fw-semibold" data-label="Total">63% · Managed</td>' in heatmap(html)

    text = pdf_text(html, tmp_path)
    assert "63% · Managed" in text and "62%" not in text
