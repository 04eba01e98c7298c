"""Rounds, results, history and the dashboard, through the same gate and thresholds as the pages."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api import OrganizationSlug, errors
from apps.organizations.access import TeamAction, organization_access, team_access
from apps.organizations.models import Role
from apps.organizations.selectors import teams_visible_to
from apps.scoring import selectors, targets
from apps.scoring.dashboard import executive_dashboard
from apps.scoring.next_steps import round_steps
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


class TargetStatusOut(Schema):
    """A dimension's score against the team's target (the same `targets.target_gap` as the
    pages): met once the score reaches the target level's lower bound, else short by `gap_pp`."""

    level: int
    level_name: str
    threshold_percent: Decimal = Field(
        description="The target level's lower bound, as a percentage of the maximum."
    )
    source: Literal["team", "organization"]
    due: date
    met: bool
    gap_pp: Decimal = Field(
        description="Percentage points of the maximum below the threshold; 0 when met (and "
        "when short by less than the rounding shows)."
    )


class ScoreOut(Schema):
    dimension: str
    name: str
    mean: Decimal
    max: Decimal
    percent: Decimal
    level: int
    level_name: str
    change_pts: Decimal | None = None
    target: TargetStatusOut | None = Field(
        None, description="Against the team's target for this dimension; null without one."
    )


class StepOut(Schema):
    """A next step (the same `next_steps.round_steps` as the pages), in rank order."""

    code: str
    text: str
    dimension: str
    current_level: int
    current_level_name: str
    next_level: int
    next_level_name: str
    guidance: str
    why: str
    target_level: int
    gap_levels: int
    weight: Decimal
    disagreement: bool
    dont_know: int


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
    steps: list[StepOut] = []


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


def _target(gap) -> TargetStatusOut | None:
    if gap is None:
        return None
    return TargetStatusOut(
        level=gap.target.level,
        level_name=gap.target.level_name,
        threshold_percent=gap.target.threshold,
        source=gap.target.source,
        due=gap.target.due,
        met=gap.met,
        gap_pp=gap.gap,
    )


def _score(row, gap=None) -> ScoreOut:
    return ScoreOut(
        dimension=row.key,
        name=row.name,
        mean=row.mean,
        max=row.max_points,
        percent=row.percent,
        level=row.level_number,
        level_name=row.level_name,
        change_pts=row.change,
        target=_target(gap),
    )


def _step(step) -> StepOut:
    return StepOut(
        code=step.code,
        text=step.text,
        dimension=step.dimension_key,
        current_level=step.current_level,
        current_level_name=step.current_level_name,
        next_level=step.next_level,
        next_level_name=step.next_level_name,
        guidance=step.guidance,
        why=step.why,
        target_level=step.target_level,
        gap_levels=step.gap_levels,
        weight=step.weight,
        disagreement=step.disagreement,
        dont_know=step.dont_know,
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
    slug = round_.bank.slug
    team_targets = targets.team_targets(round_.team, [slug])
    return ResultOut(
        round=round_id,
        respondents=result.n,
        needed=result.needed,
        visible=True,
        scores=[
            *(
                _score(row, gap)
                for row, gap in targets.row_gaps(result.dimensions, team_targets, slug)
            ),
            _score(result.total),
        ],
        steps=[_step(step) for step in round_steps(result, team_targets)],
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
    gaps = targets.history_gaps(
        points, targets.team_targets(team, {p.round.bank.slug for p in points})
    )
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
            scores=[
                *(_score(row, point_gaps.get(key)) for key, row in p.dimensions.items()),
                _score(p.total),
            ]
            if p.visible
            else [],
        )
        for p, point_gaps in zip(points, gaps, strict=True)
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


# --- Targets: the organization's defaults (executives and up) and a team's own (its leads,
# admins and owners), keyed by bank slug and dimension key (they survive a new bank version).

BankSlug = Annotated[
    str, Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50, description="The bank's slug.")
]
DimensionKey = Annotated[
    str, Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50, description="The dimension's key.")
]


class TargetIn(Schema):
    level: int = Field(description="A level number of the bank's latest published version.")
    due: date = Field(description="The date the level should be reached by (today or later).")


class TargetOut(Schema):
    bank: str
    dimension: str
    level: int
    level_name: str
    threshold_percent: Decimal = Field(
        description="The level's lower bound, as a percentage of the maximum."
    )
    due: date
    source: Literal["team", "organization"]


class OrganizationTargetsOut(Schema):
    teams_may_go_below: bool = Field(
        description="Whether a team may set its own target below the organization's default."
    )
    targets: list[TargetOut]


class TeamTargetsOut(Schema):
    applies: list[TargetOut] = Field(
        description="The target that applies per dimension: the team's own, else the default."
    )
    own: list[TargetOut] = Field(description="The team's own targets.")


