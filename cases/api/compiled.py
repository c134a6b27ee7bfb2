"""Queries whose SQL text never changes, compiled by the ORM once and then run with
new parameter values.

The API reads the caller's key on every request with the same statement; only the
key's hash differs. Building that queryset and compiling it to SQL cost more CPU
than the database spent answering it (bench api_load), for the same text each
time. A `CompiledQuery` asks the ORM for the SQL once per database connection
object, with a placeholder value standing for each parameter, then substitutes
the real values into the parameters (never into the text): the statement, the
quoting and the ORM's own value conversions (e.g. JSON, SQLite datetimes) are
exactly the ORM's.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class CompiledQuery:
    """`build(**placeholders)` returns a `values_list()` queryset; `rows(**values)`
    runs its SQL with those values in place of the placeholders. `parameters` name
    each parameter and its type (str or int: a placeholder is a random value of it).

    Only for queries whose text does not depend on the values (no `__in` lists,
    no None that would turn into IS NULL): each placeholder must appear as a
    parameter of the compiled SQL, or compiling refuses."""

    def __init__(self, build: Callable[..., QuerySet], **parameters: type):
        self.build = build
        self.parameters = parameters
        # Per connection object: Django keeps one per thread and alias, and the
        # converters of a compiled query belong to the connection it was made on.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection):
        placeholders = {
            name: f"compiled-query-{name}-{secrets.token_hex(8)}"
            if kind is str
            else (1 << 62) | secrets.randbits(61)
            for name, kind in self.parameters.items()
        }
        queryset = self.build(**placeholders)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = {}
        for name, placeholder in placeholders.items():
            positions = [i for i, param in enumerate(params) if param == placeholder]
            if not positions:
                raise ValueError(f"{name} is not a parameter of the compiled query")
            slots[name] = positions
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        compiled = (compiler, sql, list(params), slots, converters)
        self._compiled[connection] = compiled
        return compiled

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple]:
        connection = connections[using]
        compiled = self._compiled.get(connection) or self._compile(connection)
        compiler, sql, params, slots, converters = compiled
        params = list(params)
        for name, positions in slots.items():
            for i in positions:
                params[i] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return rows
