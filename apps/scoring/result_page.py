"""Sections of the round result and team history pages that the apps above scoring add (plans:
the actions done since the previous round, the team's plan, an "Add to plan" button beside each
next step), which scoring never imports (STYLE rule 15). Modeled on
apps.organizations.team_page.

An app registers when it loads (its AppConfig.ready()):

- `result_section_register(template=..., context=...)`: the round result page includes each
  template, in the order registered, below the scores, with the page's own context and
  `section`: what `context(access, round_, result)` returned. Only called for a visible result
  (`RoundResult.visible`): a withheld result shows no section, so none can leak a team result.
- `history_section_register(template=..., context=...)`: the team history page likewise, with
  `section=context(access, team, points)` (`points`: `selectors.team_history`'s, oldest first).
- `step_action_register(template=...)`: a template included for each next step shown
  ("What to do next", on both pages, and in the full list), with `step`
  (`next_steps.Step`), `round` (the round the step comes from) and `team` in its context, and
  the page's `organization`.
- `pattern_action_register(template=...)`: a template included beside each organization
  pattern on the executive dashboard ("Weak across teams"), with `pattern`
  (`patterns.Pattern`) and `organization` in its context. It is drawn inside the dashboard's
  cached fragment, which every viewer of the dashboard shares: it must not vary by viewer (no
  role, no CSRF token), so a link to a page that does its own gating, not a form.

Registering a template twice replaces the earlier registration, keeping its place, so a module
imported twice never shows its section twice.
"""

from collections.abc import Callable

from apps.organizations.access import OrgAccess
from apps.organizations.models import Team
from apps.surveys.models import Round

ResultContext = Callable[[OrgAccess, Round, object], dict]
HistoryContext = Callable[[OrgAccess, Team, list], dict]

_result_sections: dict[str, ResultContext] = {}
_history_sections: dict[str, HistoryContext] = {}
_step_actions: list[str] = []
_pattern_actions: list[str] = []


def result_section_register(*, template: str, context: ResultContext) -> None:
    """Show `template` on every visible round result, with `section=context(access, round_,
    result)` (`result`: `selectors.RoundResult`)."""
    _result_sections[template] = context


def history_section_register(*, template: str, context: HistoryContext) -> None:
    """Show `template` on every team history page, with `section=context(access, team,
    points)` (`points`: a list of `selectors.HistoryPoint`, oldest first)."""
    _history_sections[template] = context


def step_action_register(*, template: str) -> None:
    """Include `template` beside each next step, with `step`, `round` and `team` in context."""
    if template not in _step_actions:
        _step_actions.append(template)


def pattern_action_register(*, template: str) -> None:
    """Include `template` beside each organization pattern on the dashboard, with `pattern` and
    `organization` in context; the same for every viewer (it is cached per organization)."""
    if template not in _pattern_actions:
        _pattern_actions.append(template)


def result_sections(access: OrgAccess, round_: Round, result) -> list[tuple[str, dict]]:
    """The registered sections for this round result: (template, its context) pairs; none for
    a withheld result."""
    if not result.visible:
        return []
    return [(t, context(access, round_, result)) for t, context in _result_sections.items()]


def history_sections(access: OrgAccess, team: Team, points: list) -> list[tuple[str, dict]]:
    """The registered sections for this team history page: (template, its context) pairs."""
    return [(t, context(access, team, points)) for t, context in _history_sections.items()]


def step_actions() -> list[str]:
    """The templates included beside each next step, in the order registered."""
    return list(_step_actions)


def pattern_actions() -> list[str]:
    """The templates included beside each organization pattern, in the order registered."""
    return list(_pattern_actions)
