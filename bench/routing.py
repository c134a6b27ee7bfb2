"""Micro-benchmark of the routing rules on one mention. Not a test.

    python -m bench.routing [--repeat N] [--files PATH...]

Evaluates the seed rules (``cases.seed_rules.SEED_RULES``) on every mention of
the labelled files (tests/cases/data/triage_labelled.jsonl and
triage_blind.jsonl), each ``--repeat`` times after one warm-up pass (the
rules' compile cache is filled once per process, as in the server), and
prints one JSON object: median and p95 microseconds per ``evaluate()`` call,
beside the same figures for only normalising the text (``text.normalize``),
which every mention pays anyway, and their ratio. Pure Python: no database,
no Django settings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench.common import report
from cases.routing import MentionFacts, RuleSpec, evaluate
from cases.seed_rules import SEED_RULES
from cases.text import compile_phrase, detect_language, normalize

DATA = Path(__file__).resolve().parent.parent / "tests" / "cases" / "data"
FILES = (DATA / "triage_labelled.jsonl", DATA / "triage_blind.jsonl")


def _mentions(paths) -> list[MentionFacts]:
    mentions = []
    for path in paths:
        with Path(path).open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                item = json.loads(line)
                mentions.append(
                    MentionFacts(
                        text=item["text"],
                        language=detect_language(item["text"], item.get("lang")),
                        followers=item.get("followers"),
                        verified=item.get("verified", False),
                        recent_case_ages_days=tuple(item.get("recent_case_ages_days", ())),
                    )
                )
    return mentions


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _timings(call, mentions: list[MentionFacts], repeat: int) -> list[float]:
    """Microseconds of each call, every mention ``repeat`` times (interleaved)."""
    clock = time.perf_counter_ns
    out = []
    for _ in range(repeat):
        for mention in mentions:
            start = clock()
            call(mention)
            out.append((clock() - start) / 1000)
    return out


def measure(paths=FILES, repeat: int = 5, calls: int | None = None) -> dict:
    """`repeat` passes over the mentions, or as many as make at least `calls` calls."""
    # A tuple, as the intake's rule cache hands them over.
    rules = tuple(RuleSpec(**fields) for fields in SEED_RULES)
    mentions = _mentions(paths)
    if calls:
        repeat = max(1, -(-calls // len(mentions)))
    alternatives = sum(
        len(compile_phrase(phrase).alternatives)
        for rule in rules
        for phrase in (*rule.keywords, *rule.exclude)
    )
    # Warm-up: compile the rules once, as the first mention after a restart does.
    started = time.perf_counter()
    for mention in mentions[:1]:
        evaluate(rules, mention)
    first_ms = (time.perf_counter() - started) * 1000
    for mention in mentions:
        evaluate(rules, mention)

    routing = _timings(lambda m: evaluate(rules, m), mentions, repeat)
    baseline = _timings(lambda m: normalize(m.text), mentions, repeat)
    median, baseline_median = statistics.median(routing), statistics.median(baseline)
    return {
        "scenario": "routing_evaluate",
        "mentions": len(mentions),
        "calls": len(routing),
        "rules": len(rules),
        "keyword_alternatives": alternatives,
        "first_call_ms": round(first_ms, 1),
        "median_us": round(median, 1),
        "p95_us": round(_percentile(routing, 0.95), 1),
        "mean_us": round(statistics.fmean(routing), 1),
        "evaluations_per_s": round(1_000_000 / statistics.fmean(routing)),
        "baseline": "text.normalize only",
        "baseline_median_us": round(baseline_median, 1),
        "baseline_p95_us": round(_percentile(baseline, 0.95), 1),
        "ratio": round(median / baseline_median, 1),
    }


def run(quick: bool = False, n: int | None = None) -> dict:
    # --n is a number of calls here (whole passes over the labelled mentions).
    result = measure(repeat=2 if quick else 5, calls=n)
    result["n"] = result["calls"]
    report(result)  # printed, and kept for bench/RESULTS.md like the other scenarios
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.routing")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the mentions (5)")
    parser.add_argument("--files", nargs="+", default=[str(path) for path in FILES])
    args = parser.parse_args()
    print(json.dumps(measure(args.files, args.repeat), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
