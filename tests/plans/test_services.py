"""Writing plans: what an action must be, who may own it, and adding twice making one."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.organizations import services as org_services
from apps.organizations.models import Role
from apps.plans import services
from apps.plans.models import Action, ActionSource, ActionStatus
from apps.plans.services import QuestionRef
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    RoundFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(team):
    return TeamMembershipFactory(team=team).membership


def create(team, **fields):
    fields.setdefault("title", "Automated evaluation gate")
    fields.setdefault("created_by", None)
    return services.action_create(organization=team.organization, team=team, **fields)


def messages_of(error: ValidationError) -> dict:
    return error.value.message_dict


def test_an_action_is_created_with_its_owner_date_and_question(team, owner):
    due = timezone.localdate() + dt.timedelta(days=14)
    action, created = create(
        team,
        owner=owner,
        due_date=due,
        done_when="Every release runs the eval suite",
        question=QuestionRef("llmops", "APP-5"),
    )
    assert created
    action.refresh_from_db()
    assert (action.owner, action.due_date, action.bank_slug, action.question_code) == (
        owner,
        due,
        "llmops",
        "APP-5",
    )
    assert action.status == ActionStatus.TODO and action.source == ActionSource.HAND
    assert action.done_at is None and action.status_changed_at is not None


def test_bad_input_is_refused_with_a_message_per_field(team):
    with pytest.raises(ValidationError) as error:
        create(
            team,
            title="   ",
            due_date=timezone.localdate() - dt.timedelta(days=1),
            question=QuestionRef("llmops", "APP-99"),
            status="finished",
            notes="x" * 5001,
        )
    found = messages_of(error)
    assert found["title"] == ["Give the action a title."]
    assert found["due_date"][0].startswith("That day has passed.")
    assert found["question"] == ["There is no question APP-99 in the “llmops” bank."]
    assert found["status"][0].startswith("The status is one of")
    assert found["notes"] == ["Keep it to 5000 characters (this is 5001)."]
    assert not Action.objects.exists()


def test_a_due_date_years_away_is_a_typo(team):
    with pytest.raises(ValidationError) as error:
        create(team, due_date=timezone.localdate().replace(year=timezone.localdate().year + 7))
    assert messages_of(error)["due_date"] == ["Pick a due date within 5 years."]


def test_the_owner_must_be_a_member_of_the_team(team):
    someone_else = TeamMembershipFactory(team=TeamFactory(organization=team.organization))
    with pytest.raises(ValidationError) as error:
        create(team, owner=someone_else.membership)
    assert messages_of(error)["owner"] == ["The owner must be a member of Platform."]
    stranger = MembershipFactory()  # another organization
    with pytest.raises(ValidationError):
        create(team, owner=stranger)


def test_the_database_refuses_an_owner_outside_the_team(team):
    outside = MembershipFactory(organization=team.organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(team=team, owner=outside)


def test_leaving_the_team_leaves_the_action_without_owner(team, owner):
    action, _ = create(team, owner=owner)
    tm = owner.team_memberships.get(team=team)
    org_services.team_member_remove(team_membership=tm)
    action.refresh_from_db()
    assert action.owner is None
    assert action.title == "Automated evaluation gate"


def test_an_organization_level_action_is_owned_by_anyone_in_the_organization(org):
    executive = MembershipFactory(organization=org, role=Role.EXECUTIVE)
    action, created = services.action_create(
        organization=org, team=None, title="Shared eval platform", created_by=None, owner=executive
    )
    assert created and action.team is None and action.owner == executive


def test_status_changes_record_when(team):
    action, _ = create(team)
    start = timezone.now()
    action = services.action_update(action=action, status=ActionStatus.DOING, now=start)
    assert action.started_at == start and action.done_at is None
    done = start + dt.timedelta(days=3)
    action = services.action_update(action=action, status=ActionStatus.DONE, now=done)
    assert (action.done_at, action.status_changed_at) == (done, done)
    action = services.action_update(action=action, status=ActionStatus.DOING)
    assert action.done_at is None and action.started_at == start  # reopened: not done any more
    action = services.action_update(action=action, status=ActionStatus.DROPPED)
    assert action.dropped_at is not None and action.done_at is None


def test_an_update_changes_only_what_is_given(team, owner):
    action, _ = create(team, owner=owner, notes="Keep it simple")
    action = services.action_update(action=action, title="Eval gate in CI")
    action.refresh_from_db()
    assert (action.title, action.owner, action.notes) == (
        "Eval gate in CI",
        owner,
        "Keep it simple",
    )


def test_an_unchanged_past_due_date_may_stay_but_not_be_set(team):
    action = ActionFactory(team=team, due_date=timezone.localdate() - dt.timedelta(days=3))
    services.action_update(action=action, title="Still late", due_date=action.due_date)
    with pytest.raises(ValidationError):
        services.action_update(action=action, due_date=timezone.localdate() - dt.timedelta(days=1))


def test_an_archived_teams_plan_does_not_change(team):
    action, _ = create(team)
    org_services.team_archive(team=team)
    with pytest.raises(ValidationError, match="archived"):
        services.action_update(action=action, title="x")
    with pytest.raises(ValidationError, match="archived"):
        create(team)


def test_the_same_form_submitted_twice_makes_one_action(team):
    token = uuid.uuid4()
    first, created = create(team, form_token=token)
    again, created_again = create(team, form_token=token, title="Typed again")
    assert (created, created_again) == (True, False)
    assert again == first and Action.objects.count() == 1


def test_a_form_token_of_another_team_is_refused(team):
    token = uuid.uuid4()
    create(team, form_token=token)
    with pytest.raises(ValidationError, match="already used"):
        create(TeamFactory(organization=team.organization), form_token=token)


def test_adding_the_same_step_twice_makes_one_open_action(team):
    round_ = RoundFactory(team=team)
    step = {"source_round": round_, "question": QuestionRef("llmops", "APP-5")}
    first, created = create(team, **step)
    again, created_again = create(team, title="Another title", **step)
    assert first.source == ActionSource.STEP
    assert (created, created_again, again) == (True, False, first)
    # Once that action is dropped, the step may be taken up again.
    services.action_update(action=first, status=ActionStatus.DROPPED)
    third, created_third = create(team, **step)
    assert created_third and third != first
    # ...and the dropped one cannot be reopened beside it.
    with pytest.raises(ValidationError) as error:
        services.action_update(action=first, status=ActionStatus.TODO)
    assert messages_of(error)["status"] == [
        "This next step has another open action in the plan already."
    ]


def test_the_database_holds_one_open_action_per_step(team):
    round_ = RoundFactory(team=team)
    fields = {
        "team": team,
        "source": ActionSource.STEP,
        "source_round": round_,
        "bank_slug": "llmops",
        "question_code": "APP-5",
    }
    ActionFactory(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(**fields)


def test_a_step_from_another_teams_round_is_refused(team):
    other_round = RoundFactory(team=TeamFactory(organization=team.organization))
    with pytest.raises(ValidationError, match="another team's round"):
        create(team, source_round=other_round, question=QuestionRef("llmops", "APP-5"))


def test_nul_characters_never_reach_the_database(team):
    action, _ = create(team, title="Eval\x00 gate", notes="a\x00b")
    assert (action.title, action.notes) == ("Eval gate", "ab")


def test_status_timestamps_are_held_by_the_database(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(team=team, status=ActionStatus.DONE)  # done without done_at
