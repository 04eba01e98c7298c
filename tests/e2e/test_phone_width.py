"""Every page of the URL walk, in Chromium, as each role, at a phone's width (390 px) and a
laptop's (1366 px): no page scrolls sideways, at 1366 px the navigation stays on one line, and
at 390 px no chart text is drawn smaller than 11 px (a page may shrink a chart to fit).

The pages are the URL walk's (tests/support/url_walk.py: the organization's pages of the access
matrix, the public and account pages, the pages behind a secret link), filled in with the demo
organization's ids and real links, so that every page shows real content: long team names,
eight teams, tables with every column. One browser, one context per person.

A page is opened in the browser once per (navigation bar, rest of the page): the bar shows the
person and their role, the rest is what the page shows them. Each person's page is fetched
first (a test client's render, no browser), and one whose bar and rest are both, byte for byte,
parts already measured (a refusal, an account page that does not show who you are) is laid out
as those were and is not opened again. The two parts are laid out apart (the bar is a block of
its own), so the width, the bar's one line and the chart text of every page walked are measured.
"""

import re
import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.core.tokens import hash_token
from apps.demo.seed import seed_demo
from apps.organizations.models import Invitation, Organization, Role, Team, TeamMembership
from apps.organizations.services import invitation_token
from apps.plans.models import Action
from apps.reports.models import Report, ReportScope, ReportStatus
from apps.scoring.selectors import round_team_result
from apps.surveys import round_services
from apps.surveys.models import Participant, Round, RoundStatus
from tests.support.url_walk import account_pages, organization_pages, token_pages

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 800}
LAPTOP = {"width": 1366, "height": 800}
PEOPLE = {  # the demo's people, one per role
    Role.MEMBER: "member@contoso.example",
    Role.LEAD: "lead@contoso.example",
    Role.EXECUTIVE: "exec@contoso.example",
    Role.OWNER: "owner@contoso.example",
}
# How wide the page is, and (at 1366 px) how far apart the navigation's items sit vertically:
# more than a few pixels means the navbar wrapped onto a second line.
MEASURE = """() => {
  const items = [...document.querySelectorAll('nav.navbar .nav-item, nav.navbar .navbar-brand')]
    .filter(el => el.offsetParent !== null).map(el => el.getBoundingClientRect().top);
  // Each chart text as drawn: its font size times the scale the page shows its SVG at.
  const sizes = [...document.querySelectorAll('svg text')].filter(t => t.getClientRects().length)
    .map(t => {
      const m = t.getScreenCTM();
      return [parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b), t.textContent];
    });
  const smallest = sizes.reduce((a, b) => (a && a[0] <= b[0] ? a : b), null);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    navSpread: items.length ? Math.max(...items) - Math.min(...items) : 0,
    smallestText: smallest,
  };
}"""
CHART_TEXT = 11  # px: the smallest chart text a phone shows (charts drawn for it, pages leave it)
NAVBAR = re.compile(r'<nav class="navbar\b.*?</nav>', re.S)
CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')


def demo_world():
    """The demo organization's ids for the walk's URLs, the extra pages worth a look (a result
    with its Change column, an open round's withheld result) and real secret links."""
    organization = Organization.objects.get(slug="contoso")
    team = Team.objects.get(organization=organization, name="Support Copilot")
    open_round = Round.objects.get(team=team, status=RoundStatus.OPEN)
    closed = Round.objects.filter(team=team, status=RoundStatus.CLOSED).latest("closes_at")
    owner = organization.memberships.get(user__email=PEOPLE[Role.OWNER]).user
    report = Report.objects.create(
        organization=organization,
        scope=ReportScope.ROUND,
        round=closed,
        scope_key=f"round:{closed.pk}",
        fingerprint="ready",
        status=ReportStatus.READY,
        file="reports/roadmap.pdf",
        requested_by=owner,
    )
    invitation = Invitation(
        organization=organization,
        email="new.colleague@contoso.example",
        token_salt=secrets.token_urlsafe(16),
        expires_at=timezone.now() + timedelta(days=7),
        invited_by=owner,
    )
    invitation.token_hash = hash_token(invitation_token(invitation))
    invitation.save()
    invitation.teams.set([team])
    world = {
        "org_slug": organization.slug,
        "team_id": team.public_id,
        "member_id": TeamMembership.objects.filter(team=team, is_lead=False)
        .first()
        .membership.public_id,
        "invitation_id": invitation.public_id,
        "round_id": open_round.public_id,
        "report_id": report.public_id,
        "action_id": Action.objects.filter(team=team).first().public_id,
    }
    compared = next(
        r
        for r in Round.objects.filter(team__organization=organization, status=RoundStatus.CLOSED)
        if round_team_result(r, questions=False).compared
    )
    extra = [
        (
            "round result",
            reverse("scoring:round_result", args=[organization.slug, closed.public_id]),
        ),
        (
            "round result with its change",
            reverse("scoring:round_result", args=[organization.slug, compared.public_id]),
        ),
    ]
    answering = Participant.objects.get(round=open_round, email=PEOPLE[Role.MEMBER])
    submitted = Participant.objects.filter(round=open_round, submitted_at__isnull=False).first()
    token = round_services.participant_token(answering)
    tokens = {
        "surveys:intro": {"token": token},
        "surveys:page": {"token": token, "number": 1},
        "surveys:review": {"token": token},
        "scoring:done": {"token": round_services.participant_token(submitted)},
        "organizations:invitation": {"token": invitation_token(invitation)},
    }
    return world, extra, tokens


