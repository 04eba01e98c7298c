"""List pages run a fixed number of queries, however many teams and members there are."""

import pytest
from django.urls import reverse

from apps.organizations.models import Role
from tests.factories import MembershipFactory, TeamFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db


def grow(org, teams: int, members_per_team: int):
    for _ in range(teams):
        team = TeamFactory(organization=org)
        for i in range(members_per_team):
            TeamMembershipFactory(
                team=team, membership=MembershipFactory(organization=org), is_lead=i == 0
            )


def count_queries(client, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("url_name", "bound"),
    # The overview is the home page: 10, and its sections (the checklist 6, the executive's grid
    # and headline changes 6, surveys to answer 2, due actions 1) and the teams' standings 1.
    [("dashboard", 26), ("team_list", 9), ("member_list", 10)],
)
def test_list_pages_do_not_grow_with_teams_or_members(
    client, org, member_of, django_assert_max_num_queries, url_name, bound
):
    owner = member_of(Role.OWNER)
    client.force_login(owner)
    url = reverse(f"organizations:{url_name}", args=[org.slug])
    grow(org, teams=2, members_per_team=2)
    small = count_queries(client, url, django_assert_max_num_queries, bound)
    grow(org, teams=15, members_per_team=6)
    large = count_queries(client, url, django_assert_max_num_queries, bound)
    assert large == small


def test_team_page_does_not_grow_with_members(
    client, org, team, member_of, django_assert_max_num_queries
):
    client.force_login(member_of(Role.ADMIN))
    url = reverse("organizations:team_detail", args=[org.slug, team.public_id])
    for _ in range(2):
        TeamMembershipFactory(team=team, membership=MembershipFactory(organization=org))
    # 12: the page, its rounds section, the plan section (one query for the plan) and where
    # the team stands (one).
    small = count_queries(client, url, django_assert_max_num_queries, 12)
    for _ in range(20):
        TeamMembershipFactory(team=team, membership=MembershipFactory(organization=org))
    assert count_queries(client, url, django_assert_max_num_queries, 12) == small
