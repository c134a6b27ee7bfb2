"""Set-wise writes the ORM does slowly: many rows, each with its own values.

On PostgreSQL each column travels as one array, bound server-side (UNNEST): the
statement's text depends only on the columns, so psycopg and the server parse it
once, where the ORM renders and quotes every value into a new text each time.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


def built(model: type[Model], **values) -> Model:
    """`model(**values)` for a row about to be written set-wise, at a fraction of the cost.

    Django's constructor walks every field of the model for each instance, taking
    its default through the field and each foreign key through its descriptor:
    ~20 µs for a Case, several milliseconds for a page of mentions' cases, messages
    and events (measured by py-spy on `python -m bench --scenario ingest`). Here the
    defaults that are not callables are taken once per model and copied; the
    result is the same instance (tested against the constructor field by field).
    Models with signal receivers on construction, or with fields of their own
    descriptors, take the constructor. `values` are field names (a related
    instance: the foreign key's name; an id: its attname).
    """
    plan = _build_plan(model)
    if plan is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    static, dynamic, relations, attnames = plan
    obj = model.__new__(model)
    state = obj._state = ModelState()
    data = obj.__dict__
    data.update(static)
    for name, attname, default in dynamic:
        if name not in values and attname not in values:  # as the constructor: only if needed
            data[attname] = default()
    for name, value in values.items():
        field = relations.get(name)
        if field is not None:
            if value is None:
                data[field.attname] = None
                state.fields_cache[name] = None
            else:  # the descriptor: its type check, database hints and cache
                setattr(obj, name, value)
        elif name in attnames:
            data[name] = value
        else:
            return model(**values)  # a property, or a wrong name: the constructor decides
    return obj


@functools.cache
def _build_plan(model: type[Model]):
    """(static defaults, callable defaults, foreign keys by name, attnames) for `built`,
    or None when the model has a field `built` does not know how to set."""
    from django.db.models.fields.related_descriptors import (
        ForeignKeyDeferredAttribute,
        ForwardManyToOneDescriptor,
    )
    from django.db.models.query_utils import DeferredAttribute

    static, dynamic, relations, attnames = {}, [], {}, set()
    for field in model._meta.concrete_fields:
        if field.generated:
            continue
        descriptor = type(model.__dict__.get(field.attname))
        if field.many_to_one and type(field) is models.ForeignKey:
            if descriptor is not ForeignKeyDeferredAttribute:
                return None
            if type(model.__dict__.get(field.name)) is not ForwardManyToOneDescriptor:
                return None
            relations[field.name] = field
        elif field.is_relation or descriptor is not DeferredAttribute:
            return None
        attnames.add(field.attname)
        if field.has_default() and callable(field.default):
            dynamic.append((field.name, field.attname, field.get_default))
        else:
            static[field.attname] = field.get_default()
    return static, tuple(dynamic), relations, attnames


def rows_update(
    model: type[Model],
    objs: Sequence[Model],
    fields: Sequence[str],
    *,
    increment: Sequence[str] = (),
) -> int:
    """Write `fields` of each of `objs` (saved rows) from its attributes, in one UPDATE,
    and add 1 to each column of `increment` (e.g. a version) in the database.

    What `QuerySet.bulk_update` does (SET column = CASE id WHEN ... END), without
    the ORM expression it builds and resolves per row and field, which costs
    milliseconds per row on a page of a hundred. Returns the rows updated.
    """
    if not objs or not fields:
        return 0
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql" and _unnestable(db, [model._meta.get_field(f) for f in fields]):
        return _rows_update_unnest(db, model, objs, fields, increment)
    qn = connection.ops.quote_name
    meta = model._meta
    pk = qn(meta.pk.column)
    whens = " ".join(["WHEN %s THEN %s"] * len(objs))
    sets, params = [], []
    for name in fields:
        field = meta.get_field(name)
        value = f"CASE {pk} {whens} END"
        if connection.features.requires_casted_case_in_updates:
            value = f"CAST({value} AS {field.cast_db_type(connection)})"
        sets.append(f"{qn(field.column)} = {value}")
        for obj in objs:
            params += [obj.pk, field.get_db_prep_save(getattr(obj, field.attname), connection)]
    sets += [_incremented(qn, meta, name) for name in increment]
    params += [obj.pk for obj in objs]
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {', '.join(sets)} "
        f"WHERE {pk} IN ({', '.join(['%s'] * len(objs))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _incremented(qn, meta, name: str) -> str:
    column = qn(meta.get_field(name).column)
    return f"{column} = {qn(meta.db_table)}.{column} + 1"


def _rows_update_unnest(
    db, model: type[Model], objs: Sequence[Model], fields: Sequence[str], increment: Sequence[str]
) -> int:
    """`rows_update` on PostgreSQL: UPDATE ... FROM UNNEST(one array per column), bound
    server-side (see `rows_insert`). Of two objects with one id, the first counts,
    as with the CASE form."""
    meta = model._meta
    unique: dict = {}
    for obj in objs:
        unique.setdefault(obj.pk, obj)
    objs = list(unique.values())
    qn = db.ops.quote_name
    pk_type = meta.pk.rel_db_type(db)  # bigint for a BigAutoField, not bigserial
    arrays, sets = [f"%b::{pk_type}[]"], []
    params: list = [[obj.pk for obj in objs]]
    for index, name in enumerate(fields):
        field = meta.get_field(name)
        array, values = _column(field, objs, db, insert=False)
        arrays.append(array)
        sets.append(f"{qn(field.column)} = v.c{index}")
        params.append(values)
    sets += [_incremented(qn, meta, name) for name in increment]
    names = ", ".join(["id"] + [f"c{index}" for index in range(len(fields))])
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} FROM UNNEST({', '.join(arrays)}) AS v({names}) "
        f"WHERE {table}.{pk} = v.id"
    )
    with _server_binding_cursor(db) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rows_insert(
    model: type[Model], objs: Sequence[Model], *, unique_fields: Sequence[str] = ()
) -> list[Model]:
    """Insert unsaved `objs` in one statement, setting each one's pk: `bulk_create`
    for a page of rows, at a fraction of its cost on PostgreSQL. Returns the objects
    inserted: all of them, or with `unique_fields`, those whose key was not taken
    (ON CONFLICT DO NOTHING: a row being inserted by another transaction is waited
    for). The keys of `objs` must then differ from one another.

    One array per column (INSERT ... SELECT FROM UNNEST(...) RETURNING id) bound
    server-side: the statement's text depends only on the columns, so it is parsed
    once, where the ORM renders and quotes every value into a new text each time.
    A model with an array column takes the ORM's way. Related
    objects saved since the instances were built lend their ids, as with
    `bulk_create`. Other databases use `bulk_create`.
    """
    if not objs:
        return []
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is read per value
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    if db.vendor != "postgresql" or not _unnestable(db, fields):
        if not unique_fields:
            return model.objects.bulk_create(objs)
        return _insert_ignoring_conflicts(model, objs, unique_fields)
    relations = [f for f in fields if f.is_relation]
    for obj in objs:
        for field in relations:
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    setattr(obj, field.attname, related.pk)
    arrays, selects, params = [], [], []
    for index, field in enumerate(fields):
        array, values = _column(field, objs, db, insert=True)
        arrays.append(array)
        selects.append(f"c{index}")
        params.append(values)
    qn = db.ops.quote_name
    names = ", ".join(f"c{index}" for index in range(len(fields)))
    keys = [meta.get_field(name) for name in unique_fields]
    conflict = f"ON CONFLICT ({', '.join(qn(f.column) for f in keys)}) DO NOTHING " if keys else ""
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"SELECT {', '.join(selects)} FROM UNNEST({', '.join(arrays)}) AS t({names}) "
        f"{conflict}RETURNING {', '.join(qn(f.column) for f in [meta.pk, *keys])}"
    )
    with _server_binding_cursor(db) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if keys:
        by_key = {tuple(getattr(obj, f.attname) for f in keys): obj for obj in objs}
        inserted = [by_key[tuple(row[1:])] for row in rows]
    else:
        inserted = list(objs)
    for obj, row in zip(inserted, rows, strict=True):
        obj.pk = row[0]
        obj._state.adding = False
        obj._state.db = db.alias
    return inserted


def _insert_ignoring_conflicts(
    model: type[Model], objs: Sequence[Model], unique_fields: Sequence[str]
) -> list[Model]:
    """`rows_insert` with `unique_fields` elsewhere (SQLite): one multi-row INSERT ...
    ON CONFLICT DO NOTHING RETURNING, values rendered into the statement."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    keys = [meta.get_field(name) for name in unique_fields]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="rows_insert")
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in objs
        for field in fields
    ]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * len(objs))} "
        f"ON CONFLICT ({', '.join(qn(f.column) for f in keys)}) DO NOTHING "
        f"RETURNING {', '.join(qn(f.column) for f in [meta.pk, *keys])}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_key = {tuple(getattr(obj, f.attname) for f in keys): obj for obj in objs}
    inserted = []
    for pk, *key in rows:
        obj = by_key[tuple(key)]
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
        inserted.append(obj)
    # RETURNING's order is not promised here: the objects' order is.
    order = {id(obj): place for place, obj in enumerate(objs)}
    return sorted(inserted, key=lambda obj: order[id(obj)])


