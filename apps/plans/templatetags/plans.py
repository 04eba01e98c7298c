"""Template helpers of plans: the status menu's choices, and for a next step whether it is in
the plan already and the link that adds it."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.text import Truncator

from apps.plans.access import OWNER_STATUSES, is_owner, may_write_plan
from apps.plans.models import Action, ActionStatus
from apps.plans.services import DONE_WHEN_MAX, TITLE_MAX

register = template.Library()

STEP_TITLE_WORDS = 14


@register.simple_tag
def action_statuses(for_owner: bool = False):
    """The status menu's choices; for an owner who may not change the plan, those an owner may
    set (`access.OWNER_STATUSES`)."""
    if for_owner:
        return [(value, label) for value, label in ActionStatus.choices if value in OWNER_STATUSES]
    return ActionStatus.choices


@register.simple_tag(takes_context=True)
def action_owned_by_viewer(context, action) -> bool:
    """Whether the person viewing the page owns `action` (and so may set its status)."""
    access = getattr(context.get("request"), "org_access", None)
    return access is not None and is_owner(access, action)


def step_title(step) -> str:
    """An action's first title from a next step: "APP-5 to Managed: <the question>"."""
    question = Truncator(step.text).words(STEP_TITLE_WORDS, truncate="…")
    return Truncator(f"{step.code} to {step.next_level_name}: {question}").chars(TITLE_MAX)


@dataclass(frozen=True)
class _StepsPage:
    """What every next step of one round's page shares: the open actions made from the round's
    steps (one query), whether the viewer may change the team's plan, the new-action link."""

    actions: dict  # question code: open action
    may_write: bool
    new_action_url: str  # "" when the viewer may not add


def _steps_page(request, round_, team) -> _StepsPage:
    """Worked out once per page and kept on the request (the template is included once per
    step, 32 times on a large round's result)."""
    cache = request.__dict__.setdefault("_plans_steps_page", {})
    key = (round_.pk, team.pk)
    if key not in cache:
        access = getattr(request, "org_access", None)
        may_write = access is not None and may_write_plan(access, team) and not team.is_archived
        cache[key] = _StepsPage(
            actions={
                a.question_code: a
                for a in Action.objects.open().filter(
                    team_id=round_.team_id, source_round=round_, bank_slug=round_.bank.slug
                )
            },
            may_write=may_write,
            new_action_url=reverse(
                "plans:action_new", args=[access.organization.slug, team.public_id]
            )
            if may_write
            else "",
        )
    return cache[key]


@register.simple_tag(takes_context=True)
def step_in_plan(context, step, round_, team) -> dict:
    """For a next step: `existing` (its open action in the plan, if any), `may_write` and
    `add_url` (the new-action form, filled in from the step; only for one who may add it)."""
    page = _steps_page(context["request"], round_, team)
    existing = page.actions.get(step.code)
    add_url = ""
    if page.may_write and existing is None:
        query = urlencode(
            {
                "title": step_title(step),
                "done_when": Truncator(step.guidance).chars(DONE_WHEN_MAX),
                "question": f"{round_.bank.slug}:{step.code}",
                "round": str(round_.public_id),
            }
        )
        add_url = f"{page.new_action_url}?{query}"
    return {"existing": existing, "may_write": page.may_write, "add_url": add_url}
