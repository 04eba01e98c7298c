"""Sections of the team page that the apps above organizations add (surveys: the team's rounds),
which organizations never imports (STYLE rule 15).

An app registers a section when it loads (its AppConfig.ready()). The page includes each
section's template, in the order registered, with the page's own context and `section`: what
the section's function returned for this team.
"""

from collections.abc import Callable

from apps.organizations.access import OrgAccess
from apps.organizations.models import Team

_sections: dict[str, Callable[[OrgAccess, Team], dict]] = {}


def team_section_register(*, template: str, context: Callable[[OrgAccess, Team], dict]) -> None:
    """Show `template` on every team page, with `section=context(access, team)`."""
    _sections[template] = context


def team_sections(access: OrgAccess, team: Team) -> list[tuple[str, dict]]:
    """The registered sections for this team page: (template, its context) pairs."""
    return [(template, context(access, team)) for template, context in _sections.items()]
