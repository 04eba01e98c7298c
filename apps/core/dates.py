"""When a round opened and closed, as people read it: in its organization's time zone.

One home for the rule (STYLE 14): the round page, team page, team history and its CSV and
chart, the dashboard's quarters, the PDF cover, "My surveys" and the e-mails all ask these
functions, so they all name the same day. Pure helpers: no model imports.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils.formats import date_format

DAY = "j M Y"


def local(moment: dt.datetime, time_zone: str) -> dt.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone))


def zone_name(time_zone: str) -> str:
    """A time zone as people read it: "Europe/Amsterdam", "America/New York"."""
    return time_zone.replace("_", " ")


def closing_day(moment: dt.datetime, time_zone: str) -> dt.date:
    """The last day a round is open: a close at midnight ends the day before."""
    at = local(moment, time_zone)
    return at.date() - dt.timedelta(days=1) if at.time() == dt.time(0) else at.date()


def _named(text: str, time_zone: str, named: bool) -> str:
    return f"{text} ({zone_name(time_zone)})" if named else text


def closing_text(moment: dt.datetime, time_zone: str, *, named: bool = False) -> str:
    """A close moment for people: "end of 12 Dec 2026" or "12 Dec 2026, 17:00" (+ the zone)."""
    at = local(moment, time_zone)
    if at.time() == dt.time(0):
        text = f"end of {date_format(closing_day(moment, time_zone), DAY)}"
    else:
        text = date_format(at, f"{DAY}, H:i")
    return _named(text, time_zone, named)


def opening_text(moment: dt.datetime, time_zone: str, *, named: bool = False) -> str:
    """An opening moment for people: "14 Nov 2026, 09:00" (+ the zone)."""
    return _named(date_format(local(moment, time_zone), f"{DAY}, H:i"), time_zone, named)


def quarter_of(moment: dt.datetime, time_zone: str) -> str:
    """The quarter a round closed in ("Q4 2026"), by its closing day in `time_zone`."""
    day = closing_day(moment, time_zone)
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


@dataclass(frozen=True)
class Period:
    """When a round opened, and when it closed (or, while it is open, is due to close)."""

    opened: dt.datetime
    closes: dt.datetime
    is_closed: bool

    def opened_day(self, time_zone: str) -> dt.date:
        return local(self.opened, time_zone).date()

    def closed_day(self, time_zone: str) -> dt.date:
        return closing_day(self.closes, time_zone)

    def month(self, time_zone: str) -> str:
        """The month it closed in, for chart labels: "Nov 2026"."""
        return date_format(self.closed_day(time_zone), "M Y")

    def quarter(self, time_zone: str) -> str:
        return quarter_of(self.closes, time_zone)

    def text(self, time_zone: str, *, named: bool = False) -> str:
        """ "14 Nov 2026 to 28 Nov 2026" once closed; "14 Nov 2026 to end of 12 Dec 2026" before."""
        start = date_format(self.opened_day(time_zone), DAY)
        if self.is_closed:
            end = date_format(self.closed_day(time_zone), DAY)
            return _named(f"{start} to {end}", time_zone, named)
        return f"{start} to {closing_text(self.closes, time_zone, named=named)}"


def round_period(
    *, opens_at: dt.datetime, closes_at: dt.datetime, closed_at: dt.datetime | None
) -> Period:
    """A round's period from its fields; `closed_at` is None while the round is open.

    A round closed by hand closed when it was closed, not at its close date. One closed by the
    scheduled job a little after its close date stopped taking answers at the close date, so
    that is when it closed.
    """
    if closed_at is None:
        return Period(opens_at, closes_at, is_closed=False)
    return Period(opens_at, min(closes_at, closed_at), is_closed=True)