def parts(html: str) -> tuple[str, str]:
    """A page as the two parts laid out apart: its navigation bar and the rest, without the CSRF
    token (new in each answer)."""
    html = CSRF_TOKEN.sub(r"\1", html)
    navbar = NAVBAR.search(html)
    navbar = navbar.group() if navbar else ""
    return navbar, html.replace(navbar, "", 1)


def logged_in(browser, base: str, email: str):
    """A browser context and a test client sharing one session of the person with `email`."""
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(email=email))
    context = browser.new_context(viewport=PHONE)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return client, context


def test_no_page_scrolls_sideways_at_390_or_wraps_its_navbar_at_1366(
    live_server, transactional_db, browser
):
    seed_demo()
    world, extra, tokens = demo_world()
    base = live_server.url
    problems: list[str] = []
    walked = charts = 0
    measured_navbars: set[str] = set()
    measured_rests: set[str] = set()

    def measure(page, who: str, name: str, path: str) -> None:
        """At the width the page is at, then at the other one (the app's layout follows the
        width alone: CSS, no script measures it; one resize a page)."""
        nonlocal charts
        response = page.goto(base + path)
        if response is not None and response.status >= 500:
            problems.append(f"{who}, {name} ({path}): HTTP {response.status}")
            return
        for size in (PHONE, LAPTOP) if page.viewport_size == PHONE else (LAPTOP, PHONE):
            if page.viewport_size != size:
                page.set_viewport_size(size)
            seen = page.evaluate(MEASURE)
            where = f"{who}, {name} ({page.url}) at {size['width']} px"
            if seen["scrollWidth"] > seen["innerWidth"]:
                problems.append(f"{where}: {seen['scrollWidth']} px wide")
            if size is LAPTOP and seen["navSpread"] > 8:
                problems.append(f"{where}: the navbar wraps ({seen['navSpread']} px)")
            smallest = seen["smallestText"]
            if size is PHONE and smallest and smallest[0] < CHART_TEXT - 0.05:
                problems.append(f"{where}: chart text {smallest[0]:.1f} px ({smallest[1]!r})")
            charts += bool(smallest)

    def walk(page, who: str, pages, client=None) -> None:
        nonlocal walked
        for name, path in pages:
            walked += 1
            if client is not None:
                answer = client.get(path, follow=True)
                navbar, rest = parts(answer.content.decode())
                if (
                    answer.status_code < 500
                    and navbar in measured_navbars
                    and rest in measured_rests
                ):
                    continue  # laid out as pages measured already
                measured_navbars.add(navbar)
                measured_rests.add(rest)
            measure(page, who, name, path)

    secret_links = token_pages(tokens)
    context = browser.new_context(viewport=PHONE)
    walk(context.new_page(), "anonymous", account_pages() + secret_links)
    context.close()
    for role, email in PEOPLE.items():
        client, context = logged_in(browser, base, email)
        page = context.new_page()
        page.goto(base + reverse("accounts:profile"))
        expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Log out")
        # Every organization page of the matrix: the ones this role may not open show their
        # refusal, which is a page too.
        pages = organization_pages(world, Role.OWNER) + extra + account_pages()
        walk(page, role.label, pages, client)
        context.close()
    assert not problems, "\n".join(problems)
    assert charts >= 4 * 4  # the dashboard, round results, team history, the executive's home
    # Every page was walked, as 4 roles and anonymous: measured at both widths, or laid out as
    # pages measured (the same navigation bar and the same rest).
    assert walked >= 5 * len(account_pages()) + 4 * (len(extra) + 19) + len(secret_links)
