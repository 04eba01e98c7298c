"""Database sessions that refuse a malformed key before it reaches the database.

Django's keys are 32 lowercase letters and digits; a cookie carrying anything else (a NUL byte,
which PostgreSQL refuses in text, would be a 500) is simply no session."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and key.isascii() and key.isalnum()
