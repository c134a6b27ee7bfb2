"""A private PostgreSQL cluster for the restart test: the shared server on :5432
serves other suites and must never be restarted.

initdb + pg_ctl from /usr/lib/postgresql/<version>/bin, trust authentication,
fsync off, a free port, data in a temporary directory. PostgreSQL refuses to run
as root, so as root the binaries run as the `postgres` user (runuser)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.fault.procs import free_port


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's binaries, or None."""
    for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(path, "initdb").exists() and Path(path, "pg_ctl").exists():
            return Path(path)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


class PrivatePostgres:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sada-fault-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres")
        self.root.chmod(0o755)

    def _run(self, tool: str, *args: str, timeout: float = 60) -> str:
        command = [str(self.bindir / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            log = self.logfile.read_text() if self.logfile.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}\n{log[-2000:]}")
        return done.stdout

    def _options(self) -> str:
        # fsync off: a killed server loses nothing the OS already has; commits stay
        # synchronous, so a crash never loses a committed transaction.
        return (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off "
            "-c max_connections=60"
        )

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-o",
            self._options(),
            "-w",
            "start",
        )

    def restart_immediate(self) -> None:
        """Like a crash: no checkpoint, every backend killed; recovery on start."""
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-m",
            "immediate",
            "-l",
            str(self.logfile),
            "-o",
            self._options(),
            "-w",
            "restart",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def createdb(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


class attached:
    """The private database as a Django connection alias for the test's own reads
    and writes (`Model.objects.using(alias)`), removed again on exit so Django's
    test-case teardown never sees it."""

    def __init__(self, alias: str, url: str):
        self.alias, self.url = alias, url

    def __enter__(self) -> str:
        import dj_database_url
        from django.db import connections

        config = dj_database_url.parse(self.url, conn_max_age=0)
        connections.settings[self.alias] = connections.configure_settings({"default": config})[
            "default"
        ]
        return self.alias

    def __exit__(self, *exc) -> None:
        from django.db import connections

        if hasattr(connections._connections, self.alias):
            connections[self.alias].close()
            delattr(connections._connections, self.alias)
        connections.settings.pop(self.alias, None)
