"""axe-core in Chromium on every main page, with real content: no serious or critical violations.

axe-core is vendored in tests/e2e/axe/ (see its README). Each page is audited as it is after
loading (and, for the answering pages, after some answers), and a test fails once at its end
listing every serious or critical violation of every page: page, rule, help and the selectors
of the offending elements. Less severe findings are printed (visible with `-rA` or `-s`).
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.services import email_mark_verified
from apps.demo.seed import DEMO_PASSWORD, seed_demo
from apps.organizations import services
from apps.organizations.models import Organization, Team
from apps.reports.models import Report, ReportScope, ReportStatus
from apps.surveys import round_services
from apps.surveys.models import Participant, Round, RoundStatus
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "axe" / "axe.min.js"
# The app's Content-Security-Policy allows scripts from its own origin only, so an inline
# <script> with axe's source would be refused. Rather than switching the CSP off for the test
# (bypass_csp=True would also audit pages as no user sees them), Playwright answers this
# same-origin address itself with the vendored file: the page loads axe under its real CSP,
# and the app never serves it.
AXE_PATH = "/__test-only__/axe.min.js"
FAILING = ("critical", "serious")
PHONE = {"width": 320, "height": 640}  # WCAG reflow: 320 CSS pixels wide


class Audit:
    """Runs axe on pages and collects what it finds, to fail once with everything listed."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.audited: list[str] = []

    def new_page(self):
        """A page in a browser context of its own (another person), able to load axe."""
        context = self.browser.new_context()
        context.route(
            f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
        )
        self.contexts.append(context)
        return context.new_page()

    def check(self, page, name: str) -> None:
        """Audit the page as it is, at a desktop and at a phone's width."""
        page.wait_for_load_state()
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=AXE_PATH)
        desktop = page.viewport_size
        for width, suffix in ((desktop["width"], ""), (PHONE["width"], ", phone width")):
            page.set_viewport_size({**PHONE, "width": width} if suffix else desktop)
            results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            assert results["passes"], f"{name}: axe checked nothing"
            self.audited.append(name + suffix)
            for violation in results["violations"]:
                report = self.failures if violation["impact"] in FAILING else self.notes
                report.append(describe(name + suffix, page.url, violation))
        page.set_viewport_size(desktop)

    def assert_clean(self) -> None:
        if self.notes:
            print("\nLess severe axe findings (not failing):\n" + "\n".join(self.notes))
        assert not self.failures, (
            f"{len(self.failures)} serious or critical accessibility violation(s) in "
            f"{len(self.audited)} audits:\n" + "\n".join(self.failures)
        )

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def describe(name: str, url: str, violation: dict) -> str:
    lines = [
        f"- {name} ({url}): [{violation['impact']}] {violation['id']}: {violation['help']}"
        f" ({violation['helpUrl']})"
    ]
    for node in violation["nodes"]:
        target = " >> ".join(str(part) for part in node["target"])
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


@pytest.fixture
def audit(browser):
    audit = Audit(browser)
    yield audit
    audit.close()


def log_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Log out")


def test_front_sign_up_and_log_in_pages(live_server, transactional_db, audit):
    page = audit.new_page()
    page.goto(live_server.url)
    audit.check(page, "front page")
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    audit.check(page, "sign-up")
    page.get_by_role("button", name="Create account and organization").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check(page, "sign-up, with errors")

    page.goto(f"{live_server.url}/accounts/login/")
    audit.check(page, "log-in")
    page.get_by_label("E-mail").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("The e-mail address or the password is not correct")).to_be_visible()
    audit.check(page, "log-in, with an error")
    audit.assert_clean()


def answer_all(page, *, leave: int = 0) -> None:
    """Choose an answer for every question on the page but the last `leave` (autosaved)."""
    questions = page.locator("fieldset")
    for index in range(questions.count() - leave):
        question = questions.nth(index)
        question.get_by_role("radio").nth(index % 3).check()
        expect(question.get_by_text("Saved", exact=True)).to_be_visible()


