"""Filters on long lists of ids (the latest round of each of a thousand teams)."""

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value


class _AnyOf(Func):
    """`column = ANY(%s::bigint[])`: the ids bound as one array."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s::bigint[]))"
    output_field = BooleanField()


def among(field: str, ids) -> Q | Func:
    """A filter for `field` being one of `ids`, as `field__in=ids` is. On PostgreSQL the ids
    are one array parameter (`= ANY(...)`): a thousand ids in a list cost more to bind, send
    and plan than the statement takes to run. Elsewhere, `__in`."""
    ids = list(ids)
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    return _AnyOf(F(field), Value(ids))
