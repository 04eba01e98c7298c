"""Rounds, results, history and the dashboard, through the same gate and thresholds as the pages."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import Count, Q
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from apps.core.api import OrganizationSlug, errors
from apps.organizations.access import TeamAction, organization_access, team_access
from apps.organizations.models import Role
from apps.organizations.selectors import teams_visible_to
from apps.scoring import selectors
from apps.scoring.dashboard import executive_dashboard
from apps.surveys.access import round_access
from apps.surveys.models import Round

router = Router(tags=["results"])


class RoundOut(Schema):
    id: UUID
    title: str
    team_id: UUID
    team: str
    bank: str
    bank_version: int
    opens_at: datetime
    closes_at: datetime
    status: str
    anonymous: bool
    min_respondents: int
    submitted: int


class ScoreOut(Schema):
    dimension: str
    name: str
    mean: Decimal
    max: Decimal
    percent: Decimal
    level: int
    level_name: str
    change_pts: Decimal | None = None


class CommentOut(Schema):
    """A respondent's comment and evidence link on a question, never with a name."""

    answer: str  # the answer it comes with: the option's level (or text), N/A or don't know
    comment: str
    evidence_url: str | None = None


class QuestionOut(Schema):
    code: str
    text: str
    counts: dict[int, int]
    disagreement: bool
    comments: list[CommentOut] = []


class ResultOut(Schema):
    round: UUID
    respondents: int
    needed: int
    visible: bool
    message: str | None = None
    scores: list[ScoreOut] = []
    questions: list[QuestionOut] = []


class HistoryPointOut(Schema):
    round: UUID
    title: str
    closed: datetime
    bank: str
    bank_version: int
    new_question_set: bool = Field(
        description="The round was answered on another bank version than the team's round "
        "before it: a change here is not progress alone."
    )
    previous_bank_version: int | None = Field(
        None, description="The version of that earlier round's bank, when `new_question_set`."
    )
    respondents: int
    visible: bool
    message: str | None = None
    scores: list[ScoreOut] = []


class DashboardRowOut(Schema):
    team_id: UUID
    team: str
    latest_round: str
    closed: datetime
    bank: str = Field(description='The latest round\'s bank and version, as "llmops v2".')
    scores: dict[str, Decimal]
    levels: dict[str, str]
    change_pts: Decimal | None
    change_across_versions: bool = Field(
        description="`change_pts` compares rounds on two bank versions: not progress alone."
    )


def _score(row) -> ScoreOut:
    return ScoreOut(
        dimension=row.key,
        name=row.name,
        mean=row.mean,
        max=row.max_points,
        percent=row.percent,
        level=row.level_number,
        level_name=row.level_name,
        change_pts=row.change,
    )


def _in_utc(value: datetime) -> datetime:
    """`value` in UTC (a naive one is read in the default time zone, as Django would).

    PostgreSQL refuses offsets beyond 15:59 and Python's datetime cannot hold an instant that an
    offset pushes past 0001-01-01 or 9999-12-31: those clamp to the first or last instant."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=timezone.get_default_timezone())
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == datetime.min.year else datetime.max).replace(
            tzinfo=UTC
        )


@router.get("/organizations/{slug}/rounds", response={200: list[RoundOut], **errors(404, 422)})
@paginate
def list_rounds(request, slug: OrganizationSlug, team: UUID | None = None):
    """Rounds of the teams you may see, newest first; `team` narrows to one team."""
    access = organization_access(request.user, slug)
    rounds = (
        Round.objects.filter(team__in=teams_visible_to(access).values("pk"))
        .select_related("team", "bank")
        .annotate(n_submitted=Count("responses", filter=Q(responses__status="submitted")))
        .order_by("-opens_at", "-pk")
    )
    if team is not None:
        rounds = rounds.filter(team__public_id=team)
    return [
        RoundOut(
            id=r.public_id,
            title=r.title,
            team_id=r.team.public_id,
            team=r.team.name,
            bank=r.bank.slug,
            bank_version=r.bank.version,
            opens_at=r.opens_at,
            closes_at=r.closes_at,
            status=r.status,
            anonymous=r.anonymous,
            min_respondents=r.min_respondents,
            submitted=r.n_submitted,
        )
        for r in rounds
    ]


@router.get(
    "/organizations/{slug}/rounds/{round_id}/result",
    response={200: ResultOut, **errors(403, 404, 422)},
)
def round_result(request, slug: OrganizationSlug, round_id: UUID):
    """A round's team result once it has closed at or above its threshold; else only the count."""
    access = organization_access(request.user, slug)
    round_ = round_access(access, round_id, TeamAction.VIEW)
    result = selectors.round_team_result(round_, viewer=access)
    if not result.visible:
        return ResultOut(
            round=round_id,
            respondents=result.n,
            needed=result.needed,
            visible=False,
            message=result.message,
        )
    return ResultOut(
        round=round_id,
        respondents=result.n,
        needed=result.needed,
        visible=True,
        scores=[_score(row) for row in [*result.dimensions, result.total]],
        questions=[
            QuestionOut(
                code=q.code,
                text=q.text,
                counts={points: n for _, points, n in q.counts},
                disagreement=q.disagreement,
                comments=[
                    CommentOut(
                        answer=note.answer,
                        comment=note.comment,
                        evidence_url=note.evidence_url or None,
                    )
                    for note in q.comments
                ],
            )
            for q in result.questions
        ],
    )


@router.get(
    "/organizations/{slug}/teams/{team_id}/history",
    response={200: list[HistoryPointOut], **errors(403, 404, 422)},
)
def team_history(request, slug: OrganizationSlug, team_id: UUID):
    """Every closed round of the team, oldest first, compared by dimension key."""
    access = organization_access(request.user, slug)
    team = team_access(access, team_id, TeamAction.VIEW)
    points, _ = selectors.team_history(team)
    return [
        HistoryPointOut(
            round=p.round.public_id,
            title=p.round.title,
            closed=p.round.period.closes,
            bank=p.round.bank.slug,
            bank_version=p.round.bank.version,
            new_question_set=p.new_question_set,
            previous_bank_version=p.previous_bank_version,
            respondents=p.n,
            visible=p.visible,
            message=p.message,
            scores=[_score(row) for row in [*p.dimensions.values(), p.total]] if p.visible else [],
        )
        for p in points
    ]


@router.get(
    "/organizations/{slug}/dashboard",
    response={200: list[DashboardRowOut], **errors(403, 404, 422)},
)
@paginate
def dashboard(
    request, slug: OrganizationSlug, since: datetime | None = None, team: UUID | None = None
):
    """Each team's latest closed round that met its threshold (executives and up)."""
    access = organization_access(request.user, slug, min_role=Role.EXECUTIVE)
    team_ids = None
    if team is not None:
        team_ids = [team_access(access, team, TeamAction.VIEW).pk]
    if since is not None:
        since = _in_utc(since)
    data = executive_dashboard(access.organization, since=since, team_ids=team_ids)
    return [
        DashboardRowOut(
            team_id=row.public_id,
            team=row.name,
            latest_round=row.round_title,
            closed=row.closed,
            bank=row.bank,
            scores={key: cell.percent for key, cell in row.cells.items()},
            levels={key: cell.level_name for key, cell in row.cells.items()},
            change_pts=row.change,
            change_across_versions=row.crosses_versions,
        )
        for row in data.teams
    ]
