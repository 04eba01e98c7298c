"""The plan check: on a round's result, the team's actions done since its previous round beside
the change of their questions' levels (DESIGN §4: "the next round checks the plan").

The previous round is the one the result already compares against (`RoundResult.previous`,
found by apps.scoring.selectors for "change since the previous round"), and both rounds'
per-question levels are `round_team_result(...).questions`: nothing is scored again here.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from apps.plans.models import Action, ActionStatus
from apps.scoring.selectors import QuestionRow, RoundResult, bank_version_label, round_team_result
from apps.surveys.models import Round


class Movement(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "same"  # done, but the question did not move: flagged
    NO_QUESTION = "no_question"
    NOT_ASKED = "not_asked"  # not a question of this round's bank
    NO_LEVEL = "no_level"  # answered only "not applicable" or "don't know" this round
    NO_EARLIER = "no_earlier"  # nothing earlier to compare with


@dataclass(frozen=True)
class CheckedAction:
    action: Action
    movement: Movement
    now: QuestionRow | None = None
    before: QuestionRow | None = None
    versions: str = ""  # "llmops v1 → llmops v2" when the two rounds' question sets differ

    @property
    def code(self) -> str:
        return self.action.question_code

    @property
    def flagged(self) -> bool:
        return self.movement == Movement.SAME

    @property
    def change(self) -> str:
        """What happened to the action's question, in words."""
        code = self.code
        aside = f" ({self.versions})" if self.versions else ""
        match self.movement:
            case Movement.UP:
                return f"{code} moved from {self.before.level_name} to {self.now.level_name}{aside}"
            case Movement.DOWN:
                return f"{code} fell from {self.before.level_name} to {self.now.level_name}{aside}"
            case Movement.SAME:
                return f"done, but {code} is still at {self.now.level_name}{aside}"
            case Movement.NOT_ASKED:
                return f"{code} was not asked in this round"
            case Movement.NO_LEVEL:
                return f"{code} has no level in this round (only “not applicable” or “don't know”)"
            case Movement.NO_EARLIER:
                return f"{code} is at {self.now.level_name}; no earlier level to compare with"
        return "no question linked"

    @property
    def line(self) -> str:
        """The sentence the result page shows: "Done: automated evaluation gate · APP-5 moved
        from Defined to Managed", or "automated evaluation gate — done, but APP-5 is still at
        Defined" (a dash, not a colon: a title made from a step may end in a question mark)."""
        if self.flagged:
            return f"{self.action.title} — {self.change}"
        return f"Done: {self.action.title} · {self.change}"


@dataclass(frozen=True)
class PlanCheck:
    round: Round
    previous: Round | None
    since: dt.datetime | None  # the previous round's close; None: no earlier round
    until: dt.datetime  # this round's close
    actions: list[CheckedAction]

    @property
    def moved(self) -> list[CheckedAction]:
        return [a for a in self.actions if a.movement in (Movement.UP, Movement.DOWN)]

    @property
    def flagged(self) -> list[CheckedAction]:
        return [a for a in self.actions if a.flagged]


def _movement(before: QuestionRow | None, now: QuestionRow) -> Movement:
    if now.level_number is None:
        return Movement.NO_LEVEL
    if before is None or before.level_number is None:
        return Movement.NO_EARLIER
    if now.level_number > before.level_number:
        return Movement.UP
    if now.level_number < before.level_number:
        return Movement.DOWN
    return Movement.SAME


def plan_check(round_: Round, result: RoundResult, *, viewer=None) -> PlanCheck:
    """The team's actions marked done after the previous visible round closed and up to this
    round's close, each beside its question's level in both rounds. `result` is this round's
    visible `round_team_result`; `viewer` reads the previous round's (the same gate)."""
    until = round_.period.closes
    previous = result.previous
    since = previous.period.closes if previous is not None else None
    done = Action.objects.filter(
        team_id=round_.team_id, status=ActionStatus.DONE, done_at__lte=until
    ).order_by("done_at", "pk")
    if since is not None:
        done = done.filter(done_at__gt=since)
    done = list(done)
    bank = round_.bank
    now_rows = {q.code: q for q in result.questions}
    before_rows: dict[str, QuestionRow] = {}
    versions = ""
    about_this_bank = [a for a in done if a.bank_slug == bank.slug]
    if previous is not None and about_this_bank:
        earlier = Round.objects.select_related("bank", "team").get(pk=previous.pk)
        if earlier.bank.slug == bank.slug:
            # Only the questions' levels: not the earlier round's comments, nor its own previous.
            earlier_result = round_team_result(earlier, viewer=viewer, notes=False, previous=False)
            before_rows = {q.code: q for q in earlier_result.questions}
            if earlier.bank_id != bank.pk:
                versions = (
                    f"{bank_version_label(earlier.bank.slug, earlier.bank.version)} → "
                    f"{bank_version_label(bank.slug, bank.version)}"
                )
    checked = []
    for action in done:
        if not action.question_code:
            checked.append(CheckedAction(action, Movement.NO_QUESTION))
            continue
        now = now_rows.get(action.question_code) if action.bank_slug == bank.slug else None
        if now is None:
            checked.append(CheckedAction(action, Movement.NOT_ASKED))
            continue
        before = before_rows.get(action.question_code)
        movement = _movement(before, now)
        compared = movement in (Movement.UP, Movement.DOWN, Movement.SAME)
        checked.append(
            CheckedAction(
                action, movement, now=now, before=before, versions=versions if compared else ""
            )
        )
    return PlanCheck(round_, previous, since, until, checked)
