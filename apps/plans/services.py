"""Writes for plans: create, change and delete actions. The pages, the API and (later) the
organization patterns all come through here, so the checks and their messages are the same
everywhere. Who may call which is the gate's business (apps.plans.access), not these."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core import audit, jobs
from apps.core.text import has_nul, without_nul
from apps.organizations.models import Membership, Organization, Role, Team
from apps.plans.models import Action, ActionSource, ActionStatus
from apps.plans.selectors import is_team_member, today_for
from apps.surveys.models import BankStatus, Question, Round

TITLE_MAX = 200
DONE_WHEN_MAX = 2000
NOTES_MAX = 5000
MAX_YEARS_AHEAD = 5
OWNER_IN_TEAM = "action_owner_in_team"  # plans 0002
ONE_OPEN_PER_STEP = "action_one_open_per_step"
ONE_OPEN_PER_PATTERN = "action_one_open_per_pattern"
QUESTION_UNKNOWN = "Name the question as bank and code, such as “llmops:APP-5”."


@dataclass(frozen=True)
class QuestionRef:
    """The question an action addresses: a bank's slug and the question's code."""

    bank_slug: str
    code: str

    @classmethod
    def parse(cls, value: str) -> "QuestionRef | None":
        """From a form's "llmops:APP-5"; None for an empty value."""
        value = (value or "").strip()
        if not value:
            return None
        slug, _, code = value.partition(":")
        if not slug or not code:
            raise ValidationError(QUESTION_UNKNOWN)
        return cls(slug.strip(), code.strip())


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()  # an argument of action_update that was not given: that field stays


def owner_message(team: Team | None, organization: Organization) -> str:
    where = team.name if team is not None else organization.name
    return f"The owner must be a member of {where}."


def _text(errors: dict, field: str, value: str, *, limit: int, required: str = "") -> str:
    text = without_nul(value or "")
    if required and not text:
        errors[field] = required
    elif len(text) > limit:
        errors[field] = f"Keep it to {limit} characters (this is {len(text)})."
    return text


def _check_due(errors: dict, due_date: dt.date | None, today: dt.date) -> None:
    """A due date being set: today or later, within five years (a far date is a typo)."""
    if due_date is None:
        return
    if due_date < today:
        errors["due_date"] = (
            f"That day has passed. Pick today ({today:%d %b %Y}) or a later day, or leave it empty."
        )
    elif due_date > today + dt.timedelta(days=365 * MAX_YEARS_AHEAD + 1):
        errors["due_date"] = f"Pick a due date within {MAX_YEARS_AHEAD} years."


def _check_question(errors: dict, question: QuestionRef | None) -> None:
    if question is None:
        return
    if has_nul(question.bank_slug, question.code):
        errors["question"] = QUESTION_UNKNOWN
        return
    exists = (
        Question.objects.filter(bank__slug=question.bank_slug, code=question.code)
        .exclude(bank__status=BankStatus.DRAFT)
        .exists()
    )
    if not exists:
        errors["question"] = (
            f"There is no question {question.code} in the “{question.bank_slug}” bank."
        )


def _check_owner(
    errors: dict, owner: Membership | None, team: Team | None, organization: Organization
) -> None:
    if owner is None:
        return
    if owner.organization_id != organization.pk or (
        team is not None and not is_team_member(team, owner)
    ):
        errors["owner"] = owner_message(team, organization)
    elif team is None and owner.role < Role.EXECUTIVE:
        errors["owner"] = "The owner of an organization action is an executive, admin or owner."


def _check_status(errors: dict, status: str) -> None:
    if status not in ActionStatus.values:
        names = ", ".join(f"“{value}”" for value in ActionStatus.values)
        errors["status"] = f"The status is one of {names}."


def _check_team_active(team: Team | None) -> None:
    if team is not None and team.is_archived:
        raise ValidationError(f"{team.name} is archived; restore it to change its plan.")


