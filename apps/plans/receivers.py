"""Plans' part in the hooks of the apps below, which never import plans (STYLE rule 15): the
team page shows the plan (apps.organizations.team_page), the round result checks it, the team
history sums it up, each next step offers "Add to plan" and each organization pattern on
the dashboard "Make it an organization action" (apps.scoring.result_page); an
organization's purge discards its reminders; leaving a team leaves its actions unowned."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.organizations.models import TeamMembership
from apps.organizations.signals import organization_purging
from apps.organizations.team_page import team_section_register
from apps.plans import selectors, services
from apps.plans.access import may_write_plan
from apps.plans.check import plan_check
from apps.plans.models import Action
from apps.plans.views import plan_section
from apps.scoring.result_page import (
    history_section_register,
    pattern_action_register,
    result_section_register,
    step_action_register,
)


@receiver(organization_purging, dispatch_uid="plans.actions_purge")
def _purge_actions(sender, organization, **kwargs) -> None:
    services.actions_purge(organization=organization)


@receiver(post_delete, sender=TeamMembership, dispatch_uid="plans.owner_left_team")
def _owner_left_team(sender, instance, **kwargs) -> None:
    """Someone left a team: the actions they owned there have no owner now. (PostgreSQL does
    it by itself, plans 0002; this holds on SQLite too.)"""
    Action.objects.filter(team_id=instance.team_id, owner_id=instance.membership_id).update(
        owner=None
    )


def _plan_check(access, round_, result) -> dict:
    check = plan_check(round_, result, viewer=access)
    return {
        "check": check,
        # A team without a plan gets no section (its next steps offer "Add to plan").
        "shown": bool(check.actions) or Action.objects.filter(team_id=round_.team_id).exists(),
        "may_write": may_write_plan(access, round_.team),
    }


def _plan_summary(access, team, points) -> dict:
    today = selectors.today_for(access.organization)
    return {"summary": selectors.plan_summary(Action.objects.filter(team=team), today=today)}


team_section_register(template="plans/_plan_section.html", context=plan_section)
result_section_register(template="plans/_plan_check.html", context=_plan_check)
history_section_register(template="plans/_plan_summary.html", context=_plan_summary)
step_action_register(template="plans/_step_action.html")
pattern_action_register(template="plans/_pattern_action.html")
