"""Reads for plans: a team's plan, its summary, the questions its actions address, and the
people who may own them. Each runs a number of queries that does not grow with the plan."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.dates import local
from apps.organizations.models import Membership, Organization, Role, Team, TeamMembership
from apps.plans.models import OPEN_STATUSES, Action, ActionStatus, overdue_condition
from apps.surveys.models import BankStatus, Question, QuestionBank, Round


def today_for(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    """Today in the organization's time zone: the day "due" and "overdue" are counted by."""
    return local(now or timezone.now(), organization.time_zone).date()


# --- The questions actions address


@dataclass(frozen=True)
class QuestionInfo:
    """A question as an action shows it: from the team's latest bank that has it."""

    bank_slug: str
    code: str
    text: str
    dimension: str  # the dimension's name
    dimension_key: str

    @property
    def value(self) -> str:
        """How a form names it: "llmops:APP-5"."""
        return question_value(self.bank_slug, self.code)


def question_value(bank_slug: str, code: str) -> str:
    return f"{bank_slug}:{code}" if bank_slug and code else ""


def _info(row: dict) -> QuestionInfo:
    return QuestionInfo(
        bank_slug=row["bank__slug"],
        code=row["code"],
        text=row["text"],
        dimension=row["dimension__name"],
        dimension_key=row["dimension__key"],
    )


_QUESTION_FIELDS = ("bank__slug", "code", "text", "dimension__name", "dimension__key")


def question_infos(actions: Iterable[Action]) -> dict[tuple[int | None, str, str], QuestionInfo]:
    """{(team id, bank slug, code): QuestionInfo} for the actions' questions, in two queries.

    The text is the one of the bank version the team answered last (by the latest round on a
    version that has the question); for a team that never ran the bank, and for an
    organization-level action, the newest published version's.
    """
    wanted = {(a.team_id, a.bank_slug, a.question_code) for a in actions if a.question_code}
    if not wanted:
        return {}
    slugs = {slug for _, slug, _ in wanted}
    codes = {code for _, _, code in wanted}
    team_ids = {team_id for team_id, _, _ in wanted if team_id is not None}
    found: dict[tuple[int | None, str, str], tuple] = {}
    if team_ids:
        rows = (
            Question.objects.filter(
                bank__slug__in=slugs, code__in=codes, bank__rounds__team_id__in=team_ids
            )
            .values("bank__rounds__team_id", *_QUESTION_FIELDS)
            .annotate(latest=Max("bank__rounds__opens_at"))
            .order_by()
        )
        for row in rows:
            key = (row["bank__rounds__team_id"], row["bank__slug"], row["code"])
            if key in wanted and (key not in found or row["latest"] > found[key][0]):
                found[key] = (row["latest"], _info(row))
    infos = {key: info for key, (_, info) in found.items()}
    missing = wanted - infos.keys()
    if missing:
        newest: dict[tuple[str, str], QuestionInfo] = {}
        for row in (
            Question.objects.filter(
                bank__slug__in={slug for _, slug, _ in missing},
                code__in={code for _, _, code in missing},
            )
            .exclude(bank__status=BankStatus.DRAFT)
            .order_by("bank__version")
            .values(*_QUESTION_FIELDS)
        ):
            newest[row["bank__slug"], row["code"]] = _info(row)  # the newest version wins
        for team_id, slug, code in missing:
            if (slug, code) in newest:
                infos[team_id, slug, code] = newest[slug, code]
    return infos


def with_questions(actions: list[Action]) -> list[Action]:
    """The actions, each with `question` (a QuestionInfo, or None)."""
    infos = question_infos(actions)
    for action in actions:
        action.question = infos.get((action.team_id, action.bank_slug, action.question_code))
    return actions


def latest_bank_for(team: Team | None) -> QuestionBank | None:
    """The bank of the team's latest round, or None."""
    if team is None:
        return None
    latest = Round.objects.filter(team=team).select_related("bank").order_by("-opens_at").first()
    return latest.bank if latest else None


