import pytest
from django.urls import reverse

from apps.organizations.models import Membership, Role, TeamMembership

pytestmark = pytest.mark.django_db


def change_role(client, org, membership, role):
    url = reverse("organizations:member_update", args=[org.slug, membership.public_id])
    return client.post(url, {"role": int(role)}, follow=True)


def remove(client, org, membership):
    url = reverse("organizations:member_update", args=[org.slug, membership.public_id])
    return client.post(url, {"action": "remove"}, follow=True)


def membership_of(user, org) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def test_last_owner_cannot_demote_themselves(client, org, member_of):
    owner = member_of(Role.OWNER)
    client.force_login(owner)
    response = change_role(client, org, membership_of(owner, org), Role.ADMIN)
    assert "at least one owner" in response.content.decode()
    assert membership_of(owner, org).role == Role.OWNER


def test_last_owner_cannot_be_removed_or_leave(client, org, member_of):
    owner = member_of(Role.OWNER)
    client.force_login(owner)
    response = remove(client, org, membership_of(owner, org))
    assert "at least one owner" in response.content.decode()
    client.post(reverse("organizations:leave", args=[org.slug]))
    assert Membership.objects.filter(user=owner, organization=org).exists()


def test_with_a_second_owner_an_owner_may_step_down(client, org, member_of):
    owner, other = member_of(Role.OWNER), member_of(Role.OWNER)
    client.force_login(owner)
    change_role(client, org, membership_of(owner, org), Role.ADMIN)
    assert membership_of(owner, org).role == Role.ADMIN
    assert membership_of(other, org).role == Role.OWNER


def test_admin_cannot_touch_owners_or_grant_admin(client, org, member_of):
    admin, owner, member = member_of(Role.ADMIN), member_of(Role.OWNER), member_of(Role.MEMBER)
    client.force_login(admin)
    assert change_role(client, org, membership_of(owner, org), Role.MEMBER).status_code == 403
    assert remove(client, org, membership_of(owner, org)).status_code == 403
    assert change_role(client, org, membership_of(member, org), Role.ADMIN).status_code == 403
    assert membership_of(owner, org).role == Role.OWNER
    assert membership_of(member, org).role == Role.MEMBER
    change_role(client, org, membership_of(member, org), Role.EXECUTIVE)
    assert membership_of(member, org).role == Role.EXECUTIVE


def test_removing_a_member_removes_them_from_teams(client, org, team, member_of, in_team):
    admin, member = member_of(Role.ADMIN), member_of(Role.MEMBER)
    in_team(member, team)
    client.force_login(admin)
    remove(client, org, membership_of(member, org))
    assert not Membership.objects.filter(user=member, organization=org).exists()
    assert not TeamMembership.objects.filter(team=team).exists()
    client.force_login(member)
    assert client.get(reverse("organizations:dashboard", args=[org.slug])).status_code == 404


def test_demoting_a_lead_to_member_clears_their_lead_flags(client, org, team, member_of, in_team):
    owner, lead = member_of(Role.OWNER), member_of(Role.LEAD)
    in_team(lead, team, is_lead=True)
    client.force_login(owner)
    change_role(client, org, membership_of(lead, org), Role.MEMBER)
    assert not TeamMembership.objects.get(team=team).is_lead


def test_members_page_lists_people_and_their_teams(client, org, team, member_of, in_team):
    admin = member_of(Role.ADMIN)
    person = member_of(Role.MEMBER, name="Grace Hopper", email="grace@example.com")
    in_team(person, team, is_lead=False)
    client.force_login(admin)
    html = client.get(reverse("organizations:member_list", args=[org.slug])).content.decode()
    assert "Grace Hopper" in html and "grace@example.com" in html and "Platform" in html
    found = client.get(
        reverse("organizations:member_list", args=[org.slug]), {"q": "grace"}
    ).content.decode()
    assert "Grace Hopper" in found
    assert admin.display_name not in found.split("<tbody>")[1]
