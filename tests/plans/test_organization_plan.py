"""The organization's own plan (DESIGN §4): executives turn a practice weak across teams into
an organization-level action, once, and keep it on the organization plan; an action's owner
sets its status."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.organizations.models import Role
from apps.plans.models import Action, ActionSource, ActionStatus
from apps.scoring.patterns import organization_patterns
from tests.factories import ActionFactory, TeamFactory
from tests.scenarios import submitted_round

pytestmark = pytest.mark.django_db


def first_question_zero(index: int) -> int:
    """0 points on APP-1 (Initial there), 2 everywhere else."""
    return 0 if index == 0 else 2


@pytest.fixture
def pattern(org):
    for name in ("Search", "Support", "Billing"):
        submitted_round(
            team=TeamFactory(organization=org, name=name), points=[first_question_zero] * 3
        )
    [found] = organization_patterns(org)
    return found


@pytest.fixture
def executive(member_of):
    return member_of(Role.EXECUTIVE, email="exec@acme.example", name="Erin Exec")


def _new_url(org, pattern=None) -> str:
    url = reverse("plans:organization_action_new", args=[org.slug])
    return f"{url}?bank={pattern.bank_id}&code={pattern.code}" if pattern else url


def _membership(user, org):
    return user.memberships.get(organization=org)


def test_an_executive_turns_a_pattern_into_one_organization_action(client, org, executive, pattern):
    client.force_login(executive)
    page = client.get(_new_url(org, pattern)).content.decode()
    assert "3 of 3 teams are at Initial on APP-1" in page and "Billing, Search, Support" in page
    assert f'value="APP-1 to {pattern.next_level_name} across teams: ' in page
    assert pattern.recommendation[:40] in page  # done when: the next level's guidance
    token = page.split('name="form_token" value="')[1].split('"')[0]
    due = timezone.localdate() + dt.timedelta(days=30)
    form = {
        "title": "APP-1 to Defined across teams",
        "question": "llmops:APP-1",
        "owner": str(_membership(executive, org).public_id),
        "due_date": due.isoformat(),
        "status": "todo",
        "done_when": pattern.recommendation,
        "from_pattern": "True",
        "form_token": token,
    }
    response = client.post(_new_url(org), form)
    action = Action.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#action-{action.public_id}")
    assert (action.team, action.source, action.question_code, action.due_date) == (
        None,
        ActionSource.PATTERN,
        "APP-1",
        due,
    )
    assert action.owner.user == executive and action.done_when == pattern.recommendation
    # A double click, and the same pattern again from a new form: still one open action.
    client.post(_new_url(org), form)
    client.post(_new_url(org), {**form, "form_token": ""})
    assert Action.objects.count() == 1
    again = client.get(_new_url(org, pattern)).content.decode()
    assert "This pattern is in the organization plan already" in again
    # The organization plan lists it; the status menu moves it.
    plan = client.get(reverse("plans:organization_plan", args=[org.slug])).content.decode()
    assert "APP-1 to Defined across teams" in plan and "Erin Exec" in plan
    status_url = reverse("plans:action_status", args=[org.slug, action.public_id])
    response = client.post(status_url, {"status": "doing"})
    assert response.status_code == 302 and "/plan/" in response.url
    action.refresh_from_db()
    assert action.status == ActionStatus.DOING
    # Its own page and its edit page work without a team.
    assert (
        client.get(reverse("plans:action_row", args=[org.slug, action.public_id])).status_code
        == 200
    )
    edit = reverse("plans:action_edit", args=[org.slug, action.public_id])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {**form, "title": "Shared eval gate", "status": "doing"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Shared eval gate"


def test_the_owner_of_an_organization_action_is_an_executive_or_above(
    client, org, executive, member_of, pattern
):
    member = member_of(Role.LEAD, email="lead2@acme.example")
    client.force_login(executive)
    page = client.get(_new_url(org, pattern)).content.decode()
    assert "lead2@acme.example" not in page
    response = client.post(
        _new_url(org),
        {
            "title": "Platform gate",
            "owner": str(_membership(member, org).public_id),
            "status": "todo",
        },
    )
    assert response.status_code == 400 and Action.objects.count() == 0
    assert "executive, admin or owner" in response.content.decode()


def test_without_patterns_or_actions_the_pages_say_so(client, org, executive):
    client.force_login(executive)
    plan = client.get(reverse("plans:organization_plan", args=[org.slug])).content.decode()
    assert "No organization actions yet." in plan
    form = client.get(_new_url(org) + "?bank=999&code=NOPE").content.decode()
    assert "Filled in from a practice" not in form and 'name="title"' in form


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEAD])
def test_members_and_leads_may_not_open_the_organization_plan(client, org, member_of, role):
    client.force_login(member_of(role))
    for url in (
        reverse("plans:organization_plan", args=[org.slug]),
        reverse("plans:organization_action_new", args=[org.slug]),
    ):
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("plans:organization_action_new", args=[org.slug]), {"title": "x"}
    )
    assert response.status_code == 403 and not Action.objects.exists()


def test_an_outsider_gets_404(client, org, outsider):
    client.force_login(outsider)
    assert client.get(reverse("plans:organization_plan", args=[org.slug])).status_code == 404


def test_a_member_who_owns_an_action_sets_its_status_but_does_not_edit_it(
    client, org, team, member_of, in_team
):
    owner = member_of(Role.MEMBER, email="owner@acme.example")
    membership = in_team(owner, team).membership
    other = member_of(Role.MEMBER, email="other@acme.example")
    in_team(other, team)
    action = ActionFactory(team=team, owner=membership, title="Eval gate")
    status_url = reverse("plans:action_status", args=[org.slug, action.public_id])

    client.force_login(other)  # a member of the team who does not own it
    assert client.post(status_url, {"status": "done"}).status_code == 403

    client.force_login(owner)
    team_page = reverse("organizations:team_detail", args=[org.slug, team.public_id])
    html = client.get(team_page).content.decode()
    menu = html[html.index(f'id="status-{action.public_id}"') :].split("</select>")[0]
    assert "Doing" in menu and "Done" in menu and "Dropped" not in menu
    assert reverse("plans:action_edit", args=[org.slug, action.public_id]) not in html
    for status in ("doing", "done", "todo"):
        response = client.post(status_url, {"status": status})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == status
    assert client.post(status_url, {"status": "dropped"}).status_code == 403
    edit = reverse("plans:action_edit", args=[org.slug, action.public_id])
    assert client.post(edit, {"title": "Mine now", "status": "todo"}).status_code == 403
    delete = reverse("plans:action_delete", args=[org.slug, action.public_id])
    assert client.post(delete).status_code == 403
    action.refresh_from_db()
    assert (action.title, action.status) == ("Eval gate", "todo")
