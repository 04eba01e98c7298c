"""Round actions in the audit log: exactly one entry each, none for a refused attempt."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.models import AuditEntry
from apps.surveys import round_services
from apps.surveys.models import RoundStatus
from tests.factories import RoundFactory, published_bank

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


def fields(round_, **changes):
    values = {
        "title": round_.title,
        "bank": round_.bank,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "anonymous": round_.anonymous,
        "min_respondents": round_.min_respondents,
    }
    return values | changes


def test_round_create_and_a_refused_one(org, team, member_of):
    creator = member_of()
    now = timezone.now()
    values = {
        "team": team,
        "bank": published_bank(),
        "title": "Q3",
        "opens_at": now,
        "anonymous": False,
        "min_respondents": 3,
        "created_by": creator,
    }
    with pytest.raises(ValidationError):
        round_services.round_create(closes_at=now - timedelta(days=1), **values)
    assert entries("round.created") == []
    round_ = round_services.round_create(closes_at=now + timedelta(days=14), **values)
    [entry] = entries("round.created")
    assert (entry.organization, entry.object_id, entry.object_label) == (
        org,
        str(round_.public_id),
        "Q3",
    )
    assert entry.after["team"] == team.name


def test_close_date_change_title_change_and_close(org, team):
    round_ = RoundFactory(team=team)
    round_services.round_update(round_=round_, **fields(round_, title="Renamed"))
    assert entries("round.dates_changed") == []  # only the title changed
    later = round_.closes_at + timedelta(days=7)
    round_services.round_update(round_=round_, **fields(round_, closes_at=later))
    [moved] = entries("round.dates_changed")
    assert moved.after["closes_at"][:19] == later.isoformat()[:19]
    assert moved.before["closes_at"][:19] == round_.closes_at.isoformat()[:19]
    assert round_services.round_close(round_=round_) is True
    assert round_services.round_close(round_=round_) is False  # already closed: nothing logged
    [closed] = entries("round.closed")
    assert closed.organization == org


def test_a_closed_round_refuses_new_dates_and_logs_the_refusal(org, team):
    round_ = RoundFactory(team=team, status=RoundStatus.CLOSED, closed_at=timezone.now())
    later = round_.closes_at + timedelta(days=30)
    with pytest.raises(ValidationError, match="closed"):
        round_services.round_update(round_=round_, **fields(round_, closes_at=later))
    [refused] = entries("round.reopen_refused")
    assert refused.organization == org
    assert entries("round.dates_changed") == []
    round_.refresh_from_db()
    assert round_.closes_at != later