def question_choices(team: Team | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The questions an action may address, grouped by bank for a <select>: the version of
    each bank the team answered last (the newest published one where it never did)."""
    latest = latest_bank_for(team)
    banks = {
        bank.slug: bank
        for bank in QuestionBank.objects.filter(status=BankStatus.PUBLISHED).order_by("version")
    }
    if latest is not None:
        banks[latest.slug] = latest
    ordered = sorted(banks.values(), key=lambda b: (latest is None or b.pk != latest.pk, b.title))
    questions = (
        Question.objects.filter(bank__in=ordered)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )
    slugs = {bank.pk: bank.slug for bank in ordered}
    by_bank: dict[int, list[tuple[str, str]]] = {bank.pk: [] for bank in ordered}
    for q in questions:
        by_bank[q.bank_id].append(
            (question_value(slugs[q.bank_id], q.code), f"{q.code} · {q.text}")
        )
    return [(bank.title, by_bank[bank.pk]) for bank in ordered if by_bank[bank.pk]]


# --- Owners


def owner_candidates(organization: Organization, team: Team | None) -> QuerySet[Membership]:
    """Who may own an action: the team's members, or for an organization-level action the
    organization's executives, admins and owners (who answer for its investments)."""
    members = Membership.objects.filter(organization=organization).select_related("user")
    if team is not None:
        members = members.filter(team_memberships__team=team)
    else:
        members = members.filter(role__gte=Role.EXECUTIVE)
    return members.order_by("user__name", "user__email")


def is_team_member(team: Team, membership: Membership) -> bool:
    return TeamMembership.objects.filter(team=team, membership=membership).exists()


# --- A plan


def _plan_order(actions: QuerySet[Action]) -> QuerySet[Action]:
    """Open actions first (doing, then to do), soonest due first and undated last; then done
    (latest first) and dropped."""
    rank = Case(
        When(status=ActionStatus.DOING, then=Value(0)),
        When(status=ActionStatus.TODO, then=Value(1)),
        When(status=ActionStatus.DONE, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return actions.annotate(_rank=rank).order_by(
        "_rank",
        Coalesce("due_date", Value(dt.date.max)),
        "-done_at",
        "created_at",
        "pk",
    )


def plan_actions(actions: QuerySet[Action], *, today: dt.date) -> list[Action]:
    """The actions in plan order, each with `question`, `overdue` and `due_today`, in two
    queries whatever their number."""
    rows = list(_plan_order(actions.select_related("owner__user", "team", "source_round")))
    for action in rows:
        action.overdue = action.is_overdue(today)
        action.due_today = action.is_open and action.due_date == today
    return with_questions(rows)


def team_plan(team: Team, *, today: dt.date) -> list[Action]:
    return plan_actions(Action.objects.filter(team=team), today=today)


def organization_plans(organization: Organization, *, today: dt.date) -> list[Action]:
    """Every team's plan and the organization-level actions, team by team."""
    actions = plan_actions(Action.objects.filter(organization=organization), today=today)
    return sorted(actions, key=lambda a: (a.team is not None, a.team.name if a.team else ""))


@dataclass(frozen=True)
class PlanSummary:
    open: int = 0
    doing: int = 0
    done: int = 0
    dropped: int = 0
    overdue: int = 0
    due_today: int = 0

    @property
    def total(self) -> int:
        return self.open + self.done + self.dropped


def plan_summary(actions: QuerySet[Action], *, today: dt.date) -> PlanSummary:
    """Counts of a plan by status, and of open actions overdue and due today, in one query."""
    counts = actions.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        doing=Count("pk", filter=Q(status=ActionStatus.DOING)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        dropped=Count("pk", filter=Q(status=ActionStatus.DROPPED)),
        overdue=Count("pk", filter=overdue_condition(today)),
        due_today=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date=today)),
    )
    return PlanSummary(**counts)


def summary_of(actions: list[Action], *, today: dt.date) -> PlanSummary:
    """`plan_summary` of a plan already loaded (`team_plan`), without another query."""
    return PlanSummary(
        open=sum(a.is_open for a in actions),
        doing=sum(a.status == ActionStatus.DOING for a in actions),
        done=sum(a.status == ActionStatus.DONE for a in actions),
        dropped=sum(a.status == ActionStatus.DROPPED for a in actions),
        overdue=sum(a.is_overdue(today) for a in actions),
        due_today=sum(a.is_open and a.due_date == today for a in actions),
    )


def open_step_action(team: Team, round_: Round, bank_slug: str, code: str) -> Action | None:
    """The open action already made from this step of this round, if any."""
    return (
        Action.objects.open()
        .filter(team=team, source_round=round_, bank_slug=bank_slug, question_code=code)
        .first()
    )
