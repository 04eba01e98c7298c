"""Print a round's dates in its organization's time zone: `{% load round_dates %}`.

Each filter takes the round and, optionally, the time zone (pages pass
`organization.time_zone`, which they have at hand; without it the round's own organization's
zone is read). The rules live in `apps.core.dates`.
"""

from django import template
from django.utils.formats import date_format

from apps.core.dates import DAY, closing_text, opening_text

register = template.Library()


def _zone(round_, time_zone: str | None) -> str:
    return time_zone or round_.team.organization.time_zone


@register.filter
def round_period(round_, time_zone: str | None = None) -> str:
    """ "14 Nov 2026 to 28 Nov 2026", or "14 Nov 2026 to end of 12 Dec 2026" while open."""
    return round_.period.text(_zone(round_, time_zone))


@register.filter
def round_closed(round_, time_zone: str | None = None) -> str:
    """The day a round closed (or is due to close): "28 Nov 2026"."""
    return date_format(round_.period.closed_day(_zone(round_, time_zone)), DAY)


@register.filter
def round_opens(round_, time_zone: str | None = None) -> str:
    """When a round opens, naming the zone: "14 Nov 2026, 09:00 (Europe/Amsterdam)"."""
    return opening_text(round_.period.opened, _zone(round_, time_zone), named=True)


@register.filter
def round_closes(round_, time_zone: str | None = None) -> str:
    """When an open round closes, naming the zone: "12 Dec 2026, 17:00 (Europe/Amsterdam)"."""
    return closing_text(round_.period.closes, _zone(round_, time_zone), named=True)


@register.filter
def round_moment(moment, round_) -> str:
    """Another moment of a round (e.g. when its links expire) in its organization's zone, by the
    closing rule: "end of 11 Jan 2027 (Europe/Amsterdam)" or "11 Jan 2027, 17:00 (…)"."""
    return closing_text(moment, _zone(round_, None), named=True)
