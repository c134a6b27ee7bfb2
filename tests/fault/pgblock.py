"""Stop a child process *inside* its transaction, whatever the speed of the code
under test: a trigger (installed in the test's own database) makes the insert of
one chosen row wait for an advisory lock the test holds. The child then sits in
an open transaction, the row written but not committed, until the test kills it
(or restarts the server) and lets go."""

from __future__ import annotations

import psycopg

from tests.fault.procs import wait_for

KEY = 4_242_001


class RowGate:
    def __init__(self, url: str, *, table: str, when: str, name: str = "sada_fault_gate"):
        self.url, self.table, self.when, self.name = url, table, when, name
        self.holder: psycopg.Connection | None = None

    def __enter__(self) -> RowGate:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                f"CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger AS $$ "
                f"BEGIN PERFORM pg_advisory_xact_lock({KEY}); RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            conn.execute(
                f"CREATE TRIGGER {self.name} AFTER INSERT ON {self.table} FOR EACH ROW "
                f"WHEN ({self.when}) EXECUTE FUNCTION {self.name}()"
            )
        self.holder = psycopg.connect(self.url, autocommit=True)
        self.holder.execute("SELECT pg_advisory_lock(%s)", [KEY])
        return self

    def waiting(self) -> int:
        """Backends stopped at the gate (each inside its open transaction)."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND objid = %s",
                [KEY],
            ).fetchone()[0]

    def wait_closed_on(self, timeout: float = 60) -> bool:
        return wait_for(lambda: self.waiting() > 0, timeout, interval=0.1)

    def open(self) -> None:
        """Let go (also done by a server restart, which kills the holder)."""
        if self.holder is not None:
            try:
                self.holder.close()
            finally:
                self.holder = None

    def __exit__(self, *exc) -> None:
        self.open()
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}")
                conn.execute(f"DROP FUNCTION IF EXISTS {self.name}()")
        except psycopg.OperationalError:
            pass  # the private server is gone with its data
