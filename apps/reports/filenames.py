"""The name a downloaded report is saved under: organization, team, what it covers and the day
it was built, in the organization's time zone, e.g.
`contoso-ai_support-copilot_q3-2026-llmops-check_2026-11-28.pdf`.

Parts are slugs (ASCII, so that every browser and file system keeps them), joined by "_" so the
parts stay apart from the hyphens inside them.
"""

import datetime as dt

from django.utils.text import slugify

from apps.core.dates import local

PART_LENGTH = 60  # characters per part: a long round title must not make an unwieldy name


def _part(text: str, fallback: str) -> str:
    """A name as a slug; the fallback where nothing of it is ASCII (a name in Hebrew, say)."""
    slug = slugify(text)[:PART_LENGTH].strip("-")
    return slug or fallback


def report_filename(
    *,
    organization: str,
    built_at: dt.datetime,
    time_zone: str,
    team: str | None = None,
    round_title: str | None = None,
) -> str:
    """A retro pack (team and round), a team history (team only) or a board brief (neither)."""
    day = local(built_at, time_zone).date().isoformat()
    parts = [_part(organization, "organization")]
    if team is None:
        parts.append("board-brief")
    else:
        parts.append(_part(team, "team"))
        parts.append("history" if round_title is None else _part(round_title, "round"))
    return "_".join([*parts, day]) + ".pdf"
