"""The dashboard's cached fragment: faster the second time, never stale, never shared between
organizations, never needed."""

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.organizations import services as organization_services
from apps.organizations.models import Role
from apps.scoring import dashboard_cache
from apps.scoring.models import Target
from apps.surveys.models import BankStatus, Dimension, QuestionBank, Round
from tests.factories import MembershipFactory, OrganizationFactory, TeamFactory
from tests.scenarios import submitted_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive(member_of):
    return member_of(Role.EXECUTIVE, email="exec@acme.example")


def view(client, org, **filters) -> tuple[str, int]:
    """The dashboard below its header (the part without a CSRF token), and how many statements
    the view ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:dashboard", args=[org.slug]), filters)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<div id="roadmap-status"') : html.index("</main>")], len(queries)


def test_a_second_view_comes_from_the_cache_with_fewer_statements(
    client, org, executive, django_assert_max_num_queries
):
    team = TeamFactory(organization=org, name="Platform")
    submitted_round(team=team, days_ago=200, title="Spring", points=[0, 1, 1])
    submitted_round(team=team, days_ago=20, title="Autumn", points=[2, 2, 1])
    client.force_login(executive)
    first, cold = view(client, org)
    with django_assert_max_num_queries(cold - 4):
        second, warm = view(client, org)
    assert second == first
    assert "Platform" in second and "Autumn" in second and "Biggest improvers" in second
    assert warm < cold


def test_a_round_closing_shows_at_once(client, org, executive):
    steady = TeamFactory(organization=org, name="Steady")
    submitted_round(team=steady, days_ago=40, title="Steady R1", points=[1, 1, 1])
    client.force_login(executive)
    before, _ = view(client, org)
    assert "Newcomers" not in before
    newcomers = TeamFactory(organization=org, name="Newcomers")
    submitted_round(team=newcomers, days_ago=10, title="First look", points=[2, 2, 2])
    submitted_round(team=steady, days_ago=5, title="Steady R2", points=[2, 2, 1])
    after, _ = view(client, org)
    assert ">Newcomers</a>" in after and "First look" in after
    assert "Steady R2" in after and "Steady R1" not in after


def test_a_round_closing_under_its_threshold_shows_at_once(client, org, executive):
    team = TeamFactory(organization=org, name="Quiet")
    submitted_round(team=team, days_ago=40, points=[1, 1, 1])
    client.force_login(executive)
    assert "stayed under" not in view(client, org)[0]
    submitted_round(team=team, days_ago=5, points=[2, 2])  # 2 of 3
    assert "1 round in this period stayed under its minimum" in view(client, org)[0]


def test_a_team_renamed_or_archived_shows_at_once(client, org, executive):
    team = TeamFactory(organization=org, name="Search")
    other = TeamFactory(organization=org, name="Support")
    submitted_round(team=team, days_ago=20, points=[1, 2, 1])
    submitted_round(team=other, days_ago=20, points=[1, 1, 1])
    client.force_login(executive)
    assert ">Search</a>" in view(client, org)[0]
    organization_services.team_update(team=team, name="Search & Discovery", description="")
    html = view(client, org)[0]
    assert ">Search &amp; Discovery</a>" in html and ">Search</a>" not in html
    organization_services.team_archive(team=other)
    assert ">Support</a>" not in view(client, org)[0]


def test_two_organizations_never_share_a_fragment(client, org, executive):
    twin = OrganizationFactory(name="Acme Twin", slug="acme-twin")
    MembershipFactory(organization=twin, user=executive, role=Role.EXECUTIVE)
    for organization in (org, twin):  # the same team, the same answers
        team = TeamFactory(organization=organization, name="Platform")
        submitted_round(team=team, days_ago=20, title="Q3", points=[1, 2, 1])
    client.force_login(executive)
    ours, cold = view(client, org)
    theirs, twin_cold = view(client, twin)
    assert twin_cold == cold  # rendered afresh, not read from the other's entry
    assert "/o/acme/teams/" in ours and "/o/acme-twin/" not in ours
    assert "/o/acme-twin/teams/" in theirs and "/o/acme/teams/" not in theirs
    assert "Acme Twin: average score" in theirs and "Acme Twin" not in ours
    keys = {dashboard_cache.fragment_key(o, since=None, filters=("all", ())) for o in (org, twin)}
    assert len(keys) == 2


def test_each_filter_has_its_own_fragment(client, org, executive):
    one, two = TeamFactory(organization=org, name="One"), TeamFactory(organization=org, name="Two")
    submitted_round(team=one, days_ago=20, points=[1, 1, 1])
    old = submitted_round(team=two, days_ago=820, points=[2, 2, 2])
    closed = timezone.now() - dt.timedelta(days=800)
    Round.objects.filter(pk=old.pk).update(closes_at=closed, closed_at=closed)
    client.force_login(executive)
    everyone, _ = view(client, org, period="all")
    assert ">One</a>" in everyone and ">Two</a>" in everyone
    only_one, _ = view(client, org, period="all", team=str(one.public_id))
    assert ">One</a>" in only_one and ">Two</a>" not in only_one
    recent, _ = view(client, org)  # the last 8 quarters: Two's round is older
    assert ">One</a>" in recent and ">Two</a>" not in recent
    assert view(client, org, period="all")[0] == everyone


def test_the_data_version_moves_with_what_the_dashboard_shows(org):
    """Targets, bank names and the period's start change it; nothing else does."""
    round_ = submitted_round(team=TeamFactory(organization=org), days_ago=110, points=[1, 1, 1])
    closed = timezone.now() - dt.timedelta(days=100)
    Round.objects.filter(pk=round_.pk).update(closes_at=closed, closed_at=closed)
    version = dashboard_cache.data_version(org)
    assert dashboard_cache.data_version(org) == version

    target = Target.objects.create(
        organization=org,
        bank_slug="llmops",
        dimension_key="application",
        level=3,
        due=dt.date(2027, 6, 30),
    )
    assert (with_target := dashboard_cache.data_version(org)) != version
    target.level = 4
    target.save()
    assert (raised := dashboard_cache.data_version(org)) != with_target
    target.delete()
    assert dashboard_cache.data_version(org) not in (with_target, raised)

    draft = QuestionBank.objects.create(slug="draft-bank", version=1, title="Draft")
    assert draft.status == BankStatus.DRAFT
    dimension = Dimension.objects.create(bank=draft, key="one", name="One")
    named = dashboard_cache.data_version(org)
    dimension.name = "One, renamed"
    dimension.save()
    assert dashboard_cache.data_version(org) != named

    now = timezone.now()
    inside = dashboard_cache.data_version(org, since=now - dt.timedelta(days=200))
    assert dashboard_cache.data_version(org, since=now - dt.timedelta(days=150)) == inside
    # As time passes, the round (closed 100 days ago) leaves a period that starts after it.
    assert dashboard_cache.data_version(org, since=now - dt.timedelta(days=50)) != inside


def test_the_page_renders_without_redis(
    client, org, executive, settings, monkeypatch, caplog, django_assert_max_num_queries
):
    monkeypatch.setattr(dashboard_cache, "_cache_down_until", 0.0)  # restored afterwards
    team = TeamFactory(organization=org, name="Resilient")
    submitted_round(team=team, days_ago=20, points=[2, 1, 2])
    client.force_login(executive)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with caplog.at_level(logging.WARNING, logger="apps.scoring.dashboard_cache"):
        html, statements = view(client, org)
        assert ">Resilient</a>" in html
        assert caplog.text.count("Dashboard cache unavailable") == 1
        # Left alone for a while: the next view does not try it, nor read the data version.
        with django_assert_max_num_queries(statements - 1):
            again, _ = view(client, org)
        assert again == html
        assert caplog.text.count("Dashboard cache unavailable") == 1
