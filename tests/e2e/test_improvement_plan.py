"""From result to action in the browser (issue #15): a lead opens a closed round's result, sees
three next steps, adds two to the plan with owners and dates, marks one done on the team page
(htmx); a second round is run and closed; its result page shows the done action beside its
question's change."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.organizations.models import Role
from apps.plans.models import Action
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
    published_bank,
)
from tests.scenarios import submitted_round

pytestmark = pytest.mark.e2e


def log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def add_step(page, step, owner_name: str, due: dt.date) -> None:
    step.get_by_role("link", name=re.compile("Add to plan")).click()
    expect(page.get_by_text("Filled in from the next step")).to_be_visible()
    page.get_by_label("Owner").select_option(label=owner_name)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Add to plan").click()
    expect(page.get_by_text(re.compile("Added “.*” to the plan."))).to_be_visible()


def test_next_steps_to_plan_to_the_next_rounds_check(live_server, transactional_db, browser):
    lead = UserFactory(email="lead@example.com", name="Lina Lead")
    membership = MembershipFactory(user=lead, role=Role.LEAD)
    org = membership.organization
    team = TeamFactory(organization=org, name="Copilot")
    TeamMembershipFactory(team=team, membership=membership, is_lead=True)
    owner = UserFactory(email="olga@example.com", name="Olga Owner")
    TeamMembershipFactory(team=team, membership=MembershipFactory(organization=org, user=owner))
    first = submitted_round(team=team, points=[1, 1, 1], days_ago=90, title="Q3 check")

    page = browser.new_page()
    log_in(page, live_server.url, "lead@example.com")
    result_url = live_server.url + reverse("scoring:round_result", args=[org.slug, first.public_id])
    page.goto(result_url)
    steps = page.locator("li.next-step")
    expect(steps).to_have_count(3)
    due = timezone.localdate() + dt.timedelta(days=21)
    add_step(page, steps.nth(0), "Olga Owner", due)
    page.goto(result_url)
    expect(steps.nth(0).get_by_role("link", name=re.compile("In the plan"))).to_be_visible()
    add_step(page, steps.nth(1), "Lina Lead", due + dt.timedelta(days=7))

    # The team page's plan: both actions, owners and dates; the first marked done in place.
    plan = page.locator("#plan")
    expect(plan.locator("li.list-group-item")).to_have_count(2)
    first_action, second_action = Action.objects.order_by("created_at")
    row = page.locator(f"#action-{first_action.public_id}")
    expect(row).to_contain_text("Olga Owner")
    expect(row).to_contain_text(due.strftime("%-d %b %Y"))
    row.get_by_label(re.compile("Status of")).select_option("done")
    expect(plan.get_by_text(re.compile("is now done"))).to_be_visible()
    expect(page.locator(f"#action-{first_action.public_id}")).to_contain_text("Done")

    # An inline edit with a date in the past comes back with its message (htmx, a 400).
    row = page.locator(f"#action-{second_action.public_id}")
    row.get_by_role("link", name=re.compile("Edit")).click()
    row.get_by_label("Due date").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_text(re.compile("That day has passed"))).to_be_visible()
    row.get_by_role("link", name="Cancel").click()
    expect(row.get_by_role("link", name=re.compile("Edit"))).to_be_visible()
    page.screenshot(path="/tmp/e2e-plan-team-page.png", full_page=True)

    # The next round: the done action's question moved up a level.
    first_action.refresh_from_db()
    code = first_action.question_code
    codes = list(published_bank().questions.order_by("pk").values_list("code", flat=True))
    moved = codes.index(code)
    second = submitted_round(
        team=team,
        points=[1, 1, lambda index: 2 if index == moved else 1],
        days_ago=1,
        title="Q4 check",
    )
    page.goto(live_server.url + reverse("scoring:round_result", args=[org.slug, second.public_id]))
    check = page.locator("section", has=page.get_by_role("heading", name="The plan, checked"))
    expect(check).to_contain_text(
        f"Done: {first_action.title} · {code} moved from Defined to Managed"
    )
    expect(check).not_to_contain_text(second_action.title)  # not done
    page.screenshot(path="/tmp/e2e-plan-check.png", full_page=True)
