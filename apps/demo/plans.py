"""The demo's improvement plans: every team's plan and two organization-level actions, so that
the team pages, the round results ("The plan, checked"), the dashboard and the reports show the
whole loop from result to action and back.

A team's plan, as its people would have built it through "Add to plan" (the same title and
"done when" from the step's guidance) and by hand:

- after its previous round closed, actions from that round's next steps (`history.PLAN_DONE`),
  done before its latest round closed; the latest round's answers move their questions as that
  table says, so the plan check shows most of them moved up and flags one that did not;
- after its latest round closed, actions from that round's top steps (`OPEN_STEPS`) and a few
  by hand (`BY_HAND`), due around the seed date: some overdue, one dropped.

The organization-level actions turn the top two organization patterns (`patterns.py`, made
likely by `history.WEAK_SPOTS`) into platform investments owned by the executive.

Everything goes through `apps.plans.services` with the moment it happened (`now`); only the
creation time, which the model stamps itself, is set afterwards. Idempotent: a team that has a
plan, or an organization that has organization-level actions, is left as it is.
"""

import datetime as dt
import itertools
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.text import Truncator

from apps.demo.history import PLAN_DONE
from apps.demo.targets import end_of_next_quarter
from apps.organizations.models import Membership, Organization, Role, Team, TeamMembership
from apps.plans.models import Action, ActionSource, ActionStatus
from apps.plans.selectors import owner_candidates, today_for
from apps.plans.services import DONE_WHEN_MAX, QuestionRef, action_create, action_update
from apps.plans.templatetags.plans import step_title
from apps.scoring.next_steps import round_steps
from apps.scoring.patterns import latest_visible_rounds, organization_patterns
from apps.scoring.selectors import round_team_result
from apps.scoring.targets import team_targets
from apps.surveys.models import QuestionBank, Round

TODO, DOING, DONE, DROPPED = (
    ActionStatus.TODO,
    ActionStatus.DOING,
    ActionStatus.DONE,
    ActionStatus.DROPPED,
)
WORK_STARTS = dt.time(10)

# Per team: actions from the latest round's top steps, as (days from the seed date to the due
# date, status); a negative day is overdue.
OPEN_STEPS = {
    "Support Copilot": [(-6, DOING), (24, TODO)],
    "Search Assistant": [(10, DOING), (38, TODO)],
    "Document Intelligence": [(31, TODO)],
    "Sales Insights": [(-11, TODO)],
    "Knowledge Base": [(17, DOING)],
    "Developer Tools": [(45, TODO)],
    "Fraud Signals": [(-4, DOING)],
    "Marketing Content": [(52, TODO)],
}


@dataclass(frozen=True)
class ByHand:
    """An action a team added by hand after its latest round."""

    title: str
    done_when: str
    code: str  # the LLMOps question it addresses, "" for none
    due: int  # days from the seed date
    status: str = TODO
    notes: str = ""


BY_HAND = {
    "Sales Insights": [
        ByHand(
            "Set a monthly token budget per feature, with an alert at 80 %",
            "Every feature has a budget on the cost dashboard and the alert has fired once in a "
            "test.",
            "OPS-8",
            28,
        )
    ],
    "Fraud Signals": [
        ByHand(
            "Pair with Developer Tools on their evaluation gate",
            "Our release pipeline runs their evaluation step on every change to the risk "
            "explanations.",
            "APP-7",
            12,
            DOING,
        )
    ],
    "Marketing Content": [
        ByHand(
            "Move the campaign prompts into the repository",
            "Every prompt the tool sends is in git and changed by pull request.",
            "APP-3",
            20,
            DROPPED,
            "Dropped: the brand team's prompt library replaces our prompts next quarter.",
        )
    ],
}

# Titles the executive gave the organization-level actions, by the pattern's question code
# (llmops v2); another pattern's action keeps the title the organization plan's form suggests.
PATTERN_TITLES = {
    "OPS-4": "Drift alerts as a shared platform service for every LLM team",
    "APP-8": "One versioned store for every team's evaluation data",
}


def _at(day: dt.date, zone) -> dt.datetime:
    return dt.datetime.combine(day, WORK_STARTS, zone)


def _owners(team: Team) -> list[Membership]:
    """Who owns the team's actions, in turn. Support Copilot's are the demo lead and member, so
    that their logins have actions of their own (and its retro pack names no colleague)."""
    members = list(owner_candidates(team.organization, team))
    demo = [
        m for m in members if m.user.email in ("lead@contoso.example", "member@contoso.example")
    ]
    if team.name == "Support Copilot" and demo:
        return demo
    return members


def _creator(team: Team):
    """Whoever adds to the plan: the team's lead (the demo lead where it leads the team)."""
    leads = [
        tm.membership.user
        for tm in TeamMembership.objects.filter(team=team, is_lead=True)
        .select_related("membership__user")
        .order_by("membership__user__email")
    ]
    demo = [user for user in leads if user.email == "lead@contoso.example"]
    return (demo or leads or [None])[0]


def _backdate(created: dict[dt.datetime, list[int]], today: dt.date) -> None:
    """The creation time the model stamps itself is the seed's; set the story's ({time: action
    ids}). An overdue action's owner was reminded on its due date (apps.plans.reminders), not
    all at once by the first `make run`."""
    for moment, ids in created.items():
        Action.objects.filter(pk__in=ids).update(created_at=moment)
    ids = [pk for pks in created.values() for pk in pks]
    Action.objects.filter(pk__in=ids).overdue(today).update(reminded_for_due=F("due_date"))


