"""Plans' part of the organization's home page (apps.organizations.home_page): the actions due
soon in the teams a person leads, and those they own, overdue first."""

import datetime as dt

from django.db.models import Q

from apps.organizations.access import OrgAccess
from apps.organizations.home_page import home_section_register
from apps.plans.models import Action
from apps.plans.selectors import today_for

DUE_WITHIN = dt.timedelta(days=14)  # "due soon": the next two weeks
SHOWN = 8


def _due_actions(access: OrgAccess) -> dict | None:
    """Open actions due by two weeks from today (the organization's today, the plan's overdue
    rule) in the teams the person leads or owned by them. Leads always see the section; anyone
    else only when something is due."""
    today = today_for(access.organization)
    due = (
        Action.objects.open()
        .filter(organization=access.organization, due_date__lte=today + DUE_WITHIN)
        .filter(Q(team_id__in=access.led_team_ids) | Q(owner=access.membership))
        .select_related("team", "owner__user")
        .order_by("due_date", "pk")
    )
    actions = list(due[: SHOWN + 1])
    if not actions and not access.led_team_ids:
        return None
    for action in actions:
        action.overdue = action.is_overdue(today)
        action.due_today = action.due_date == today
    return {"actions": actions[:SHOWN], "more": len(actions) > SHOWN, "days": DUE_WITHIN.days}


home_section_register(template="plans/_home_due_actions.html", context=_due_actions, order=40)
