"""The bench runner's own logic: what it says when wrk is missing, and how it judges targets."""

import bench.__main__ as runner
from bench import api_load
from bench.common import RESULTS


def test_api_load_without_wrk_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setattr(api_load.shutil, "which", lambda name: None)
    before = len(RESULTS)
    assert api_load.run(quick=True) is None
    reported = RESULTS[before:]
    del RESULTS[before:]
    assert reported == [{"scenario": "api_load", "skipped": api_load.INSTALL_HINT}]
    assert "apt-get install -y wrk" in capsys.readouterr().err


def test_targets_are_judged_on_the_figures():
    slow_take = {"scenario": "take_next", "rows_per_s": 499.9, "double_assignments": 0}
    fast_take = {"scenario": "take_next", "rows_per_s": 500.0, "double_assignments": 0}
    doubled = {"scenario": "take_next", "rows_per_s": 900.0, "double_assignments": 1}
    assert runner._target(slow_take).endswith("missed")
    assert runner._target(fast_take).endswith("met")
    assert runner._target(doubled).endswith("missed")
    inbox = {"scenario": "inbox_html_first", "n": 1_000_000, "p95_ms": 50.1}
    assert runner._target(inbox).endswith("missed")
    assert runner._target({**inbox, "p95_ms": 49.9}).endswith("met")
    assert runner._target({**inbox, "n": 10_000}) == ""  # the target is at 1,000,000


def test_markdown_lists_figures_and_leaves_out_summaries(monkeypatch):
    rows = [
        {
            "scenario": "api_load",
            "n": 1_000_000,
            "requests_per_s": 210.5,
            "median_ms": 90.0,
            "p95_ms": 140.0,
            "errors": 0,
            "target_met": True,
            "baseline": "one client",
            "baseline_median_ms": 30.0,
            "ratio": 4.7,
        },
        {"scenario": "inbox_targets", "n": 1_000_000, "checks": {}, "met": True},
    ]
    monkeypatch.setattr(runner, "RESULTS", rows)
    table = runner._markdown((1.0, 1.0, 1.0), quick=False)
    assert "| api_load | 1,000,000 | 210.5 req/s, median 90.0 ms, p95 140.0 ms, 0 errors" in table
    assert "p95 <= 150 ms, 0 errors: met" in table
    assert "inbox_targets" not in table
    assert "full run" in table


def test_routing_row_lands_in_the_results_table(monkeypatch):
    from bench import routing

    before = len(RESULTS)
    routing.run(n=1)
    reported = RESULTS[before:]
    del RESULTS[before:]
    assert [r["scenario"] for r in reported] == ["routing_evaluate"]
    assert reported[0]["calls"] == reported[0]["mentions"]  # --n 1: one call at least, one pass
    monkeypatch.setattr(runner, "RESULTS", reported)
    table = runner._markdown((1.0, 1.0, 1.0), quick=False)
    row = next(line for line in table.splitlines() if line.startswith("| routing_evaluate |"))
    assert f"median {reported[0]['median_us']} µs" in row
    assert "(text.normalize only)" in row


def test_explain_finds_the_case_query_of_each_page(agent):
    """The plans checked into bench/explain/ are of each page's own case query, as the
    page runs it (the API reads values, the inbox model instances)."""
    from django.test import Client

    from bench import explain
    from tests.cases.api.conftest import open_case

    open_case("9001")
    client = Client()
    client.force_login(agent)
    for path in ("/", "/api/v1/cases/"):
        sql = explain._case_select(explain._capture(lambda p=path: client.get(p)))
        assert '"cases_case"."reference"' in sql and "LIMIT" in sql


def test_a_size_of_ones_own_gets_its_own_queue_agent_and_references(db):
    """`--n 20000`: a queue of that size beside the standard ones, references of the
    real shape that no other bench queue uses."""
    import re

    from bench.data import SIZES, bench_agent, bench_queue, reference_prefix

    prefix = reference_prefix(20_000)
    assert re.fullmatch(r"C-\d{4}-", prefix)
    assert prefix == reference_prefix(20_000)  # stable
    assert prefix not in {p for _slug, p in SIZES.values()}
    assert prefix != reference_prefix(30_000)
    assert list(bench_agent(20_000).queues.all()) == [bench_queue(20_000)]
    assert bench_queue(10_000).slug == SIZES[10_000][0]
