import pytest
from django.urls import reverse

from apps.organizations.models import Membership, Role, Team, TeamMembership
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_admin_creates_a_team_and_lands_on_it(client, org, member_of):
    client.force_login(member_of(Role.ADMIN))
    response = client.post(
        reverse("organizations:team_list", args=[org.slug]), {"name": "Search"}, follow=True
    )
    team = Team.objects.get(name="Search")
    assert response.redirect_chain[-1][0] == reverse(
        "organizations:team_detail", args=[org.slug, team.public_id]
    )
    assert "Team Search created" in response.content.decode()


def test_team_names_are_unique_per_org_ignoring_case(client, org, team, member_of):
    client.force_login(member_of(Role.ADMIN))
    response = client.post(
        reverse("organizations:team_list", args=[org.slug]), {"name": "platform"}
    )
    assert response.status_code == 200
    assert "already a team called" in response.content.decode()
    assert Team.objects.filter(organization=org).count() == 1


def test_same_team_name_is_fine_in_another_org(team):
    TeamFactory(name="Platform")
    assert Team.objects.filter(name="Platform").count() == 2


def test_rename_archive_and_restore(client, org, team, member_of):
    client.force_login(member_of(Role.ADMIN))
    detail = reverse("organizations:team_detail", args=[org.slug, team.public_id])
    client.post(detail, {"name": "Platform Core", "description": "Shared services"})
    team.refresh_from_db()
    assert (team.name, team.description) == ("Platform Core", "Shared services")
    archive = reverse("organizations:team_archive", args=[org.slug, team.public_id])
    client.post(archive)
    team.refresh_from_db()
    assert team.is_archived
    listing = client.get(reverse("organizations:team_list", args=[org.slug])).content.decode()
    assert str(team.public_id) not in listing
    archived = client.get(reverse("organizations:team_list", args=[org.slug]), {"archived": "1"})
    assert str(team.public_id) in archived.content.decode()
    # An archived team's name may be reused, and then the archived one cannot come back under it.
    TeamFactory(organization=org, name="Platform Core")
    response = client.post(archive, {"restore": "1"}, follow=True)
    assert "already a team called" in response.content.decode()
    team.refresh_from_db()
    assert team.is_archived


def test_add_member_and_mark_lead_promotes_a_member_to_lead(client, org, team, member_of):
    person = member_of(Role.MEMBER)
    membership = Membership.objects.get(user=person)
    client.force_login(member_of(Role.ADMIN))
    client.post(
        reverse("organizations:team_member_add", args=[org.slug, team.public_id]),
        {"membership": membership.pk},
    )
    assert TeamMembership.objects.filter(team=team, membership=membership, is_lead=False).exists()
    client.post(
        reverse(
            "organizations:team_member_update",
            args=[org.slug, team.public_id, membership.public_id],
        ),
        {"is_lead": "1"},
    )
    assert TeamMembership.objects.get(team=team, membership=membership).is_lead
    membership.refresh_from_db()
    assert membership.role == Role.LEAD


def test_a_member_of_another_org_cannot_be_added(client, org, team, member_of, outsider):
    foreign = Membership.objects.get(user=outsider)
    client.force_login(member_of(Role.ADMIN))
    response = client.post(
        reverse("organizations:team_member_add", args=[org.slug, team.public_id]),
        {"membership": foreign.pk},
        follow=True,
    )
    assert "Choose a member of the organization" in response.content.decode()
    assert not TeamMembership.objects.exists()


def test_remove_from_team(client, org, team, member_of, in_team):
    person = member_of(Role.MEMBER)
    tm = in_team(person, team)
    client.force_login(member_of(Role.ADMIN))
    client.post(
        reverse(
            "organizations:team_member_update",
            args=[org.slug, team.public_id, tm.membership.public_id],
        ),
        {"action": "remove"},
    )
    assert not TeamMembership.objects.exists()
