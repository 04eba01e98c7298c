"""Every org-scoped URL, asked by an outsider, by each role, and anonymously.

An outsider gets 404, a role below the URL's minimum gets 403, the minimum and above get 2xx/302,
and someone logged out is sent to log in.
"""

import pytest
from django.urls import get_resolver, reverse

from apps.organizations.models import Role
from tests.factories import TeamFactory
from tests.support.access import CASES, Case, org_world, url_for


@pytest.fixture
def world(org, team):
    return org_world(org, team)


def _ask(client, case: Case, world: dict):
    url = url_for(case, world)
    return (
        getattr(client, case.method)(url, dict(case.data))
        if case.method == "post"
        else client.get(url)
    )


def test_every_org_scoped_url_is_in_the_matrix():
    org_scoped = {
        f"{resolver.namespace}:{pattern.name}"
        for resolver in get_resolver().url_patterns
        for pattern in getattr(resolver, "url_patterns", [])
        if "org_slug" in str(pattern.pattern)
    }
    assert org_scoped == {case.view_name for case in CASES}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_outsider_gets_404(client, world, outsider, case):
    client.force_login(outsider)
    assert _ask(client, case, world).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_anonymous_is_sent_to_log_in(client, world, case):
    response = _ask(client, case, world)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.label)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_gate(client, world, member_of, case, role):
    client.force_login(member_of(role))
    status = _ask(client, case, world).status_code
    if role >= case.min_role:
        assert status in (200, 302), f"{role.label} should be allowed {case}"
    else:
        assert status == 403, f"{role.label} should be refused {case}"


@pytest.mark.django_db
def test_member_sees_own_team_but_not_another(client, org, member_of, in_team):
    user = member_of(Role.MEMBER)
    mine, theirs = (
        TeamFactory(organization=org, name="Mine"),
        TeamFactory(organization=org, name="Theirs"),
    )
    in_team(user, mine)
    client.force_login(user)
    assert (
        client.get(
            reverse("organizations:team_detail", args=[org.slug, mine.public_id])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("organizations:team_detail", args=[org.slug, theirs.public_id])
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_team_of_another_org_is_404_even_for_an_owner(client, org, member_of):
    foreign_team = TeamFactory(name="Foreign")
    client.force_login(member_of(Role.OWNER))
    url = reverse("organizations:team_detail", args=[org.slug, foreign_team.public_id])
    assert client.get(url).status_code == 404
