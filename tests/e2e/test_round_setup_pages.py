"""The pages a lead sets a round up with (the round form, the question preview, the edit page
of a round people have answered) fit a phone's width and a desktop's (issue #16)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.organizations.models import Role
from apps.surveys import round_services
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    ParticipantFactory,
    RoundFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
    published_bank,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [390, 1366])
def test_round_setup_pages_fit_the_screen(live_server, browser, width):
    lead = UserFactory(email="lead@example.com", name="Lina Lead")
    membership = MembershipFactory(
        user=lead, role=Role.LEAD, organization__name="NewCo Labs", organization__slug="newco"
    )
    team = TeamFactory(organization=membership.organization, name="Search")
    TeamMembershipFactory(team=team, membership=membership, is_lead=True)
    round_ = RoundFactory(team=team, title="Search Q4", anonymous=False, created_by=lead)
    participant = ParticipantFactory(round=round_, email="ana@example.com")
    question = round_.bank.questions.first()
    round_services.answer_save(
        participant=participant, question_id=question.pk, choice_id=question.choices.first().pk
    )

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("lead@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)

    slug = membership.organization.slug
    bank = published_bank(version=None)
    pages = {
        "form": reverse("surveys:round_create", args=[slug, team.public_id]),
        "preview": reverse("surveys:round_bank_preview", args=[slug, team.public_id])
        + f"?bank={bank.pk}",
        "edit": reverse("surveys:round_edit", args=[slug, round_.public_id]),
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.screenshot(path=f"/tmp/h6_{name}_{width}.png", full_page=True)
        page.screenshot(path=f"/tmp/h6_{name}_{width}_top.png")
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{name} scrolls sideways by {wide}px at {width}px"
    page.goto(live_server.url + pages["form"])
    page.get_by_role("link", name=f"Preview {bank.title} (version {bank.version})").click()
    expect(page.get_by_role("heading", name=bank.title)).to_be_visible()
    page.get_by_role("link", name="Use this bank for a new round").first.click()
    expect(page.get_by_label("Question bank")).to_have_value(str(bank.pk))
    expect(page.get_by_text("Dates are in NewCo Labs' time zone")).to_be_visible()
