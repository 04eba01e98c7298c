"""A person deletes their own account: their submitted answers stay, detached from them, and
count as before; their address is nowhere left; the last owner of an organization is refused."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.accounts.models import User
from apps.core.models import JobStatus, QueuedJob
from apps.organizations.access import organization_access
from apps.organizations.models import Membership, Role
from apps.scoring.models import DimensionScore, TeamScore
from apps.scoring.selectors import round_team_result
from apps.surveys import round_services
from apps.surveys.models import Answer, Participant, Response
from tests.factories import MembershipFactory, RoundFactory, UserFactory
from tests.scenarios import submit_responses

pytestmark = pytest.mark.django_db


def _result(round_, reader):
    result = round_team_result(
        round_, viewer=organization_access(reader, round_.team.organization.slug)
    )
    assert result.visible, result.message
    return result.n, result.total.mean, [(row.key, row.mean) for row in result.dimensions]


def test_a_deleted_accounts_answers_stay_detached_and_count_as_before(
    client, org, team, member_of, django_capture_on_commit_callbacks
):
    owner = member_of(Role.OWNER)
    closed = submit_responses(RoundFactory(team=team, title="Q1"), [0, 1, 2])
    closed.refresh_from_db()
    address = f"{closed.pk}-p0@example.com"  # the first of the three who answered
    person = UserFactory(email=address)
    MembershipFactory(organization=org, user=person, role=Role.MEMBER)
    open_round = RoundFactory(team=team, title="Q2")
    round_services.participants_invite(round_=open_round, emails=[address])  # e-mail queued
    waiting = Participant.objects.get(round=open_round)
    assert QueuedJob.objects.filter(status=JobStatus.QUEUED, args__0=waiting.pk).exists()

    before = {
        "result": _result(closed, owner),
        "responses": Response.objects.filter(round=closed, status="submitted").count(),
        "answers": Answer.objects.filter(response__round=closed).count(),
        "scores": sorted(DimensionScore.objects.values_list("points", flat=True)),
        "team_scores": list(TeamScore.objects.order_by("pk").values_list("mean", "n")),
    }

    client.force_login(person)
    assert (
        client.get(reverse("accounts:profile")).content.decode().count(reverse("accounts:delete"))
    )
    page = client.get(reverse("accounts:delete"))
    assert "count as before" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:delete"), {"confirm_email": address.upper()})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your account was deleted."]
    assert not User.objects.filter(email=address).exists()
    assert not Membership.objects.filter(user_id=person.pk).exists()
    assert not Participant.objects.filter(email__iexact=address).exists()
    assert not Participant.objects.filter(user_id=person.pk).exists()
    waiting.refresh_from_db()
    assert waiting.revoked_at is not None  # the open round's link no longer answers
    assert not QueuedJob.objects.filter(status=JobStatus.QUEUED, args__0=waiting.pk).exists()
    assert not QueuedJob.objects.filter(args__contains=[address]).exists()

    assert before == {
        "result": _result(closed, owner),
        "responses": Response.objects.filter(round=closed, status="submitted").count(),
        "answers": Answer.objects.filter(response__round=closed).count(),
        "scores": sorted(DimensionScore.objects.values_list("points", flat=True)),
        "team_scores": list(TeamScore.objects.order_by("pk").values_list("mean", "n")),
    }
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out


def test_the_last_owner_is_refused_and_keeps_the_account(client, org, member_of):
    owner = member_of(Role.OWNER)
    client.force_login(owner)
    response = client.post(reverse("accounts:delete"), {"confirm_email": owner.email})
    assert response.status_code == 400
    assert "without an owner" in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()


def test_a_wrong_address_deletes_nothing(client, org, member_of):
    person = member_of(Role.MEMBER)
    client.force_login(person)
    response = client.post(reverse("accounts:delete"), {"confirm_email": "someone@else.example"})
    assert response.status_code == 400
    assert "Type your e-mail address exactly" in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()