def test_staff_and_respondent_pages_with_demo_data(live_server, transactional_db, audit):
    seed_demo()  # 8 teams, six closed quarterly rounds each, one open round with answers
    organization = Organization.objects.get(slug="contoso")
    team = Team.objects.get(organization=organization, name="Support Copilot")
    open_round = Round.objects.get(team=team, status=RoundStatus.OPEN)
    # Named, so that its progress card lists who is still pending.
    Round.objects.filter(pk=open_round.pk).update(anonymous=False)
    closed_round = Round.objects.filter(team=team, status=RoundStatus.CLOSED).latest("closes_at")
    owner = organization.memberships.get(user__email="owner@contoso.example").user
    Report.objects.create(
        organization=organization,
        scope=ReportScope.ROUND,
        round=closed_round,
        scope_key=f"round:{closed_round.pk}",
        fingerprint="ready",
        status=ReportStatus.READY,
        file="reports/roadmap.pdf",
        requested_by=owner,
    )
    Report.objects.create(
        organization=organization,
        scope=ReportScope.ORGANIZATION,
        scope_key=f"organization:{organization.pk}",
        fingerprint="failed",
        status=ReportStatus.FAILED,
        error="The PDF could not be built.",
        requested_by=owner,
    )

    base, slug = live_server.url, organization.slug
    page = audit.new_page()
    log_in(page, base, "owner@contoso.example")
    staff_pages = [
        ("organization overview", reverse("organizations:dashboard", args=[slug])),
        ("team page", reverse("organizations:team_detail", args=[slug, team.public_id])),
        ("round progress", reverse("surveys:round_detail", args=[slug, open_round.public_id])),
        ("new round", reverse("surveys:round_create", args=[slug, team.public_id])),
        (
            "question preview",
            reverse("surveys:round_bank_preview", args=[slug, team.public_id]),
        ),
        ("round edit, answered", reverse("surveys:round_edit", args=[slug, open_round.public_id])),
        ("round result", reverse("scoring:round_result", args=[slug, closed_round.public_id])),
        (
            "round result, under the threshold",
            reverse("scoring:round_result", args=[slug, open_round.public_id]),
        ),
        ("team history", reverse("scoring:team_history", args=[slug, team.public_id])),
        ("executive dashboard", reverse("scoring:dashboard", args=[slug])),
        ("single sign-on settings", reverse("sso:settings", args=[slug])),
        ("reports", reverse("reports:list", args=[slug])),
    ]
    for name, path in staff_pages:
        response = page.goto(base + path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        audit.check(page, name)
    page.get_by_role("button", name=re.compile("Olga Owner")).click()  # axe skips closed menus
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    audit.check(page, "reports, account menu open")

    # The respondent: another browser, through the personal link only.
    page = audit.new_page()
    participant = Participant.objects.get(round=open_round, email="member@contoso.example")
    link = base + reverse("surveys:intro", args=[round_services.participant_token(participant)])
    page.goto(link)
    audit.check(page, "survey intro")
    page.get_by_role("link", name="Start").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    audit.check(page, "answering page 1, unanswered")
    answer_all(page)
    audit.check(page, "answering page 1, answered and saved")
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    answer_all(page, leave=1)
    audit.check(page, "answering page 2, partly answered")
    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    audit.check(page, "review, one answer missing")
    page.locator("#missing").get_by_role("link").first.click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    page.locator("fieldset").last.get_by_role("radio").first.check()
    expect(page.locator("fieldset").last.get_by_text("Saved", exact=True)).to_be_visible()
    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_text("Everything is answered")).to_be_visible()
    audit.check(page, "review, complete")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    # While the round is open the team's result is withheld: only the count shows.
    expect(page.get_by_text("3 submitted of")).to_be_visible()
    audit.check(page, "thank-you, round open")
    round_services.round_close(round_=open_round)
    page.reload()
    expect(page.get_by_text("Average of 3 colleagues")).to_be_visible()  # the team table too
    audit.check(page, "thank-you, round closed")
    audit.assert_clean()


def test_home_pages_per_role_and_a_new_organizations_checklist(
    live_server, transactional_db, audit
):
    """Each role's home page (the Overview) with the demo's content: surveys to answer, the
    teams a lead leads with their rounds' progress and due actions, an executive's grid and
    headline changes; and a new organization's getting-started checklist."""
    seed_demo()
    base, slug = live_server.url, "contoso"
    for email, sees in (
        ("member@contoso.example", "Surveys to answer"),
        ("lead@contoso.example", "Teams you lead"),
        ("exec@contoso.example", "Where the teams stand"),
        ("owner@contoso.example", "All teams"),
    ):
        page = audit.new_page()
        log_in(page, base, email)
        page.goto(base + reverse("organizations:dashboard", args=[slug]))
        expect(page.get_by_role("heading", name=sees)).to_be_visible()
        audit.check(page, f"home page of {email.split('@')[0]}")

    founder = UserFactory(email="founder@newco.example")
    founder.set_password(DEMO_PASSWORD)
    founder.save()
    email_mark_verified(founder)
    organization = services.organization_create(
        name="NewCo", owner=founder, time_zone="Europe/Paris"
    )
    TeamFactory(organization=organization, name="Platform")
    page = audit.new_page()
    log_in(page, base, founder.email)
    page.goto(base + reverse("organizations:dashboard", args=[organization.slug]))
    expect(page.get_by_role("heading", name="Get started")).to_be_visible()
    audit.check(page, "home page of a new organization, with its checklist")
    audit.assert_clean()
