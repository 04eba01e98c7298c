"""Targets and plan actions in the audit log: exactly one entry each, none for a refused
attempt."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditEntry
from apps.organizations.access import organization_access
from apps.organizations.models import Role
from apps.plans import services as plans
from apps.scoring import targets

pytestmark = pytest.mark.django_db
DUE = dt.date(2099, 3, 31)


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_target_set_changed_unchanged_refused_and_removed(org, team, member_of):
    executive, member = member_of(Role.EXECUTIVE), member_of(Role.MEMBER)
    access = organization_access(executive, org.slug)
    where = {"bank_slug": "llmops", "dimension_key": "application"}
    targets.target_set(access=access, level=3, due=DUE, **where)
    targets.target_set(access=access, level=3, due=DUE, **where)  # the same again: no change
    targets.target_set(access=access, level=4, due=DUE, **where)
    with pytest.raises(PermissionDenied):
        targets.target_set(access=organization_access(member, org.slug), level=2, due=DUE, **where)
    with pytest.raises(ValidationError):
        targets.target_set(access=access, level=99, due=DUE, **where)
    first, second = entries("target.set")
    assert (first.before, first.after) == (None, {"level": 3, "due": "2099-03-31"})
    assert (second.before, second.after) == (
        {"level": 3, "due": "2099-03-31"},
        {"level": 4, "due": "2099-03-31"},
    )
    assert "organization default" in second.object_label
    assert targets.target_clear(access=access, **where) is True
    assert targets.target_clear(access=access, **where) is False  # nothing left: no entry
    [removed] = entries("target.removed")
    assert removed.before == {"level": 4, "due": "2099-03-31"}


def test_target_policy_change(org, member_of):
    access = organization_access(member_of(Role.ADMIN), org.slug)
    targets.target_policy_set(access=access, teams_may_go_below=False)  # as it was: no entry
    targets.target_policy_set(access=access, teams_may_go_below=True)
    [changed] = entries("target.policy_changed")
    assert (changed.before, changed.after) == (
        {"teams_may_go_below": False},
        {"teams_may_go_below": True},
    )


def test_plan_action_create_update_delete(org, team, member_of):
    admin = member_of(Role.ADMIN)
    with pytest.raises(ValidationError):
        plans.action_create(organization=org, team=team, title="", created_by=admin)
    assert entries("plan_action.created") == []
    action, _ = plans.action_create(
        organization=org, team=team, title="Eval gate", created_by=admin
    )
    [made] = entries("plan_action.created")
    assert (made.object_label, made.after["team"]) == ("Eval gate", team.name)

    with pytest.raises(ValidationError):
        plans.action_update(action=action, title="")
    plans.action_update(action=action, title="Eval gate")  # unchanged
    assert entries("plan_action.updated") == []
    action = plans.action_update(action=action, title="Eval gate in CI", status="doing")
    [updated] = entries("plan_action.updated")
    assert updated.before == {"title": "Eval gate", "status": "todo"}
    assert updated.after == {"title": "Eval gate in CI", "status": "doing"}

    plans.action_delete(action=action)
    [deleted] = entries("plan_action.deleted")
    assert deleted.before["title"] == "Eval gate in CI"
