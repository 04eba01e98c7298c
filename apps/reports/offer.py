"""Whether a report can be built at all, and if not, why (the request button says it).

Every report is made of team results, and team results show only once a round has closed at or
above its minimum respondents (DESIGN §3, `Round.results_visible` and its SQL twin
`Round.objects.results_visible()`). So: no retro pack for an open or withheld round, no team
history PDF before the team has a visible round, no board brief before some team has one. The
request is refused with the reason (409) instead of building a PDF that says nothing.
"""

from apps.core.errors import RefusedError
from apps.reports.models import ReportScope
from apps.scoring.selectors import RoundResult, Withheld, round_team_result
from apps.surveys.models import Round


class ReportUnavailable(RefusedError):
    """A report that cannot be built yet: its message says why."""

    status = 409


def round_unavailable(result: RoundResult) -> str | None:
    """Why this round has no retro pack (its result is withheld), or None when it has one."""
    if result.visible:
        return None
    if result.reason == Withheld.OPEN:
        return (
            f"No retro pack while the round is open ({result.message}): team results show "
            f"once it has closed with at least {result.needed} respondents."
        )
    return (
        f"No retro pack: the round closed below its threshold ({result.message}), so its "
        "team results stay withheld."
    )


def round_unavailable_note(result: RoundResult) -> str | None:
    """The same answer as `round_unavailable`, short, for beside the request button (the page
    shows the counts already)."""
    if result.visible:
        return None
    if result.reason == Withheld.OPEN:
        return f"Available once the round has closed with at least {result.needed} respondents."
    return "Not available: the round closed below its threshold."


def team_unavailable(has_visible_round: bool) -> str | None:
    if has_visible_round:
        return None
    return "No team history PDF yet: no closed round of this team has met its threshold."


def organization_unavailable(has_visible_round: bool) -> str | None:
    if has_visible_round:
        return None
    return "No board brief yet: no team has a closed round that met its threshold."


def unavailable_reason(scope: str, obj) -> str | None:
    """Why a report of `scope` about `obj` cannot be built now, or None when it can."""
    if scope == ReportScope.ROUND:
        if Round.objects.filter(pk=obj.pk).results_visible().exists():
            return None
        return round_unavailable(round_team_result(obj, questions=False))
    if scope == ReportScope.TEAM:
        return team_unavailable(Round.objects.filter(team=obj).results_visible().exists())
    return organization_unavailable(
        Round.objects.filter(team__organization=obj, team__archived_at__isnull=True)
        .results_visible()
        .exists()
    )


def require_available(scope: str, obj) -> None:
    """Refuse (409, with the reason) a report that would have no team results to show."""
    reason = unavailable_reason(scope, obj)
    if reason:
        raise ReportUnavailable(reason)
