"""Every foreign key of the busy tables is served by an index that starts with its
column (its own, a composite one, or a partial NOT NULL one where most rows hold
NULL), and none carries a single-column index that another index already serves:
one B-tree entry less for every case, message and event written."""

from django.db import connection

TABLES = ["cases_case", "cases_message", "cases_caseevent"]

# Per foreign key: each index whose first column is the key's column, with its
# number of key columns and whether it is partial.
LEADING = """
SELECT con.conrelid::regclass::text, att.attname,
       idx.indexrelid::regclass::text, idx.indnkeyatts, idx.indpred IS NOT NULL
FROM pg_constraint con
JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
LEFT JOIN pg_index idx ON idx.indrelid = con.conrelid AND idx.indkey[0] = con.conkey[1]
WHERE con.contype = 'f' AND con.conrelid::regclass::text = ANY(%s)
"""


def test_each_foreign_key_is_served_by_one_index(postgres_only, db):
    with connection.cursor() as cursor:
        cursor.execute(LEADING, [TABLES])
        rows = cursor.fetchall()
    served: dict[tuple, list] = {}
    for table, column, index, columns, partial in rows:
        served.setdefault((table, column), [])
        if index:
            served[(table, column)].append((index, columns, partial))
    assert {table for table, _ in served} == set(TABLES)
    for key, indexes in served.items():
        assert indexes, f"{key}: no index starts with this foreign key"
        alone = [name for name, columns, partial in indexes if columns == 1 and not partial]
        if alone:
            assert len(indexes) == 1, f"{key}: {alone} is redundant beside {indexes}"
