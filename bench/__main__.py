"""python -m bench [--quick] [--scenario NAME] [--n N]

Runs against PostgreSQL (DATABASE_URL; the benchmarks use its database + "_bench").
Prints one JSON object per scenario and writes bench/RESULTS.md.
"""

import argparse
import importlib
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench.common import RESULTS

SCENARIOS = {
    "ingest": "bench.ingest",
    "routing": "bench.routing",
    "sla_sweep": "bench.sla_sweep",
    "inbox": "bench.inbox",
    "take_next": "bench.take_next",
    "api_load": "bench.api_load",  # also reports the `memory` scenario (peak RSS)
    "explain": "bench.explain",
    "reports": "bench.reports",
}


def _target(r: dict) -> str:
    """Issue 9's target for this row, and whether this run met it."""
    name, n = r["scenario"], r.get("n")
    if name.startswith(("inbox_html", "api_list")) and n == 1_000_000:
        return f"p95 <= 50 ms: {'met' if r['p95_ms'] <= 50 else 'missed'}"
    if name == "ingest":
        return f">= 2,000/s: {'met' if r['rows_per_s'] >= 2000 else 'missed'}"
    if name == "take_next":
        ok = r["rows_per_s"] >= 500 and r["double_assignments"] == 0
        return f">= 500/s, 0 double: {'met' if ok else 'missed'}"
    if name == "api_load":
        return f"p95 <= 150 ms, 0 errors: {'met' if r['target_met'] else 'missed'}"
    if name == "sla_sweep_idle":
        return f"<= 10 ms: {'met' if r['p95_ms'] <= 10 else 'missed'}"
    if name.startswith("sla_sweep_") and name.endswith("breaches"):
        return f"<= 2 s: {'met' if r['p95_ms'] <= 2000 else 'missed'}"
    return ""


def _figure(r: dict) -> str:
    if r.get("rows_per_s"):
        return f"{r['rows_per_s']:,} /s"
    if r.get("requests_per_s"):
        return (
            f"{r['requests_per_s']:,} req/s, median {r['median_ms']} ms, p95 {r['p95_ms']} ms, "
            f"{r['errors']} errors"
        )
    if "median_us" in r:
        return f"median {r['median_us']} µs, p95 {r['p95_us']} µs per call"
    if "gunicorn_worker_peak_rss_mib" in r:
        return (
            f"gunicorn worker {r['gunicorn_worker_peak_rss_mib']} MiB, "
            f"qcluster process {r['qcluster_process_peak_rss_mib']} MiB (peak RSS)"
        )
    return f"median {r.get('median_ms')} ms, p95 {r.get('p95_ms')} ms"


def _markdown(started_load: tuple, quick: bool) -> str:
    end_load = os.getloadavg()
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({os.cpu_count()} cores), PostgreSQL 15 on the same machine, "
        f"{'quick' if quick else 'full'} run. Load average (1 min) at the start "
        f"{started_load[0]:.1f}, at the end {end_load[0]:.1f} (other work shared the cores).",
        "",
        "| scenario | n | figure | baseline | ratio | queries | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in RESULTS:
        if "skipped" in r:
            lines.append(f"| {r['scenario']} | | skipped: {r['skipped']} | | | | |")
            continue
        shown = ("median_ms", "median_us", "rows_per_s", "gunicorn_worker_peak_rss_mib")
        if not any(key in r for key in shown):
            continue  # summaries (inbox_targets, explain) are in the JSON output
        baseline = (
            r.get("baseline_rows_per_s")
            and f"{r['baseline_rows_per_s']:,} /s"
            or (f"{r['baseline_median_ms']} ms" if "baseline_median_ms" in r else "")
            or (f"median {r['baseline_median_us']} µs" if "baseline_median_us" in r else "")
        )
        if r.get("baseline"):
            baseline += f" ({r['baseline']})"
        n = f"{r['n']:,}" if isinstance(r.get("n"), int) else r.get("n", "")
        lines.append(
            f"| {r['scenario']} | {n} | {_figure(r)} | {baseline} | {r.get('ratio', '')} "
            f"| {r.get('queries', '')} | {_target(r)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, under 3 minutes")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), action="append")
    parser.add_argument(
        "--n", type=int, help="the size, where a scenario has one (README: Performance)"
    )
    args = parser.parse_args()
    started_load = os.getloadavg()
    for name in args.scenario or list(SCENARIOS):
        module = importlib.import_module(SCENARIOS[name])
        kwargs = {"quick": args.quick}
        if args.n:
            kwargs["n"] = args.n
        module.run(**kwargs)
    # README shows the full run's table; a quick or partial run writes beside it.
    name = "RESULTS.quick.md" if args.quick else "RESULTS.partial.md" if args.scenario else ""
    out = Path(__file__).with_name(name or "RESULTS.md")
    out.write_text(_markdown(started_load, args.quick), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
