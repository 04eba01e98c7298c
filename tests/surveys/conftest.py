import pytest

from apps.organizations.models import Role
from apps.surveys import round_services
from tests.factories import RoundFactory


@pytest.fixture
def lead(org, team, member_of, in_team):
    user = member_of(Role.LEAD, email="lead@acme.example", name="Lena Lead")
    in_team(user, team, is_lead=True)
    return user


@pytest.fixture
def round_(team, lead):
    return RoundFactory(team=team, title="Q4 check", created_by=lead)


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """invite(round, emails) -> {email: token}; runs the e-mail tasks (eagerly, after commit)."""

    def run(round_, emails):
        with django_capture_on_commit_callbacks(execute=True):
            round_services.participants_invite(round_=round_, emails=emails)
        return {p.email: round_services.participant_token(p) for p in round_.participants.all()}

    return run