def _from_step(team, step, round_, *, owner, created_by, due, now, status=TODO) -> Action:
    action, _ = action_create(
        organization=team.organization,
        team=team,
        title=step_title(step),
        created_by=created_by,
        owner=owner,
        due_date=due,
        done_when=Truncator(step.guidance).chars(DONE_WHEN_MAX),
        question=QuestionRef(round_.bank.slug, step.code),
        source_round=round_,
        status=status,
        now=now,
    )
    return action


def _seed_team_plan(team: Team, latest: Round, today: dt.date, zone) -> int:
    result = round_team_result(latest)
    if result.previous is None:
        return 0
    previous = Round.objects.select_related("bank", "team").get(pk=result.previous.pk)
    targets = team_targets(team, {previous.bank.slug, latest.bank.slug})
    owners = itertools.cycle(_owners(team) or [None])
    created_by = _creator(team)
    created: dict[dt.datetime, list[int]] = defaultdict(list)

    # Before the latest round: the previous round's steps, done by its close.
    steps = {s.code: s for s in round_steps(round_team_result(previous), targets)}
    done = [steps[code] for code in PLAN_DONE.get(team.name, {}) if code in steps]
    start = _at(previous.period.closes.astimezone(zone).date() + dt.timedelta(days=3), zone)
    span = latest.period.closes - dt.timedelta(days=4) - start
    for k, step in enumerate(done):
        finished = start + span * (k + 1) / (len(done) + 1)
        action = _from_step(
            team,
            step,
            previous,
            owner=next(owners),
            created_by=created_by,
            due=(finished + dt.timedelta(days=5)).date(),
            now=start,
            status=DOING,  # taken up the day it was added
        )
        action_update(action=action, status=DONE, now=finished)
        created[start].append(action.pk)

    # After the latest round: its top steps not in the plan yet, and some by hand.
    start = _at(latest.period.closes.astimezone(zone).date() + dt.timedelta(days=4), zone)
    used = {step.code for step in done}
    fresh = [s for s in round_steps(result, targets) if s.code not in used]
    for step, (days, status) in zip(fresh, OPEN_STEPS.get(team.name, []), strict=False):
        due = today + dt.timedelta(days=days)
        action = _from_step(
            team, step, latest, owner=next(owners), created_by=created_by, due=due, now=start
        )
        if status != TODO:
            action_update(action=action, status=status, now=start + dt.timedelta(days=10))
        created[start].append(action.pk)
    for item in BY_HAND.get(team.name, []):
        action, _ = action_create(
            organization=team.organization,
            team=team,
            title=item.title,
            created_by=created_by,
            owner=next(owners),
            due_date=today + dt.timedelta(days=item.due),
            done_when=item.done_when,
            notes=item.notes,
            question=QuestionRef(latest.bank.slug, item.code) if item.code else None,
            now=start + dt.timedelta(days=2),
        )
        if item.status != TODO:
            action_update(action=action, status=item.status, now=start + dt.timedelta(days=12))
        created[start + dt.timedelta(days=2)].append(action.pk)
    _backdate(created, today)
    return sum(len(ids) for ids in created.values())


def _seed_organization_actions(organization: Organization, latest: dict, today, zone) -> int:
    """The top two organization patterns as organization-level actions of the executive."""
    if Action.objects.filter(organization=organization, team__isnull=True).exists():
        return 0
    executive = (
        Membership.objects.filter(organization=organization, role=Role.EXECUTIVE)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    patterns = organization_patterns(organization, limit=2)
    if executive is None or not patterns or not latest:
        return 0
    slugs = dict(
        QuestionBank.objects.filter(pk__in={p.bank_id for p in patterns}).values_list("pk", "slug")
    )
    closed = max(round_.period.closes for round_ in latest.values())
    start = _at(closed.astimezone(zone).date() + dt.timedelta(days=10), zone)
    created = []
    for k, pattern in enumerate(patterns):
        default = f"{pattern.code} to {pattern.next_level_name} across teams: {pattern.text}"
        action, _ = action_create(
            organization=organization,
            team=None,
            title=Truncator(PATTERN_TITLES.get(pattern.code, default)).chars(200),
            created_by=executive.user,
            owner=executive,
            due_date=end_of_next_quarter(today),
            done_when=Truncator(pattern.recommendation).chars(DONE_WHEN_MAX),
            notes=f"{pattern.sentence} ({', '.join(pattern.weak_teams)}).",
            question=QuestionRef(slugs[pattern.bank_id], pattern.code),
            source=ActionSource.PATTERN,
            now=start,
        )
        if k == 0:
            action_update(action=action, status=DOING, now=start + dt.timedelta(days=6))
        created.append(action.pk)
    _backdate({start: created}, today)
    return len(created)


@transaction.atomic
def seed_plans(organization: Organization) -> int:
    """Create the plans that are not there yet; return how many actions were created."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    today = today_for(organization)
    rounds = latest_visible_rounds(organization)
    latest = {
        round_.team_id: round_
        for round_ in Round.objects.filter(pk__in=rounds).select_related("bank", "team")
    }
    planned = set(
        Action.objects.filter(organization=organization, team__isnull=False).values_list(
            "team_id", flat=True
        )
    )
    created = 0
    for team in Team.objects.filter(organization=organization, pk__in=latest).order_by("name"):
        if team.pk not in planned:
            created += _seed_team_plan(team, latest[team.pk], today, zone)
    return created + _seed_organization_actions(organization, latest, today, zone)
