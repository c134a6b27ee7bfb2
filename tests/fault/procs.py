"""Real child processes for the fault tests: `manage.py` commands (poll_mentions,
qcluster, migrate) started in their own process group, so a SIGKILL can take a
whole qcluster (guard, pusher, monitor, workers) at once, and nothing outlives
the test. Every wait has a deadline: pytest-timeout is not installed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def wait_for(condition, timeout: float = 20.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pid_of_client(client_port: int, server_port: int) -> int | None:
    """The process holding a TCP connection from 127.0.0.1:`client_port` to
    `server_port` (the worker that is talking to the fake X)."""
    wanted = f":{client_port:04X}", f":{server_port:04X}"
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(wanted[0]) and fields[2].endswith(wanted[1]):
                inode = fields[9]
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
            if any(os.readlink(f"/proc/{entry}/fd/{fd}") == target for fd in fds):
                return int(entry)
        except OSError:
            continue
    return None


class Child:
    """One `manage.py` process (and its children) with its output in a file."""

    def __init__(self, args: list[str], env: dict, name: str = ""):
        self.name = name or args[0]
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            "w+", prefix=f"sada-fault-{self.name}-", suffix=".log", delete=False
        )
        self.proc = subprocess.Popen(
            [sys.executable, str(MANAGE), *args],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=MANAGE.parent,
            start_new_session=True,  # its own process group: killpg reaches every child
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def children(self) -> list[int]:
        """Pids of every process of the group but the leader (qcluster's guard,
        pusher, monitor and workers)."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == self.pid:
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if fields[0] != "Z" and int(fields[2]) == self.pid:  # pgrp
                pids.append(int(entry))
        return pids

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to the whole group (the qcluster and every one of its processes)."""
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass
        if sig == signal.SIGKILL:
            self.proc.wait(10)
            # Orphans of the group die with it; wait until none is left.
            wait_for(lambda: not self.children(), 10)

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        if self.alive():
            self.kill(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill(signal.SIGKILL)
        self.log.close()
        return self.proc.returncode


class Children:
    """The fixture's registry: whatever a test started is stopped when it ends."""

    def __init__(self):
        self.started: list[Child] = []

    def start(self, args: list[str], env: dict, name: str = "") -> Child:
        child = Child(args, env, name)
        self.started.append(child)
        return child

    def stop_all(self) -> None:
        for child in self.started:
            child.kill(signal.SIGKILL)  # the outcome was checked; no need to wait
            child.log.close()
            if not os.environ.get("SADA_FAULT_KEEP_LOGS"):  # set it to read them after a failure
                Path(child.log.name).unlink(missing_ok=True)


def run_manage(args: list[str], env: dict, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=MANAGE.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
