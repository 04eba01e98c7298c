"""Who may read and change a plan: members of the team read it, its leads (and admins and
owners) change it, executives read all; an outsider gets 404, a role too low 403."""

import pytest
from django.urls import reverse

from apps.organizations.access import organization_access
from apps.organizations.models import Membership, Role
from apps.plans.access import action_access, may_read, may_write
from apps.plans.models import Action
from tests.factories import ActionFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(team):
    return ActionFactory(team=team, title="Eval gate")


def urls(org, team, action) -> dict[str, tuple[str, str, dict]]:
    """{name: (method, url, data)} for the plan's pages."""
    return {
        "row": ("get", reverse("plans:action_row", args=[org.slug, action.public_id]), {}),
        "csv": ("get", reverse("plans:team_csv", args=[org.slug, team.public_id]), {}),
        "new": (
            "post",
            reverse("plans:action_new", args=[org.slug, team.public_id]),
            {"title": "x", "status": "todo"},
        ),
        "edit": (
            "post",
            reverse("plans:action_edit", args=[org.slug, action.public_id]),
            {"title": "x", "status": "todo"},
        ),
        "status": (
            "post",
            reverse("plans:action_status", args=[org.slug, action.public_id]),
            {"status": "done"},
        ),
        "delete": ("post", reverse("plans:action_delete", args=[org.slug, action.public_id]), {}),
    }


def ask(client, method, url, data):
    return getattr(client, method)(url, data) if method == "post" else client.get(url)


READS, WRITES = ("row", "csv"), ("new", "edit", "status", "delete")


def test_an_outsider_gets_404_everywhere(client, org, team, action, outsider):
    client.force_login(outsider)
    for name, (method, url, data) in urls(org, team, action).items():
        assert ask(client, method, url, data).status_code == 404, name


def test_a_member_of_the_team_reads_but_may_not_write(
    client, org, team, action, member_of, in_team
):
    member = member_of(Role.MEMBER)
    in_team(member, team)
    client.force_login(member)
    for name, (method, url, data) in urls(org, team, action).items():
        status = ask(client, method, url, data).status_code
        assert status == (200 if name in READS else 403), name
    action.refresh_from_db()
    assert action.title == "Eval gate" and action.status == "todo"


def test_the_lead_of_another_team_gets_403(client, org, team, action, member_of, in_team):
    other_lead = member_of(Role.LEAD)
    in_team(other_lead, TeamFactory(organization=org, name="Search"), is_lead=True)
    client.force_login(other_lead)
    for name, (method, url, data) in urls(org, team, action).items():
        assert ask(client, method, url, data).status_code == 403, name


def test_a_lead_who_is_only_a_member_of_this_team_may_not_write(
    client, org, team, action, member_of, in_team
):
    user = member_of(Role.LEAD)
    in_team(user, team, is_lead=False)
    client.force_login(user)
    method, url, data = urls(org, team, action)["status"]
    assert ask(client, method, url, data).status_code == 403


def test_the_teams_lead_writes(client, org, team, action, lead):
    client.force_login(lead)
    for name in WRITES:
        method, url, data = urls(org, team, ActionFactory(team=team))[name]
        assert ask(client, method, url, data).status_code == 302, name


def test_an_executive_reads_every_plan_but_writes_none(client, org, team, action, member_of):
    client.force_login(member_of(Role.EXECUTIVE))
    for name, (method, url, data) in urls(org, team, action).items():
        expected = 403 if name in WRITES else 200
        assert ask(client, method, url, data).status_code == expected, name


def test_an_action_of_another_organization_is_404_even_for_an_owner(client, org, member_of):
    foreign = ActionFactory()
    client.force_login(member_of(Role.OWNER))
    url = reverse("plans:action_edit", args=[org.slug, foreign.public_id])
    assert client.get(url).status_code == 404


def test_organization_level_actions_are_for_executives_and_their_owner(org, member_of):
    member = Membership.objects.get(user=member_of(Role.MEMBER))
    executive = member_of(Role.EXECUTIVE)
    action = Action.objects.create(
        organization=org,
        title="Shared eval platform",
        owner=member,
        status_changed_at=org.created_at,
    )
    as_member = organization_access(member.user, org.slug)
    as_executive = organization_access(executive, org.slug)
    assert may_read(as_member, action) and not may_write(as_member, action)
    assert may_read(as_executive, action) and may_write(as_executive, action)
    someone = organization_access(member_of(Role.LEAD), org.slug)
    assert not may_read(someone, action)
    with pytest.raises(Exception, match="executives"):
        action_access(as_member, action.public_id, write=True)
