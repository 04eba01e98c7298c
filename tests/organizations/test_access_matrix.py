"""Every org-scoped URL, asked by an outsider, by each role, and anonymously.

An outsider gets 404, a role below the URL's minimum gets 403, the minimum and above get 2xx/302,
and someone logged out is sent to log in.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import timezone

from apps.organizations.models import Invitation, Role
from tests.factories import (
    MembershipFactory,
    RoundFactory,
    TeamFactory,
    TeamMembershipFactory,
    ready_team_report,
)


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    min_role: Role
    data: tuple = ()

    def __str__(self):
        return f"{self.method} {self.url_name}"

    @property
    def view_name(self) -> str:
        return self.url_name if ":" in self.url_name else f"organizations:{self.url_name}"


CASES = [
    Case("surveys:round_create", "get", Role.ADMIN),
    Case(
        "surveys:round_create",
        "post",
        Role.ADMIN,
        (
            ("title", "Q1"),
            ("opens_on", "2026-01-01"),
            ("closes_on", "2099-01-01"),
            ("min_respondents", "3"),
        ),
    ),
    Case("surveys:round_detail", "get", Role.ADMIN),
    Case("surveys:round_progress", "get", Role.ADMIN),
    Case("surveys:round_edit", "get", Role.ADMIN),
    Case("surveys:round_invite", "post", Role.ADMIN, (("emails", "new.person@example.com"),)),
    Case("surveys:round_remind", "post", Role.ADMIN),
    Case("surveys:round_close", "post", Role.ADMIN),
    Case("surveys:round_people", "get", Role.ADMIN),
    Case("surveys:participant_revoke", "post", Role.ADMIN),
    Case("reports:list", "get", Role.MEMBER),
    Case("reports:request", "post", Role.EXECUTIVE, (("scope", "organization"),)),
    Case("reports:status", "get", Role.EXECUTIVE),
    Case("reports:retry", "post", Role.EXECUTIVE),
    Case("reports:download", "get", Role.EXECUTIVE),
    Case("scoring:dashboard", "get", Role.EXECUTIVE),
    Case("scoring:dashboard_csv", "get", Role.EXECUTIVE),
    Case("scoring:round_result", "get", Role.EXECUTIVE),
    Case("scoring:round_result_csv", "get", Role.EXECUTIVE),
    Case("scoring:team_history", "get", Role.EXECUTIVE),
    Case("scoring:team_history_csv", "get", Role.EXECUTIVE),
    Case("dashboard", "get", Role.MEMBER),
    Case("leave", "post", Role.MEMBER),
    Case("settings", "get", Role.ADMIN),
    Case("settings", "post", Role.ADMIN, (("name", "Acme Corp"), ("time_zone", "Europe/Paris"))),
    Case("delete", "post", Role.OWNER, (("confirm_name", "not the name"),)),
    Case("team_list", "get", Role.MEMBER),
    Case("team_list", "post", Role.ADMIN, (("name", "New team"),)),
    Case("team_detail", "get", Role.EXECUTIVE),
    Case("team_detail", "post", Role.ADMIN, (("name", "Renamed"),)),
    Case("team_archive", "post", Role.ADMIN),
    Case("team_member_add", "post", Role.ADMIN),
    Case("team_member_update", "post", Role.ADMIN, (("is_lead", "1"),)),
    Case("member_list", "get", Role.ADMIN),
    Case("member_list", "post", Role.ADMIN, (("email", "new@example.com"), ("role", "10"))),
    Case("member_update", "post", Role.ADMIN, (("role", "20"),)),
    Case("invitation_update", "post", Role.ADMIN),
]


@pytest.fixture
def world(org, team):
    """A target member in the team, and a pending invitation, for the URLs that need them."""
    target = TeamMembershipFactory(team=team, membership=MembershipFactory(organization=org))
    round_ = RoundFactory(team=team)
    report = ready_team_report(team)
    invitation = Invitation.objects.create(
        organization=org,
        email="pending@example.com",
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=3),
    )
    return {
        "org_slug": org.slug,
        "team_id": team.public_id,
        "member_id": target.membership.public_id,
        "invitation_id": invitation.public_id,
        "round_id": round_.public_id,
        "report_id": report.public_id,
    }


URL_SIGNATURES = (
    ("org_slug",),
    ("org_slug", "team_id"),
    ("org_slug", "team_id", "member_id"),
    ("org_slug", "member_id"),
    ("org_slug", "invitation_id"),
    ("org_slug", "round_id"),
    ("org_slug", "report_id"),
)


def _url(case: Case, world: dict) -> str:
    for names in URL_SIGNATURES:
        try:
            return reverse(case.view_name, kwargs={k: world[k] for k in names})
        except NoReverseMatch:
            continue
    raise AssertionError(f"no known signature builds {case.view_name}")


def _ask(client, case: Case, world: dict):
    url = _url(case, world)
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