def _violated(error: IntegrityError) -> str:
    """The name of the constraint an IntegrityError broke ("" where the driver does not say)."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def _status_fields(action: Action | None, status: str, now: dt.datetime) -> dict:
    """The fields that change with the status: when it changed, started, was done or dropped."""
    if action is not None and action.status == status:
        return {}
    fields = {
        "status": status,
        "status_changed_at": now,
        "done_at": now if status == ActionStatus.DONE else None,
        "dropped_at": now if status == ActionStatus.DROPPED else None,
    }
    if status == ActionStatus.DOING and (action is None or action.started_at is None):
        fields["started_at"] = now
    return fields


def _twin(
    organization: Organization,
    team: Team | None,
    form_token: uuid.UUID | None,
    step: tuple | None,
    pattern: QuestionRef | None = None,
) -> Action | None:
    """The action an earlier submit of the same form, or of the same step, already created."""
    if form_token is not None:
        earlier = Action.objects.filter(organization=organization, form_token=form_token).first()
        if earlier is not None:
            if earlier.team_id != (team.pk if team else None):
                raise ValidationError("This form was already used. Reload the page and try again.")
            return earlier
    if step is not None:
        source_round, question = step
        return (
            Action.objects.open()
            .filter(
                team=team,
                source=ActionSource.STEP,
                source_round=source_round,
                bank_slug=question.bank_slug,
                question_code=question.code,
            )
            .first()
        )
    if pattern is not None:
        return (
            Action.objects.open()
            .filter(
                organization=organization,
                source=ActionSource.PATTERN,
                bank_slug=pattern.bank_slug,
                question_code=pattern.code,
            )
            .first()
        )
    return None


def open_pattern_action(organization: Organization, question: QuestionRef) -> Action | None:
    """The organization's open action already made from the pattern on `question`, if any."""
    return _twin(organization, None, None, None, question)


