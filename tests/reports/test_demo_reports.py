"""The retro pack, the team history PDF and the board brief of the demo organization (`seed_demo`),
built by the real builder (the report task) and read back with pdftotext and pypdf: page
counts, file names, headers, what each page says, and no name of anyone who answered."""

import io
import logging
import re
import subprocess
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from apps.demo.seed import COLLEAGUES, seed_demo
from apps.organizations.models import Team
from apps.reports import services
from apps.reports.models import Report, ReportStatus
from apps.reports.pdf import render_pdf
from apps.reports.tasks import build_report
from apps.scoring.selectors import round_team_result
from apps.surveys.models import Guidance, Round, RoundStatus

# Each test reads what the module's fixture built (and rolled back); the mark also makes
# pytest-django set up the test database before that fixture runs.
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Built:
    html: str
    pages: list[str]  # pdftotext -layout, page by page
    page_count: int  # pypdf's
    download_name: str

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.pages).split())


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _read(data: bytes) -> tuple[list[str], int]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return [page for page in text.split("\f") if page.strip()], len(
        PdfReader(io.BytesIO(data)).pages
    )


def _next_level_guidance(round_) -> dict[str, str | None]:
    """Per question of the round: the bank's guidance for the level above the team's own level
    on that question (the question's text, else its dimension's), None at the top level; read
    here from the bank, not from the steps module."""
    result = round_team_result(round_)
    top = max(band.number for band in result.bands)
    texts = {
        (g.dimension.key, g.question.code if g.question else None, g.level.number): g.text
        for g in Guidance.objects.filter(bank=round_.bank).select_related(
            "dimension", "question", "level"
        )
    }
    keys = dict(round_.bank.questions.values_list("code", "dimension__key"))
    expected = {}
    for row in result.questions:
        if row.level_number is None or row.level_number == top:
            expected[row.code] = None
            continue
        up, key = row.level_number + 1, keys[row.code]
        expected[row.code] = texts.get((key, row.code, up)) or texts[(key, None, up)]
    return expected


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed the demo once for this module, build its three reports through the report task,
    keep what they say, and roll the database back."""
    warnings = _Warnings()
    logging.getLogger("weasyprint").addHandler(warnings)
    built = {}
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
            transaction.atomic(),
        ):
            organization = seed_demo()
            team = Team.objects.get(organization=organization, name="Support Copilot")
            latest = (
                Round.objects.filter(team=team, status=RoundStatus.CLOSED)
                .order_by("-opens_at")
                .first()
            )
            for key, scope, obj in (
                ("retro_pack", "round", latest),
                ("team_history", "team", team),
                ("board_brief", "organization", organization),
            ):
                report = services.report_request(scope=scope, obj=obj, requested_by=None)
                build_report(report.pk)  # what a worker runs
                report = Report.objects.get(pk=report.pk)
                assert report.status == ReportStatus.READY, report.error
                data = report.file.read()
                pages, count = _read(data)
                built[key] = Built(
                    html=services.report_html(report, report.finished_at),
                    pages=pages,
                    page_count=count,
                    download_name=report.download_name,
                )
            built["next_level_guidance"] = _next_level_guidance(latest)
            built["defined_guidance"] = dict(
                Guidance.objects.filter(
                    bank=latest.bank, question__isnull=False, level__number=2
                ).values_list("question__code", "text")
            )
            built["day"] = timezone.localdate(timezone=ZoneInfo(organization.time_zone)).isoformat()
            built["questions"] = latest.bank.questions.count()
            built["round_title"] = latest.title
            transaction.set_rollback(True)
    finally:
        logging.getLogger("weasyprint").removeHandler(warnings)
    built["warnings"] = warnings.messages
    return built


def test_the_demo_round_is_on_the_twenty_question_bank(demo):
    assert demo["questions"] == 20 and demo["round_title"] == "Q3 2026 LLMOps check"


def test_page_counts_retro_pack_at_most_four_board_brief_two(demo):
    assert demo["retro_pack"].page_count <= 4
    assert demo["board_brief"].page_count == 2
    assert demo["team_history"].page_count <= demo["retro_pack"].page_count + 1  # the trend


def test_file_names_carry_organization_team_scope_and_the_day_built(demo):
    day = demo["day"]
    assert demo["retro_pack"].download_name == (
        f"contoso-ai_support-copilot_q3-2026-llmops-check_{day}.pdf"
    )
    assert demo["team_history"].download_name == f"contoso-ai_support-copilot_history_{day}.pdf"
    assert demo["board_brief"].download_name == f"contoso-ai_board-brief_{day}.pdf"


@pytest.mark.parametrize("key", ["retro_pack", "team_history", "board_brief"])
def test_the_organization_is_named_once_per_header_and_every_page_is_numbered(demo, key):
    report = demo[key]
    assert "Contoso AI · Contoso AI" not in report.text
    header = {
        "retro_pack": "Contoso AI · Team retro pack · Support Copilot · Q3 2026 LLMOps check",
        "team_history": "Contoso AI · Team history · Support Copilot",
        "board_brief": "Contoso AI · Board brief",
    }[key]
    for number, page in enumerate(report.pages, start=1):
        assert f"Page {number} of {report.page_count}" in page
        if number > 1:  # the first page has its masthead instead
            assert page.lstrip().startswith(header), page[:200]


def test_the_retro_pack_pages_say_what_they_are_for(demo):
    first, second, *rest = demo["retro_pack"].pages
    assert "TEAM RETRO PACK" in first and "Support Copilot · Q3 2026 LLMOps check" in first
    assert "Result at a glance" in first and "7 respondents" in first
    # A change against a previous round on another question set is named, not computed.
    assert "the previous round, Q2 2026 LLMOps check, used llmops v1" in " ".join(first.split())
    assert "Application maturity" in first and "Optimized" in first
    flat = " ".join(second.split())
    assert "What to discuss" in flat and "Disagreements" in flat
    assert "what does each group see" in flat or "Your answers spread over" in flat
    assert "Appendix: answers per question" in " ".join(rest)
    assert all(f"APP-{n}" in demo["retro_pack"].text for n in range(1, 10))


@pytest.mark.parametrize("key", ["retro_pack", "team_history"])
def test_every_step_quotes_the_guidance_of_its_questions_next_level(demo, key):
    report = demo[key]
    page = next(" ".join(p.split()) for p in report.pages if "What to do next" in p)
    section = page.split("What to do next", 1)[1].split("Appendix: answers per question")[0]
    steps = re.findall(r"(?:^| )([1-3])\. ((?:APP|OPS)-\d+) ", section)
    assert [number for number, _ in steps] == ["1", "2", "3"], section[:300]
    parts = re.split(r"(?:^| )[1-3]\. (?:APP|OPS)-\d+ ", section)[1:]
    for (_, code), part in zip(steps, parts, strict=True):
        guidance = demo["next_level_guidance"][code]
        assert guidance is not None, f"{code} is at the top level: no step"
        assert " ".join(guidance.split()) in part, code


def test_the_retro_pack_draws_the_team_on_the_grid_with_its_target_zone(demo):
    html = demo["retro_pack"].html
    grid = html.split('aria-labelledby="team-grid-title')[1].split("</svg>")[0]
    assert "Support Copilot" in grid and "Target zone" in grid


def test_the_team_history_adds_the_trend_over_its_rounds(demo):
    text = demo["team_history"].text
    assert "Over time" in text and "Q2 2025 LLMOps check" in text and "Q3 2026 LLMOps check" in text
    assert 'aria-labelledby="history-chart-title' in demo["team_history"].html


def test_the_board_brief_shows_where_teams_stand_the_grid_and_the_trend(demo):
    first, second = demo["board_brief"].pages
    flat = " ".join(first.split())
    assert "BOARD BRIEF" in flat and "Where teams stand" in flat
    for team in ("Support Copilot", "Marketing Content", "Fraud Signals"):
        assert team in flat
    assert "% · Optimized" in flat or "% · Managed" in flat  # level names in the heat map
    assert 'class="heat-' in demo["board_brief"].html  # and level colours
    assert 'aria-labelledby="maturity-grid-title' in demo["board_brief"].html
    assert "Trend by quarter" in second and 'aria-labelledby="trend-chart-title' in (
        demo["board_brief"].html
    )


def test_the_board_brief_names_the_patterns_each_with_the_next_levels_guidance(demo):
    text = demo["board_brief"].text
    found = re.findall(r"(\d+) of (\d+) teams are at Initial on ((?:APP|OPS)-\d+)", text)
    assert found, "the demo has teams at Initial on the same practices"
    for weak, total, code in found:
        assert int(weak) >= 2 and 3 * int(weak) >= int(total)
        assert " ".join(demo["defined_guidance"][code].split()) in text, code


def test_the_board_brief_measures_teams_against_their_targets(demo):
    first = " ".join(demo["board_brief"].pages[0].split())
    assert "Targets (organization defaults" in first
    assert "Application maturity: met" in first or "Application maturity: gap" in first
    assert "Target zone" in demo["board_brief"].html


@pytest.mark.parametrize("key", ["retro_pack", "team_history"])
def test_no_one_who_answered_is_named(demo, key):
    text = demo[key].text
    for name in COLLEAGUES:
        assert name not in text and name.split()[0].lower() not in text.lower().split()
    assert "@contoso.example" not in text


def test_no_font_goes_unloaded(demo, caplog):
    assert demo["warnings"] == []  # while the task built all three
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf(demo["retro_pack"].html)
    assert not [r for r in caplog.records if "cannot be loaded" in r.getMessage()]
    assert not caplog.records