def _column(field, objs: Sequence[Model], db, *, insert: bool) -> tuple[str, object]:
    """The column of `objs` as one parameter, and the SQL array it becomes.

    A JSON column goes as one JSON document, split into an array by the server:
    one `json.dumps` for the page, where psycopg would wrap and dump each value on
    its own (~6 µs each, the events' data and the raw payloads of a page of
    mentions). Other columns go as an array of their values.
    """
    document = _json_document(field, objs)
    if document is not None:
        return (
            "ARRAY(SELECT e FROM jsonb_array_elements(%b::jsonb) WITH ORDINALITY AS j(e, i)"
            " ORDER BY i)",
            document,
        )
    # Without the length: no silent truncation (varchar(50)[] would cut).
    return f"%b::{field.db_type(db).split('(')[0]}[]", _db_values(field, objs, db, insert=insert)


def _json_document(field, objs: Sequence[Model]) -> str | None:
    """A JSONField's values as one JSON array, as the field would dump each; None when
    one is SQL NULL or an expression (those take the field's own way)."""
    if type(field) is not models.JSONField:
        return None
    values = [getattr(obj, field.attname) for obj in objs]
    if any(value is None or hasattr(value, "as_sql") for value in values):
        return None
    return json.dumps(values, cls=field.encoder)