def _target_out(target, bank: targets.TargetBank | None, source: str) -> TargetOut | None:
    level = bank.level(target.level) if bank else None
    if level is None:
        return None  # a level the latest published version no longer has
    return TargetOut(
        bank=target.bank_slug,
        dimension=target.dimension_key,
        level=level.number,
        level_name=level.name,
        threshold_percent=level.threshold,
        due=target.due,
        source=source,
    )


def _stored_out(rows, source: str) -> list[TargetOut]:
    banks = {b.slug: b for b in targets.target_banks({t.bank_slug for t in rows})}
    out = [_target_out(t, banks.get(t.bank_slug), source) for t in rows]
    return sorted((t for t in out if t), key=lambda t: (t.bank, t.dimension))


def _set(access, bank: str, dimension: str, payload: TargetIn, team=None):
    try:
        target = targets.target_set(
            access=access,
            bank_slug=bank,
            dimension_key=dimension,
            level=payload.level,
            due=payload.due,
            team=team,
        )
    except ValidationError as error:
        return Status(400, {"detail": " ".join(error.messages)})
    source = targets.TEAM if team else targets.ORGANIZATION
    return _target_out(target, next(iter(targets.target_banks([bank]))), source)


@router.get(
    "/organizations/{slug}/targets",
    response={200: OrganizationTargetsOut, **errors(403, 404, 422)},
)
def organization_targets(request, slug: OrganizationSlug):
    """The organization's default targets (executives and up)."""
    access = organization_access(request.user, slug, min_role=Role.EXECUTIVE)
    return OrganizationTargetsOut(
        teams_may_go_below=targets.teams_may_go_below(access.organization),
        targets=_stored_out(
            list(targets.organization_defaults(access.organization).values()),
            targets.ORGANIZATION,
        ),
    )


@router.put(
    "/organizations/{slug}/targets/{bank}/{dimension}",
    response={200: TargetOut, **errors(400, 403, 404, 422)},
)
def organization_target_put(
    request, slug: OrganizationSlug, bank: BankSlug, dimension: DimensionKey, payload: TargetIn
):
    """Set the organization's default target for a dimension (executives and up)."""
    access = organization_access(request.user, slug, min_role=Role.EXECUTIVE)
    return _set(access, bank, dimension, payload)


@router.delete(
    "/organizations/{slug}/targets/{bank}/{dimension}",
    response={204: None, **errors(403, 404, 422)},
)
def organization_target_delete(
    request, slug: OrganizationSlug, bank: BankSlug, dimension: DimensionKey
):
    """Remove the organization's default target for a dimension (executives and up)."""
    access = organization_access(request.user, slug, min_role=Role.EXECUTIVE)
    targets.target_clear(access=access, bank_slug=bank, dimension_key=dimension)
    return Status(204, None)


@router.get(
    "/organizations/{slug}/teams/{team_id}/targets",
    response={200: TeamTargetsOut, **errors(403, 404, 422)},
)
def team_targets(request, slug: OrganizationSlug, team_id: UUID):
    """The targets that apply to a team, and its own (whoever may see the team)."""
    access = organization_access(request.user, slug)
    team = team_access(access, team_id, TeamAction.VIEW)
    banks = targets.target_banks()
    applies = targets.team_targets(team, [b.slug for b in banks], banks=banks)
    return TeamTargetsOut(
        applies=[
            TargetOut(
                bank=t.bank_slug,
                dimension=t.dimension_key,
                level=t.level,
                level_name=t.level_name,
                threshold_percent=t.threshold,
                due=t.due,
                source=t.source,
            )
            for _, t in sorted(applies.items())
        ],
        own=_stored_out(list(targets.team_own_targets(team).values()), targets.TEAM),
    )


@router.put(
    "/organizations/{slug}/teams/{team_id}/targets/{bank}/{dimension}",
    response={200: TargetOut, **errors(400, 403, 404, 422)},
)
def team_target_put(
    request,
    slug: OrganizationSlug,
    team_id: UUID,
    bank: BankSlug,
    dimension: DimensionKey,
    payload: TargetIn,
):
    """Set a team's own target for a dimension (its leads, admins and owners); not below the
    organization's default unless the organization allows it (400, saying so)."""
    access = organization_access(request.user, slug)
    team = team_access(access, team_id, TeamAction.LEAD)
    return _set(access, bank, dimension, payload, team)


@router.delete(
    "/organizations/{slug}/teams/{team_id}/targets/{bank}/{dimension}",
    response={204: None, **errors(403, 404, 422)},
)
def team_target_delete(
    request, slug: OrganizationSlug, team_id: UUID, bank: BankSlug, dimension: DimensionKey
):
    """Remove a team's own target for a dimension (its leads, admins and owners)."""
    access = organization_access(request.user, slug)
    team = team_access(access, team_id, TeamAction.LEAD)
    targets.target_clear(access=access, bank_slug=bank, dimension_key=dimension, team=team)
    return Status(204, None)
