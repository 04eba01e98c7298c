"""The board brief stays on two A4 pages for a larger organization: more teams than the heat map
lists (each with its targets), three patterns with their recommendations and many plans. What
does not fit is counted, and said where to find it; each pattern quotes the bank's guidance for
the level above the lowest."""

import datetime as dt
import io
import subprocess

import pytest
from django.utils import timezone
from pypdf import PdfReader

from apps.organizations.models import Role
from apps.reports import services
from apps.reports.models import Report
from apps.reports.pdf import render_pdf
from apps.scoring.models import Target
from apps.surveys.models import Guidance
from tests.factories import ActionFactory, TeamFactory, published_bank
from tests.scenarios import submitted_round

pytestmark = pytest.mark.django_db

TEAMS = 16


def test_a_large_organizations_brief_stays_on_two_pages(org, member_of):
    today = timezone.localdate()
    for index in range(TEAMS):
        team = TeamFactory(organization=org, name=f"Team {index:02d} with a longer name")
        # The first three questions at 0 points everywhere: weak across every team.
        points = [[0, 0, 0, *[1 + (q + index) % 2 for q in range(11)]] for _ in range(3)]
        submitted_round(team=team, days_ago=30 + 91 * (index % 7), title="Check", points=points)
        for n in range(3):
            ActionFactory(
                team=team,
                title=f"Action {n}",
                due_date=today + dt.timedelta(days=n - 1 - index % 2),
                status="done" if n == 2 else "todo",
                done_at=timezone.now() if n == 2 else None,
            )
    for key in ("application", "operational"):  # the heat map's Target column, the grid's zone
        Target.objects.create(
            organization=org, bank_slug="llmops", dimension_key=key, level=4, due=today
        )
    executive = member_of(Role.EXECUTIVE)
    report = services.report_request(scope="organization", obj=org, requested_by=executive)
    pdf = render_pdf(services.report_html(Report.objects.get(pk=report.pk)))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "The 8 teams with the lowest totals are listed; 8 more are on the dashboard" in text
    assert "Application maturity: gap" in text and "Target zone" in text
    assert "10 more teams with a plan" in text
    assert "16 actions done, 32 open, of which 24 overdue" in text
    bank = published_bank()
    for code in ("APP-1", "APP-2", "APP-3"):
        assert f"16 of 16 teams are at Initial on {code}" in text
        guidance = Guidance.objects.get(bank=bank, question__code=code, level__number=2).text
        assert " ".join(guidance.split()) in text