def _db_values(field, objs: Sequence[Model], db, *, insert: bool) -> list:
    """The column's value of each object, as the ORM would send it.

    A string in a char/text column, an aware datetime in a datetime column that
    sets nothing itself, an int in a foreign key to an automatic primary key or a
    bool in a boolean column goes as it is: the ORM's preparation returns it
    unchanged, and skipping it per value is most of the cost of a page's rows.
    Anything else takes the ORM's way (pre_save on insert, then get_db_prep_save).
    """
    attname = field.attname
    kind = type(field)
    if kind in (models.CharField, models.TextField):
        plain = (str,)
    elif kind is models.DateTimeField and not (field.auto_now or field.auto_now_add):
        plain = (datetime,)
    elif kind is models.ForeignKey and type(field.target_field) in (
        models.AutoField,
        models.BigAutoField,
    ):
        plain = (int,)
    elif kind is models.BooleanField:
        plain = (bool,)
    else:
        plain = ()
    values = []
    for obj in objs:
        value = getattr(obj, attname)
        if value is None or (
            type(value) in plain and (plain[0] is not datetime or value.tzinfo is not None)
        ):
            values.append(value)
        elif insert:
            values.append(field.get_db_prep_save(field.pre_save(obj, True), db))
        else:
            values.append(field.get_db_prep_save(value, db))
    return values


def _unnestable(db, fields) -> bool:
    """Whether every column can travel as an array (an array column cannot)."""
    return all(not (field.db_type(db) or "[]").endswith("[]") for field in fields)


def _server_binding_cursor(db):
    """A cursor of Django's connection (its query wrappers and logging apply) that
    binds parameters server-side, whatever the connection's default."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.ensure_connection()
    raw = ServerBindingCursor(db.connection)
    if db.queries_logged:
        return db.make_debug_cursor(raw)
    return db.make_cursor(raw)


def timestamptz_loader_fast(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: read timestamptz columns with psycopg's C loader.

    Django (5.2, with psycopg 3) registers its own timestamptz loader on every
    connection, a subclass of psycopg's pure-Python one (the C class cannot be
    subclassed): each timestamp read costs ~7 µs of Python parsing, a few
    milliseconds for a page of cases. Its only job is to give the values the
    connection's time zone; when that time zone is UTC — Django's own session
    setting with USE_TZ and no TIME_ZONE for the database — psycopg's C loader
    gives the very same values (aware, `datetime.timezone.utc`), so it is used.
    Known upstream: Django ticket #36960, psycopg issue #1273.
    """
    if connection.vendor != "postgresql" or connection.timezone_name != "UTC":
        return
    import psycopg
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.postgres import types
    from psycopg.pq import Format

    oid = types["timestamptz"].oid
    fast = psycopg.adapters.get_loader(oid, Format.TEXT)  # the C class with psycopg[binary]
    if fast is None or fast.__module__.startswith("psycopg.") or not settings.USE_TZ:
        return  # no C implementation installed: Django's loader stays
    if connection.connection.info.parameter_status("TimeZone") != "UTC":
        return

    class UtcLoader(BaseTzLoader):
        # Django compares this with its own time zone before every cursor.
        timezone = connection.timezone

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self.load = fast(oid, context).load  # psycopg calls `loader.load` per value

    connection.connection.adapters.register_loader(oid, UtcLoader)
