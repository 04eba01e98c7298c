"""Plans over the API: a team's actions, read and written through the same gate and the same
services (and so the same messages) as the team page."""

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api import OrganizationSlug, errors
from apps.core.text import has_nul, normalize_email
from apps.organizations.access import organization_access
from apps.organizations.models import Membership
from apps.plans import selectors, services
from apps.plans.access import action_access, plan_team
from apps.plans.csv_formats import action_link
from apps.plans.models import Action
from apps.plans.services import QuestionRef, owner_message
from apps.surveys.models import Round

router = Router(tags=["plans"])

IdempotencyKey = Annotated[
    UUID,
    Header(alias="Idempotency-Key", description="A UUID: sent again, the same action comes back."),
]

StatusName = Literal["todo", "doing", "done", "dropped"]


class PlanErrorOut(Schema):
    detail: str = Field(description="Every problem, in one sentence each.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="The same messages by field (`__all__`: the action's)."
    )


class ActionOut(Schema):
    id: UUID
    team_id: UUID | None = Field(description="Empty for an organization-level action.")
    team: str | None
    title: str
    status: StatusName
    owner: str | None = Field(description="The owner's e-mail address.")
    owner_name: str | None
    due_date: dt.date | None
    overdue: bool = Field(description="Open and due before today in the organization's zone.")
    done_when: str
    notes: str
    bank: str | None = Field(description='The question\'s bank, as "llmops".')
    question: str | None = Field(description='The question\'s code, as "APP-5".')
    question_text: str | None = Field(
        description="From the bank version the team answered last (else the newest)."
    )
    dimension: str | None
    source: Literal["hand", "step", "pattern"]
    source_round: UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
    status_changed_at: dt.datetime
    done_at: dt.datetime | None
    url: str


class ActionIn(Schema):
    title: str
    question: str | None = Field(
        None,
        description="A question's code (\"APP-5\", in the bank of the team's latest round "
        'unless `bank` says) or bank and code ("llmops:APP-5").',
    )
    bank: str | None = None
    owner: str | None = Field(None, description="The e-mail address of a member of the team.")
    due_date: dt.date | None = None
    done_when: str = ""
    notes: str = ""
    status: str = "todo"
    source_round: UUID | None = Field(
        None, description="The round whose next step this action comes from."
    )


class ActionPatch(Schema):
    """Only the fields sent change; `null` clears owner, due date or question."""

    title: str | None = None
    question: str | None = None
    bank: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    done_when: str | None = None
    notes: str | None = None
    status: str | None = None


def _out(action: Action, organization) -> ActionOut:
    info = getattr(action, "question", None)
    return ActionOut(
        id=action.public_id,
        team_id=action.team.public_id if action.team else None,
        team=action.team.name if action.team else None,
        title=action.title,
        status=action.status,
        owner=action.owner.user.email if action.owner else None,
        owner_name=action.owner.user.display_name if action.owner else None,
        due_date=action.due_date,
        overdue=getattr(action, "overdue", False),
        done_when=action.done_when,
        notes=action.notes,
        bank=action.bank_slug or None,
        question=action.question_code or None,
        question_text=info.text if info else None,
        dimension=info.dimension if info else None,
        source=action.source,
        source_round=action.source_round.public_id if action.source_round else None,
        created_at=action.created_at,
        updated_at=action.updated_at,
        status_changed_at=action.status_changed_at,
        done_at=action.done_at,
        url=action_link(action, organization),
    )


def _loaded(action: Action, organization) -> ActionOut:
    """An action as the plan lists it (question text, overdue), for a reply."""
    today = selectors.today_for(organization)
    [row] = selectors.plan_actions(Action.objects.filter(pk=action.pk), today=today)
    return _out(row, organization)


def _refused(error: ValidationError):
    fields = (
        {name: list(messages) for name, messages in error.message_dict.items()}
        if hasattr(error, "error_dict")
        else {"__all__": error.messages}
    )
    return Status(400, PlanErrorOut(detail=" ".join(error.messages), fields=fields))


def _owner(organization, team, email: str | None) -> Membership | None:
    if not email:
        return None
    if has_nul(email):
        raise ValidationError({"owner": owner_message(team, organization)})
    owner = (
        Membership.objects.select_related("user")
        .filter(organization=organization, user__email=normalize_email(email))
        .first()
    )
    if owner is None:
        raise ValidationError({"owner": owner_message(team, organization)})
    return owner


def _question(team, code: str | None, bank: str | None) -> QuestionRef | None:
    code = (code or "").strip()
    if not code:
        return None
    if ":" in code:
        try:
            return QuestionRef.parse(code)
        except ValidationError as error:
            raise ValidationError({"question": error.messages}) from None
    slug = (bank or "").strip()
    if not slug:
        latest = selectors.latest_bank_for(team)
        if latest is None:
            raise ValidationError(
                {"question": f"Say which bank {code} is in, as “bank”: “llmops”."}
            )
        slug = latest.slug
    return QuestionRef(slug, code)


@router.get(
    "/organizations/{slug}/teams/{team_id}/actions",
    response={200: list[ActionOut], **errors(403, 404, 422)},
)
@paginate
def list_actions(request, slug: OrganizationSlug, team_id: UUID):
    """The team's plan: open actions first (soonest due first), then done and dropped."""
    access = organization_access(request.user, slug)
    team = plan_team(access, team_id, write=False)
    today = selectors.today_for(access.organization)
    return [_out(a, access.organization) for a in selectors.team_plan(team, today=today)]


@router.post(
    "/organizations/{slug}/teams/{team_id}/actions",
    response={200: ActionOut, 201: ActionOut, 400: PlanErrorOut, **errors(403, 404, 422)},
)
def create_action(
    request,
    slug: OrganizationSlug,
    team_id: UUID,
    payload: ActionIn,
    idempotency_key: IdempotencyKey = None,
):
    """Add an action to the team's plan (its leads, admins and owners). With the same
    `Idempotency-Key` (a UUID) again, or for a next step (`source_round` and `question`) that
    has an open action already, the existing action comes back with 200 instead of 201."""
    access = organization_access(request.user, slug)
    team = plan_team(access, team_id, write=True)
    organization = access.organization
    try:
        source_round = None
        if payload.source_round is not None:
            source_round = Round.objects.filter(team=team, public_id=payload.source_round).first()
            if source_round is None:
                raise ValidationError({"source_round": "That round is not one of this team's."})
        action, created = services.action_create(
            organization=organization,
            team=team,
            title=payload.title,
            created_by=request.user,
            owner=_owner(organization, team, payload.owner),
            due_date=payload.due_date,
            done_when=payload.done_when,
            notes=payload.notes,
            question=_question(team, payload.question, payload.bank),
            status=payload.status,
            source_round=source_round,
            form_token=idempotency_key,
        )
    except ValidationError as error:
        return _refused(error)
    return Status(201 if created else 200, _loaded(action, organization))


@router.get(
    "/organizations/{slug}/actions/{action_id}",
    response={200: ActionOut, **errors(403, 404, 422)},
)
def get_action(request, slug: OrganizationSlug, action_id: UUID):
    access = organization_access(request.user, slug)
    action = action_access(access, action_id, write=False)
    return _loaded(action, access.organization)


@router.patch(
    "/organizations/{slug}/actions/{action_id}",
    response={200: ActionOut, 400: PlanErrorOut, **errors(403, 404, 422)},
)
def update_action(request, slug: OrganizationSlug, action_id: UUID, payload: ActionPatch):
    """Change the fields sent. A new status records when; `done` is what the next round's
    plan check reads."""
    access = organization_access(request.user, slug)
    action = action_access(access, action_id, write=True)
    sent = payload.dict(exclude_unset=True)
    changes = {}
    try:
        for name in ("title", "done_when", "notes", "status"):
            if name in sent:
                changes[name] = sent[name] if sent[name] is not None else ""
        if "due_date" in sent:
            changes["due_date"] = sent["due_date"]
        if "owner" in sent:
            changes["owner"] = _owner(access.organization, action.team, sent["owner"])
        if "question" in sent or "bank" in sent:
            code = sent.get("question", action.question_code if "bank" in sent else None)
            changes["question"] = _question(action.team, code, sent.get("bank"))
        action = services.action_update(action=action, **changes)
    except ValidationError as error:
        return _refused(error)
    return _loaded(action, access.organization)


@router.delete(
    "/organizations/{slug}/actions/{action_id}",
    response={204: None, 400: PlanErrorOut, **errors(403, 404, 422)},
)
def delete_action(request, slug: OrganizationSlug, action_id: UUID):
    access = organization_access(request.user, slug)
    action = action_access(access, action_id, write=True)
    try:
        services.action_delete(action=action)
    except ValidationError as error:
        return _refused(error)
    return Status(204, None)
