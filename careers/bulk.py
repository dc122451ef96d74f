"""New rows inserted in bulk with their creation history, in one statement per table.

`insert_with_history(model, rows)` writes what `simple_history`'s
`bulk_create_with_history(objs, model)` writes: the rows, then one "+" history row each
(its own history_date, timezone.now(); history_user the requester when signed in; no
change reason), and returns the new ids in the order of `rows`.

On PostgreSQL it does so without building model instances or compiling an INSERT:
the ids are drawn from the table's sequence (one query), and the rows and their
history rows are streamed with COPY (psycopg's `Cursor.copy`), one statement per
table, whatever the number of rows. Django's per-value preparation of a bulk INSERT
cost more than the database's work (about 2 ms per imported skill). Elsewhere (SQLite),
and for a model whose history has fields of its own, it calls
`bulk_create_with_history`. A row gives every field by its attname, except the
translated fields' original columns (`name` beside `name_fr`, `name_en`): those hold what
django-modeltranslation's descriptor reads on an instance, the value in the active
language or its fallbacks, as when an instance is saved.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.backends.utils import CursorDebugWrapper
from modeltranslation.fields import NONE
from modeltranslation.thread_context import fallbacks_enabled
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import get_language, resolution_order
from simple_history.utils import bulk_create_with_history, get_history_model_for_model

Row = dict[str, Any]

BATCH_SIZE = 500  # the ORM path's INSERT batches, as before
# Fields whose Python values psycopg's COPY writes as Django would store them.
PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateTimeField,
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
)
HISTORY_EXTRAS = {"history_date", "history_change_reason", "history_type", "history_user_id"}


def insert_with_history(model: type[models.Model], rows: Sequence[Row]) -> list[int]:
    """Insert `rows` (attname -> value) and their creation history; their new ids."""
    if not rows:
        return []
    if not _copies(model):
        objs = [model(**row) for row in rows]
        bulk_create_with_history(objs, model, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objs]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    full = _complete(model, fields, rows)
    qn = connection.ops.quote_name
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [qn(table), model._meta.pk.column, len(rows)],
        )
        ids = sorted(pk for (pk,) in cursor.fetchall())
        pk_attname = model._meta.pk.attname
        for pk, row in zip(ids, full, strict=True):
            row[pk_attname] = pk
        columns = [model._meta.pk, *fields]
        _copy(cursor, table, columns, map(itemgetter(*(f.attname for f in columns)), full))
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            _copy_history(cursor, model, full)
    return ids


def _copies(model: type[models.Model]) -> bool:
    """Whether the COPY path writes exactly what bulk_create_with_history would."""
    if connection.vendor != "postgresql":
        return False
    history = get_history_model_for_model(model)
    tracked = {f.attname for f in history.tracked_fields}
    own = {f.attname for f in history._meta.concrete_fields if not f.primary_key} - tracked
    return (
        own <= HISTORY_EXTRAS
        and not hasattr(history, "history_relation")
        and isinstance(history._meta.pk, models.AutoField)
        and all(isinstance(f, PLAIN_FIELDS) for f in model._meta.concrete_fields)
    )


def _complete(
    model: type[models.Model], fields: list[models.Field], rows: Sequence[Row]
) -> list[Row]:
    """Every column of each row: the defaults of the fields it leaves out, and the
    original columns of translated fields as modeltranslation's descriptor reads them."""
    dynamic = [f for f in fields if f.has_default() and callable(f.default)]
    static = {f.attname: f.get_default() for f in fields if f not in dynamic}
    translated = _translated(model)
    full = []
    for row in rows:
        values = static | row
        for field in dynamic:
            if field.attname not in row:
                values[field.attname] = field.get_default()
        for name, langs, undefined, fallback, default in translated:
            for lang in langs:
                value = values[f"{name}_{lang}"]
                if value is not None and value != undefined:
                    break
            else:
                value = fallback if fallback is not NONE else default
            values[name] = value
        full.append(values)
    return full


def _translated(model: type[models.Model]) -> list[tuple[str, tuple[str, ...], Any, Any, Any]]:
    """Per translated field: its name, the languages read in turn, the value taken as
    missing, the fallback value and the default (TranslationFieldDescriptor.__get__)."""
    try:
        names = translator.get_options_for_model(model).get_field_names()
    except NotRegistered:
        return []
    found = []
    language = get_language()
    for name in names:
        descriptor = model.__dict__[name]
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)  # a translated field is a column
        default = field.get_default()
        undefined = descriptor.fallback_undefined
        if undefined is NONE:
            undefined = default
        fallback = descriptor.fallback_value if fallbacks_enabled() else NONE
        langs = resolution_order(language, descriptor.fallback_languages)
        found.append((name, langs, undefined, fallback, default))
    return found


def _copy_history(cursor: Any, model: type[models.Model], rows: list[Row]) -> None:
    """One "+" history row per row, as HistoryManager.bulk_history_create builds them."""
    history = get_history_model_for_model(model)
    user = history.get_default_history_user(None)  # the signed-in requester, if any
    user_id = getattr(user, "pk", None)
    columns = [f for f in history._meta.concrete_fields if not f.primary_key]
    extras = {"history_change_reason": None, "history_type": "+", "history_user_id": user_id}
    values = itemgetter(*(f.attname for f in columns))  # the tracked fields, then these
    zone = UTC if settings.USE_TZ else None  # timezone.now(), its setting read once

    def now() -> datetime:
        return datetime.now(tz=zone)

    def history_rows() -> Iterator[tuple[Any, ...]]:
        for row in rows:
            row.update(extras, history_date=now())
            yield values(row)

    _copy(cursor, history._meta.db_table, columns, history_rows())


def _copy(
    cursor: Any, table: str, columns: list[models.Field], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY the rows into the table (logged as a query when queries are: tests, DEBUG)."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column or f.attname) for f in columns)  # a concrete field has one
    sql = f"COPY {qn(table)} ({names}) FROM STDIN"
    logged = cursor.debug_sql(sql) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
    with logged, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