@transaction.atomic
def action_create(
    *,
    organization: Organization,
    team: Team | None,
    title: str,
    created_by,
    owner: Membership | None = None,
    due_date: dt.date | None = None,
    done_when: str = "",
    notes: str = "",
    question: QuestionRef | None = None,
    status: str = ActionStatus.TODO,
    source_round: Round | None = None,
    source: str | None = None,
    form_token: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> tuple[Action, bool]:
    """Add an action to a team's plan (or the organization's, `team=None`): (action, created).

    Idempotent twice over: a second submit of the same form (`form_token`, a double click) and
    a second "Add to plan" of the same step (an open action from `source_round` about the same
    question, a database constraint) return the action the first one created, with False.
    """
    if team is not None and team.organization_id != organization.pk:
        raise ValueError("The team is not in this organization.")
    _check_team_active(team)
    now = now or timezone.now()
    source = source or (ActionSource.STEP if source_round is not None else ActionSource.HAND)
    step = None
    if source == ActionSource.STEP:
        if team is None or source_round is None or source_round.team_id != team.pk:
            raise ValidationError("That next step is from another team's round.")
        if question is None:
            raise ValidationError(
                {"question": "An action from a next step addresses its question."}
            )
        step = (source_round, question)
    pattern = None
    if source == ActionSource.PATTERN:
        if team is not None:
            raise ValidationError("An organization pattern becomes an organization action.")
        if question is None:
            raise ValidationError({"question": "An action from a pattern addresses its question."})
        pattern = question
    earlier = _twin(organization, team, form_token, step, pattern)
    if earlier is not None:
        return earlier, False
    errors: dict[str, str] = {}
    title = _text(errors, "title", title, limit=TITLE_MAX, required="Give the action a title.")
    done_when = _text(errors, "done_when", done_when, limit=DONE_WHEN_MAX)
    notes = _text(errors, "notes", notes, limit=NOTES_MAX)
    _check_status(errors, status)
    _check_due(errors, due_date, today_for(organization, now))
    _check_question(errors, question)
    _check_owner(errors, owner, team, organization)
    if errors:
        raise ValidationError(errors)
    action = Action(
        organization=organization,
        team=team,
        title=title,
        bank_slug=question.bank_slug if question else "",
        question_code=question.code if question else "",
        owner=owner,
        due_date=due_date,
        done_when=done_when,
        notes=notes,
        source=source,
        source_round=source_round,
        form_token=form_token,
        created_by=created_by,
        **{"status_changed_at": now, **_status_fields(None, status, now)},
    )
    try:
        with transaction.atomic():  # a savepoint: the twin's lookup below still runs
            action.save()
    except IntegrityError as error:
        # A concurrent submit of the same form or step won the race: return its action.
        earlier = _twin(organization, team, form_token, step, pattern)
        if earlier is not None:
            return earlier, False
        if _violated(error) == OWNER_IN_TEAM:  # they left the team meanwhile (plans 0002)
            raise ValidationError({"owner": owner_message(team, organization)}) from None
        raise
    audit.record(
        "plan_action.created",
        organization=organization,
        obj=action,
        after={"team": team.name if team else None, "title": action.title, "status": status},
    )
    return action, True


def _audit_value(value):
    """A field's value as the audit log keeps it: an owner by their e-mail."""
    if isinstance(value, Membership):
        return value.user.email
    return value


@transaction.atomic
def action_update(
    *,
    action: Action,
    title=UNSET,
    owner=UNSET,
    due_date=UNSET,
    done_when=UNSET,
    notes=UNSET,
    question=UNSET,
    status=UNSET,
    now: dt.datetime | None = None,
) -> Action:
    """Change what is given of an action; the rest stays.

    A new status records when (done_at is what the next round's plan check reads). A due date
    that changes must be today or later, and a new due date or a new owner re-arms the
    reminder (one e-mail per action per due date, apps.plans.reminders).
    """
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("team", "organization")
        .get(pk=action.pk)
    )
    _check_team_active(action.team)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    fields: dict = {}
    if title is not UNSET:
        fields["title"] = _text(
            errors, "title", title, limit=TITLE_MAX, required="Give the action a title."
        )
    if done_when is not UNSET:
        fields["done_when"] = _text(errors, "done_when", done_when, limit=DONE_WHEN_MAX)
    if notes is not UNSET:
        fields["notes"] = _text(errors, "notes", notes, limit=NOTES_MAX)
    if due_date is not UNSET and due_date != action.due_date:
        _check_due(errors, due_date, today_for(action.organization, now))
        fields["due_date"] = due_date
    if owner is not UNSET and (owner.pk if owner else None) != action.owner_id:
        _check_owner(errors, owner, action.team, action.organization)
        fields["owner"] = owner
    if question is not UNSET:
        current = QuestionRef(action.bank_slug, action.question_code) if action.bank_slug else None
        if question != current:
            if question is None and action.source in (ActionSource.STEP, ActionSource.PATTERN):
                errors["question"] = "An action from a next step or a pattern keeps its question."
            else:
                _check_question(errors, question)
            fields["bank_slug"] = question.bank_slug if question else ""
            fields["question_code"] = question.code if question else ""
    if status is not UNSET:
        _check_status(errors, status)
        if not errors.get("status"):
            fields.update(_status_fields(action, status, now))
    if errors:
        raise ValidationError(errors)
    changed = [name for name in fields if name in AUDITED_FIELDS]
    before = {name: _audit_value(getattr(action, name)) for name in changed}
    if "due_date" in fields or "owner" in fields:
        fields["reminded_for_due"] = None
    for name, value in fields.items():
        setattr(action, name, value)
    if fields:
        try:
            with transaction.atomic():
                action.save(update_fields=[*fields, "updated_at"])
        except IntegrityError as error:
            if _violated(error) == ONE_OPEN_PER_STEP:  # reopened while the step has another
                raise ValidationError(
                    {"status": "This next step has another open action in the plan already."}
                ) from None
            if _violated(error) == ONE_OPEN_PER_PATTERN:
                raise ValidationError(
                    {"status": "This pattern has another open organization action already."}
                ) from None
            if _violated(error) == OWNER_IN_TEAM:
                raise ValidationError(
                    {"owner": owner_message(action.team, action.organization)}
                ) from None
            raise
    after = {name: _audit_value(getattr(action, name)) for name in changed}
    changed = [name for name in changed if before[name] != after[name]]
    if changed:
        audit.record(
            "plan_action.updated",
            organization=action.organization,
            obj=action,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return action


# What an action's update entry shows (not its timestamps or reminder bookkeeping).
AUDITED_FIELDS = (
    "title",
    "owner",
    "due_date",
    "done_when",
    "notes",
    "bank_slug",
    "question_code",
    "status",
)


@transaction.atomic
def action_delete(*, action: Action) -> None:
    """Delete an action and its reminder not sent yet."""
    from apps.plans.tasks import send_action_reminder

    _check_team_active(action.team)
    jobs.discard({send_action_reminder: Action.objects.filter(pk=action.pk)})
    audit.record(
        "plan_action.deleted",
        organization=action.organization,
        obj=action,
        before={"title": action.title, "status": action.status},
    )
    action.delete()


def actions_purge(*, organization: Organization) -> None:
    """Clear the way for deleting an organization: its reminders not sent yet go."""
    from apps.plans.tasks import send_action_reminder

    jobs.discard({send_action_reminder: Action.objects.filter(organization=organization)})
