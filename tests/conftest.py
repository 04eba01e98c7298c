import pytest

from apps.organizations.models import Role
from tests import scenarios
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    RoundFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.support.s3_server import s3_bucket, s3_server  # noqa: F401 -- one for the session


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit and view tests run tasks inline (after commit); tests/e2e use a real worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests do not run collectstatic, so serve static files without the hashed manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _broker_not_paused():
    """A test that stops the broker must not leave later tests skipping their publishes."""
    from apps.core import jobs

    jobs.broker_pause_end()
    yield
    jobs.broker_pause_end()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit windows live in the cache: each test starts with none used. (Pure tests run
    without Redis, and use no cache.)"""
    if request.node.get_closest_marker("pure"):
        return
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def team(org):
    return TeamFactory(organization=org, name="Platform")


@pytest.fixture
def member_of(org):
    """member_of(Role.LEAD) -> a user with that role in `org`."""

    def make(role=Role.MEMBER, organization=None, **user_fields):
        user = UserFactory(**user_fields)
        membership = MembershipFactory(organization=organization or org, role=role, user=user)
        return membership.user

    return make


@pytest.fixture
def in_team():
    def make(user, team, *, is_lead=False):
        membership = user.memberships.get(organization=team.organization)
        return TeamMembershipFactory(team=team, membership=membership, is_lead=is_lead)

    return make


@pytest.fixture
def outsider():
    return MembershipFactory(organization=OrganizationFactory(name="Other", slug="other")).user


@pytest.fixture
def lead(org, team, member_of, in_team):
    user = member_of(Role.LEAD, email="lead@acme.example", name="Lena Lead")
    in_team(user, team, is_lead=True)
    return user


@pytest.fixture
def round_(team, lead):
    return RoundFactory(team=team, title="Q4 check", created_by=lead)


@pytest.fixture
def invite():
    """invite(round, emails) -> {email: token}; runs the e-mail tasks (eagerly, after commit).
    The same as `tests.scenarios.invite`, for tests that take it as a fixture."""
    return scenarios.invite
