"""The demo's targets: the organization's default for each LLMOps dimension, set by the
executive, and one team's own higher target, set by its lead, both due at the end of next
quarter. Through `apps.scoring.targets`, as the Targets pages set them. Idempotent: a target
that is there already (the demo's, or one changed since) is left as it is."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.organizations.access import organization_access
from apps.organizations.models import Membership, Organization, Role, Team, TeamMembership
from apps.scoring.models import Target
from apps.scoring.targets import target_banks, target_set

BANK = "llmops"
# (dimension key, level number): Managed in both dimensions.
DEFAULTS = (("application", 3), ("operational", 3))
# The team that aims higher than the default, in one dimension: Developer Tools, Managed in
# operations already, wants Optimized.
TEAM_TARGET = ("Developer Tools", "operational", 4)


def end_of_next_quarter(day: dt.date) -> dt.date:
    """The last day of the quarter after the one `day` is in."""
    quarter = (day.month - 1) // 3 + 2  # the quarter after next, counted from 0
    year = day.year + quarter // 4
    return dt.date(year, quarter % 4 * 3 + 1, 1) - dt.timedelta(days=1)


def _access(organization: Organization, membership: Membership):
    """The gate's access for one of the demo's people, as their own request would have it."""
    return organization_access(membership.user, organization.slug)


@transaction.atomic
def seed_targets(organization: Organization) -> int:
    """Set the targets that are not there yet; return how many were set."""
    if not target_banks([BANK]):
        return 0
    due = end_of_next_quarter(timezone.localdate())
    existing = set(
        Target.objects.filter(organization=organization, bank_slug=BANK).values_list(
            "team__name", "dimension_key"
        )
    )
    created = 0
    executive = (
        Membership.objects.filter(organization=organization, role=Role.EXECUTIVE)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    if executive is not None:
        access = _access(organization, executive)
        for key, level in DEFAULTS:
            if (None, key) not in existing:
                target_set(access=access, bank_slug=BANK, dimension_key=key, level=level, due=due)
                created += 1
    team_name, key, level = TEAM_TARGET
    team = Team.objects.filter(organization=organization, name=team_name).first()
    lead = (
        TeamMembership.objects.filter(team=team, is_lead=True)
        .select_related("membership__user")
        .order_by("membership__user__email")
        .first()
    )
    if team is not None and lead is not None and (team_name, key) not in existing:
        target_set(
            access=_access(organization, lead.membership),
            bank_slug=BANK,
            dimension_key=key,
            level=level,
            due=due,
            team=team,
        )
        created += 1
    return created
