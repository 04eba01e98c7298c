"""The executive dashboard's rendered fragment (heat map, charts, tables), cached per
organization and data version in the Django cache (Redis in production).

Never stale: every view first reads the data version from the database, in one statement
(`data_version`), and the version is part of the cache key. Whatever the fragment shows changes
the version: a round closing or being re-scored (its team aggregates), a team renamed, archived
or deleted, a bank version's names, a target, and (for the last 4 or 8 quarters) a round
leaving the period as time passes; the organization patterns are counted over the teams' latest
visible rounds, which only a round closing or a team archived changes (their question levels
are written with the round's team aggregates, in one transaction: `scores` sees them). An old
version's entry is never asked for again and expires (TIMEOUT). The key also holds what the
fragment varies on: the filters, the organization's name, slug and time zone (titles, links,
quarters), its day (a target turns overdue), the language, and the code that draws it. It
does not vary by viewer: every role that may open the dashboard reads the same fragment (the
role's own parts, such as the report button, are outside it; what apps above add beside a
pattern is a plain link).

The cache is a speed-up only: when it fails (Redis down or slow), the fragment is rendered as if
nothing were cached, and the cache is left alone for a while (BACKOFF), so that a dead Redis
costs a view neither an error nor two socket timeouts.
"""

import datetime as dt
import hashlib
import logging
import time
import zoneinfo
from collections.abc import Callable
from functools import cache as once
from pathlib import Path

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Func,
    Max,
    Min,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import MD5, Cast, Coalesce
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from apps.core import design
from apps.core.collector import collector_paused
from apps.core.prepared import prepared_cursor
from apps.organizations.models import Organization, Team
from apps.scoring.models import Target, TeamScore
from apps.surveys.models import Dimension, Level, QuestionBank, Round, RoundStatus
from apps.surveys.models.rounds import round_closed_moment

log = logging.getLogger(__name__)

FRAGMENT_TEMPLATE = "scoring/_dashboard_body.html"
TIMEOUT = 24 * 60 * 60  # seconds an entry lives; a current one is simply stored again
BACKOFF = 30  # seconds the cache is left alone after it failed
_cache_down_until = 0.0  # per process


