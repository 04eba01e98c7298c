"""Template helpers of plans: the status menu's choices, and for a next step whether it is in
the plan already and the link that adds it."""

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


def _open_step_actions(request, round_) -> dict:
    """{question code: open action} made from this round's steps: one query per page, kept on
    the request (the template is included once per step)."""
    cache = request.__dict__.setdefault("_plans_step_actions", {})
    if round_.pk not in cache:
        cache[round_.pk] = {
            a.question_code: a
            for a in Action.objects.open().filter(
                team_id=round_.team_id, source_round=round_, bank_slug=round_.bank.slug
            )
        }
    return cache[round_.pk]


@register.simple_tag(takes_context=True)
def step_in_plan(context, step, round_, team) -> dict:
    """For a next step: `existing` (its open action in the plan, if any), `may_write` and
    `add_url` (the new-action form, filled in from the step)."""
    request = context["request"]
    access = getattr(request, "org_access", None)
    existing = _open_step_actions(request, round_).get(step.code)
    may_write = access is not None and may_write_plan(access, team) and not team.is_archived
    query = urlencode(
        {
            "title": step_title(step),
            "done_when": Truncator(step.guidance).chars(DONE_WHEN_MAX),
            "question": f"{round_.bank.slug}:{step.code}",
            "round": str(round_.public_id),
        }
    )
    slug = access.organization.slug if access else ""
    add_url = f"{reverse('plans:action_new', args=[slug, team.public_id])}?{query}" if slug else ""
    return {"existing": existing, "may_write": may_write, "add_url": add_url}
