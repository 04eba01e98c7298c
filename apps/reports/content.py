"""What a report is about, as a fingerprint: it changes when the report would change, so that an
unchanged scope gets the same report back (`services.report_request`) and a changed one (a new
response, a closed round, a target set, an action changed, another day: what is overdue) a new
one.

What each report says is built by `retro_pack` (a round; a team's history) and `board_brief`
(the organization).
"""

from django.db.models import Count, Max, Q

from apps.organizations.models import Team
from apps.plans.models import Action
from apps.plans.selectors import today_for
from apps.scoring.models import Target, TargetPolicy, TeamScore
from apps.surveys.models import Response, Round, RoundStatus


def _targets_state(organization_id: int, team_id: int | None = None) -> str:
    """The targets a report measures against: the organization's defaults and, for a team's
    report, its own (every team's, for the organization's)."""
    targets = Target.objects.filter(organization_id=organization_id)
    if team_id is not None:
        targets = targets.filter(Q(team_id=team_id) | Q(team__isnull=True))
    state = targets.aggregate(n=Count("pk"), last=Max("updated_at"))
    below = TargetPolicy.objects.filter(
        organization_id=organization_id, teams_may_go_below=True
    ).exists()
    return f"targets:{state['n']}:{state['last']}:{below}"


def _plans_state(actions) -> str:
    """The plans a report shows (a deleted action lowers the count)."""
    state = actions.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"plans:{state['n']}:{state['last']}"


def fingerprint_source(scope: str, obj) -> str:
    """A description of the data a report shows; it changes when the report would change."""
    if scope == "round":
        submitted = Response.objects.filter(round=obj, status="submitted")
        last = submitted.order_by("-submitted_at").values_list("submitted_at", flat=True).first()
        organization = obj.team.organization
        targets = _targets_state(organization.pk, obj.team_id)
        plans = _plans_state(Action.objects.filter(team_id=obj.team_id))
        return (
            f"round:{obj.pk}:{obj.status}:{submitted.count()}:{last}:{targets}:{plans}:"
            f"{today_for(organization)}"
        )
    if scope == "team":
        rounds = Round.objects.filter(team=obj, status=RoundStatus.CLOSED)
        targets = _targets_state(obj.organization_id, obj.pk)
        plans = _plans_state(Action.objects.filter(team=obj))
        return (
            f"team:{obj.pk}:{sorted(rounds.values_list('pk', flat=True))}:{targets}:{plans}:"
            f"{today_for(obj.organization)}"
        )
    scores = TeamScore.objects.filter(round__team__organization=obj).aggregate(
        n=Count("pk"), last=Max("computed_at")
    )
    teams = sorted(
        Team.objects.filter(organization=obj, archived_at__isnull=True).values_list("pk", flat=True)
    )  # an archived team leaves the brief
    return f"organization:{obj.pk}:{scores['n']}:{scores['last']}:{teams}:{_targets_state(obj.pk)}"
