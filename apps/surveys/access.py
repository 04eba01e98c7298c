"""The tenant gate for survey rounds: a round is reached through its team's rules
(apps.organizations.access), 404 for a round of another organization, then 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.organizations.access import OrgAccess, TeamAction
from apps.surveys.models import Round


def round_access(access: OrgAccess, round_public_id, action: TeamAction) -> Round:
    """Resolve a survey round of `access.organization` through its team's rules (404, then 403)."""
    round_ = (
        Round.objects.select_related("team", "bank")
        .filter(team__organization=access.organization, public_id=round_public_id)
        .first()
    )
    if round_ is None:
        raise Http404("No such round.")
    if not access.may(action, round_.team):
        raise PermissionDenied("You do not run rounds for this team.")
    return round_