class _Joined(Func):
    """Texts joined with ||, as PostgreSQL and SQLite both write it (Concat's NULL handling
    costs a COALESCE around every part)."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = TextField()


def _text(expression) -> Cast:
    return Cast(expression, TextField())


def _one(queryset: QuerySet, expression) -> Subquery:
    """`expression`, an aggregate, over the whole of `queryset`: a subquery of one value.
    (Grouping by a constant groups nothing: one group, one row.)"""
    return Subquery(
        queryset.order_by().annotate(all=Value(1)).values("all").annotate(v=expression).values("v"),
        output_field=TextField(),
    )


def changes(queryset: QuerySet, stamp: str) -> Subquery:
    """How many rows, the highest id and the latest `stamp` (an auto_now field): any insert,
    delete or save changes it."""
    return _one(
        queryset,
        _Joined(_text(Count("pk")), Value(":"), _text(Max("pk")), Value(":"), _text(Max(stamp))),
    )


def digest(queryset: QuerySet, *fields: str) -> Subquery:
    """A digest of these fields of every row, for tables without a timestamp to watch: any
    change to one of them changes it. Each field is hashed, so that no two different rows read
    alike (NULL reads as an empty hash). The rows are aggregated by id where the database can
    order an aggregate (PostgreSQL); elsewhere in the order they are read, which is stable."""
    parts = [_text("pk")]
    for name in fields:
        parts += [Value("|"), Coalesce(MD5(_text(name)), Value(""))]
    in_order = connection.features.supports_aggregate_order_by_clause
    return _one(
        queryset,
        MD5(StringAgg(_Joined(*parts), Value(","), order_by=["pk"] if in_order else None)),
    )


def _sources(organization_id: int, since) -> dict[str, Subquery]:
    """Everything the fragment is drawn from, as one value each; a new source of the dashboard
    is one line here.

    Rounds need no line of their own: a closed round never changes (`round_update` refuses),
    and a round reaches the dashboard (closing) or changes on it (re-scoring) only by writing
    its team aggregates, whose total row `scores` watches.
    """
    org = organization_id
    sources = {
        "teams": digest(Team.objects.filter(organization=org), "name", "archived_at"),
        "scores": changes(
            TeamScore.objects.filter(round__team__organization=org, dimension__isnull=True),
            "computed_at",
        ),
        "banks": digest(QuestionBank.objects.all(), "slug", "version"),
        "dimensions": digest(Dimension.objects.all(), "bank_id", "key", "name", "order"),
        "levels": digest(Level.objects.all(), "bank_id", "number", "name", "min_score"),
        "targets": changes(Target.objects.filter(organization=org), "updated_at"),
    }
    if since is not None:
        # The period's first closed round: it changes exactly when a round leaves the period.
        sources["period"] = _one(
            Round.objects.filter(team__organization=org, status=RoundStatus.CLOSED)
            .alias(moment=round_closed_moment())
            .filter(moment__gte=since),
            _text(Min("moment")),
        )
    return sources


def _compiled(organization_id: int, since) -> tuple[str, list]:
    query = Organization.objects.filter(pk=organization_id).values(
        **{f"source_{name}": value for name, value in _sources(organization_id, since).items()}
    )
    sql, params = query.query.sql_with_params()
    return sql, list(params)


@once
def _statement(with_period: bool) -> tuple[str, list, list[int], list[int]]:
    """The version's statement, compiled once per process (building it costs more than
    running it): its SQL, its parameters for a stand-in organization and period, and where in
    them each view puts its own organization and period start. Found by compiling it twice,
    for two stand-ins: the parameters that differ are those."""
    starts = [dt.datetime(1901, 1, 1, tzinfo=dt.UTC), dt.datetime(1902, 2, 2, tzinfo=dt.UTC)]
    (sql, params), (other_sql, other) = (
        _compiled(stand_in, start if with_period else None)
        for stand_in, start in zip((-1, -2), starts, strict=True)
    )
    if sql != other_sql or len(params) != len(other):
        raise RuntimeError("The dashboard's version statement depends on its parameters.")
    slots = [i for i, (a, b) in enumerate(zip(params, other, strict=True)) if a != b]
    organization_slots = [i for i in slots if params[i] == -1]
    period_slots = [i for i in slots if params[i] != -1]
    return sql, params, organization_slots, period_slots


def data_version(organization: Organization, *, since=None) -> str:
    """The version of the data the dashboard shows for `organization` (from `since` on), in one
    statement."""
    sql, params, organization_slots, period_slots = _statement(since is not None)
    params = list(params)
    for slot in organization_slots:
        params[slot] = organization.pk
    if period_slots:
        start = connection.ops.adapt_datetimefield_value(since)
        for slot in period_slots:
            params[slot] = start
    with prepared_cursor() as cursor:  # on every view of the dashboard: planned once
        cursor.execute(sql, params)
        return _hash(cursor.fetchone())


# What draws the fragment, besides its template: a deploy that changes any of it starts afresh.
CODE = [
    "calculations.py",
    "charts.py",
    "dashboard.py",
    "dashboard_cache.py",
    "dashboard_views.py",
    "figures.py",
    "patterns.py",
    "result_page.py",
    "selectors.py",
    "targets.py",
]


@once
def _code_version() -> str:
    files = [Path(__file__).with_name(name) for name in CODE]
    files.append(Path(get_template(FRAGMENT_TEMPLATE).origin.name))
    files.append(Path(design.__file__))  # the charts' colours and sizes
    return _hash([path.read_bytes() for path in files])


def _hash(parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def fragment_key(organization: Organization, *, since, filters: tuple) -> str:
    """The cache key of the fragment for `organization` with these filters (hashable, as
    cleaned: the period chosen and the team), at the data's current version."""
    return "dashboard:{}:{}".format(
        organization.pk,
        _hash(
            [
                data_version(organization, since=since),
                filters,
                organization.name,
                organization.slug,
                organization.time_zone,
                # The organization's day: a target unmet past its date turns overdue at midnight.
                timezone.localdate(timezone=zoneinfo.ZoneInfo(organization.time_zone)),
                translation.get_language(),
                _code_version(),
            ]
        ),
    )


def cached_fragment(
    organization: Organization, *, since, filters: tuple, render: Callable[[], str]
) -> SafeString:
    """The fragment from the cache, or `render()`ed and stored."""
    if _cache_resting():
        with collector_paused():
            return mark_safe(str(render()))
    key = fragment_key(organization, since=since, filters=filters)
    html = _cache_call(cache.get, key)
    if html is None:
        with collector_paused():  # thousands of short-lived objects, no cycles among them
            html = str(render())
        _cache_call(cache.set, key, html, TIMEOUT)
    return mark_safe(html)  # rendered by our template, which escapes


def _cache_resting() -> bool:
    """Whether the cache failed less than BACKOFF seconds ago (in this process)."""
    return time.monotonic() < _cache_down_until


def _cache_call(method, *args):
    global _cache_down_until
    if _cache_resting():
        return None
    try:
        return method(*args)
    except Exception:  # the cache is down or slow: render without it
        _cache_down_until = time.monotonic() + BACKOFF
        log.warning("Dashboard cache unavailable; rendering without it.", exc_info=True)
        return None
