"""The REST API under load: 32 concurrent clients (wrk) on gunicorn for 60 s, the case
list and case details in rotation, beside the same requests from one client. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sada python -m bench --scenario api_load

Needs wrk (Debian: `apt-get install -y wrk`). gunicorn is started here as it runs in
production: DEBUG off, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1; TLS is a proxy's job, so
the requests carry X-Forwarded-Proto: https and SECURE_PROXY_SSL_HEADER trusts it (the
HTTPS redirect stays on). Sync workers, 2 x cores + 1 (gunicorn's own advice: one per
core serving while another waits on PostgreSQL). The API key is limited to the bench
queue of 1,000,000 cases and acts as that queue's agent; SADA_API_RATE_PER_KEY and
SADA_API_RATE_PER_USER are lifted for the server (the default 1,200/min per key would
turn this load into 429s: the limits guard against a runaway client, not capacity).

After the load a qcluster gets real work (SLA sweeps over the 1,110,000 cases, the
schedules installed by migrate) for 30 s; the peak RSS (VmHWM) of each gunicorn worker
(after the load) and each qcluster process is read from /proc and reported as the
`memory` scenario.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import report, setup, summary

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZE = 1_000_000
CLIENTS = 32
INSTALL_HINT = "wrk is missing: install it with `apt-get install -y wrk` (Debian/Ubuntu)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(database_url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "SADA_API_RATE_PER_KEY": "10000000/min",
        "SADA_API_RATE_PER_USER": "10000000/min",
        "LOG_LEVEL": "WARNING",
        "Q_WORKERS": "2",
    }
    env.pop("REDIS_URL", None)  # the ORM broker in the bench database
    return env


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(k) for k in text.split()]
    return kids + [g for k in kids for g in _children(k)]


def _hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            urllib.request.urlopen(request, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _key_and_paths(size: int = SIZE) -> tuple[str, list[str]]:
    from bench.data import bench_agent, bench_queue, build_queue, reference_prefix
    from cases.models import Case
    from cases.models_api import ApiKey

    build_queue(size)
    agent = bench_agent(size)
    key = ApiKey(name="bench api-load", scopes=["read"], queue=bench_queue(size), created_by=agent)
    raw = key.set_new_key()
    key.save()
    prefix = reference_prefix(size)
    picks = [max(1, size * share // 100) for share in (0, 1, 25, 99)]
    details = list(
        Case.objects.filter(reference__in=[f"{prefix}{n:08d}" for n in picks])
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    paths = []
    for reference in details:  # half lists, half details
        paths += ["/api/v1/cases/", f"/api/v1/cases/{reference}/"]
    return raw, paths


def _enqueue_work(count: int) -> None:
    from django_q.tasks import async_task

    for _ in range(count):
        async_task("cases.tasks.sla_sweep")


def _single_client(base: str, key: str, paths: list[str], seconds: float) -> dict:
    """The same rotation from one client, one request at a time: the unloaded figure."""
    timings, deadline, i = [], time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            base + paths[i % len(paths)],
            headers={"Authorization": f"Bearer {key}", "X-Forwarded-Proto": "https"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        timings.append((time.perf_counter() - started) * 1000)
        i += 1
    return summary(timings)


def run(quick: bool = False, n: int | None = None) -> dict | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        result = {"scenario": "api_load", "skipped": INSTALL_HINT}
        report(result)
        print(INSTALL_HINT, file=sys.stderr)
        return None
    setup()
    from django.db import connection

    seconds = 10 if quick else 60  # --n is a size for the other scenarios; not used here
    database_url = os.environ["DATABASE_URL"]
    size = 100_000 if quick else SIZE  # --quick: no 1M build inside its 3 minutes
    key, paths = _key_and_paths(size)
    connection.close()

    cores = os.cpu_count() or 2
    workers = 2 * cores + 1
    port = _free_port()
    env = _server_env(database_url)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "helpdesk.wsgi",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--backlog=256",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    cluster = None
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/healthz")
        # Warm every worker (imports, first queries), then the one-client baseline.
        subprocess.run(
            [wrk, "-t2", "-c8", "-d3s", "-s", str(HERE / "wrk_api.lua"), base],
            env={**os.environ, "SADA_BENCH_KEY": key, "SADA_BENCH_PATHS": ",".join(paths)},
            check=True,
            capture_output=True,
        )
        single = _single_client(base, key, paths, 5 if quick else 15)
        out = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{CLIENTS}",
                f"-d{seconds}s",
                "--timeout=10s",
                "--latency",
                "-s",
                str(HERE / "wrk_api.lua"),
                base,
            ],
            env={**os.environ, "SADA_BENCH_KEY": key, "SADA_BENCH_PATHS": ",".join(paths)},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures = json.loads(out.split("WRK_JSON", 1)[1].strip().splitlines()[0])
        web = {pid: _hwm_kib(pid) for pid in _children(server.pid)}
        # The workers after the load: a qcluster with real work (SLA sweeps over every
        # bench case, and the schedules migrate installs, among them the search index
        # catching up on the bulk-inserted cases). Run after, not during, the load: on
        # 2 cores that catch-up would take a core from the web workers.
        cluster = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _enqueue_work(2 if quick else 6)
        connection.close()
        time.sleep(10 if quick else 30)
        queue_pids = [cluster.pid, *_children(cluster.pid)]
        qcluster = {pid: _hwm_kib(pid) for pid in queue_pids}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        if cluster is not None:
            os.killpg(cluster.pid, signal.SIGTERM)
            try:
                cluster.wait(30)  # a cluster finishes the task in hand before it stops
            except subprocess.TimeoutExpired:
                os.killpg(cluster.pid, signal.SIGKILL)
                cluster.wait(10)

    errors = figures["non_2xx"] + figures["socket_errors"]
    result = {
        "scenario": "api_load",
        "n": size,
        "clients": CLIENTS,
        "seconds": figures["seconds"],
        "requests": figures["requests"],
        "requests_per_s": figures["requests_per_s"],
        "median_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        "p99_ms": figures["p99_ms"],
        "errors": errors,
        "non_2xx": figures["non_2xx"],
        "socket_errors": figures["socket_errors"],
        "gunicorn_workers": workers,
        "paths": paths,
        "baseline": "the same rotation from one client, one request at a time",
        "baseline_median_ms": single["median_ms"],
        "baseline_p95_ms": single["p95_ms"],
        "ratio": round(figures["p95_ms"] / single["p95_ms"], 1) if single["p95_ms"] else None,
        "target_met": figures["p95_ms"] <= 150 and errors == 0,
    }
    report(result)
    web_peaks = [v for v in web.values() if v]
    queue_peaks = [v for v in qcluster.values() if v]
    memory = {
        "scenario": "memory",
        "n": size,
        "gunicorn_worker_peak_rss_mib": round(max(web_peaks) / 1024, 1) if web_peaks else None,
        "gunicorn_workers_peak_rss_mib": sorted(round(v / 1024, 1) for v in web_peaks),
        "qcluster_process_peak_rss_mib": round(max(queue_peaks) / 1024, 1) if queue_peaks else None,
        "qcluster_processes_peak_rss_mib": sorted(round(v / 1024, 1) for v in queue_peaks),
        "source": "VmHWM of /proc/<pid>/status: web workers after the load, qcluster after 30 s of work",
    }
    report(memory)
    return result
