"""Statements run on nearly every request, planned once per database connection.

A respondent's link lookup and an autosave are each one statement, but PostgreSQL spent most of
their time planning them: 0.9 ms of planning for 0.16 ms of work, on every request. (The
dashboard's data version, read on every view of it, is another.) Run through
`prepared_cursor()`, such a statement is sent with its values apart from its text (server-side
binding) and prepared on the connection the first time, so PostgreSQL plans it a few times and
then reuses a generic plan (its plan cache). Persistent connections (CONN_MAX_AGE) keep the
prepared statements from request to request.

Django's other statements stay as Django runs them: bound in the client and never prepared
(its default, which keeps transaction-mode connection poolers working). Behind such a pooler
older than PgBouncer 1.21, which cannot follow prepared statements, set
`DATABASE_PREPARED_STATEMENTS=false`.
"""

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class _PreparedCursor(ServerBindingCursor):
    """psycopg's server-side binding cursor (as Django's own, with `server_side_binding`),
    preparing every statement it runs."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedPreparedCursor(CursorDebugWrapper):
    """Logged (DEBUG, tests' query counts) with its values in place, as Django logs a
    statement bound in the client: Django would log a prepared one by its name."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def prepared_cursor():
    """A Django cursor (counted, logged and with Django's errors, like any other) whose
    statements PostgreSQL prepares; on other databases, or when turned off, a plain cursor."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = _PreparedCursor(connection.connection)
    if connection.queries_logged:
        return _LoggedPreparedCursor(cursor, connection)
    return connection.make_cursor(cursor)
