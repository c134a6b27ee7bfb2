"""python -m bench [--quick] [--scenario NAME] [--n N]

Runs against PostgreSQL (DATABASE_URL; the benchmarks use its database + "_bench").
Prints one JSON object per scenario and writes bench/RESULTS.md.
"""

import argparse
import importlib
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
}


def _markdown() -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({__import__('os').cpu_count()} cores), PostgreSQL on the same machine.",
        "",
        "| scenario | n | figure | baseline | ratio | queries |",
        "|---|---|---|---|---|---|",
    ]
    for r in RESULTS:
        figure = (
            r.get("rows_per_s")
            and f"{r['rows_per_s']} rows/s"
            or f"median {r.get('median_ms')} ms, p95 {r.get('p95_ms')} ms"
        )
        baseline = (
            r.get("baseline_rows_per_s")
            and f"{r['baseline_rows_per_s']} rows/s"
            or f"{r.get('baseline_median_ms', '')} ms"
        )
        lines.append(
            f"| {r['scenario']} | {r.get('n', '')} | {figure} | {baseline} ({r.get('baseline', '')}) | {r.get('ratio', '')} | {r.get('queries', '')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, under 3 minutes")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), action="append")
    parser.add_argument("--n", type=int)
    args = parser.parse_args()
    for name in args.scenario or list(SCENARIOS):
        module = importlib.import_module(SCENARIOS[name])
        kwargs = {"quick": args.quick}
        if args.n:
            kwargs["n"] = args.n
        module.run(**kwargs)
    out = Path(__file__).with_name("RESULTS.md")
    out.write_text(_markdown(), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
