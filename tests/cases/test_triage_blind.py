"""The seed routing rules against mentions written blind.

tests/cases/data/triage_blind.jsonl holds mentions in the shape of
triage_labelled.jsonl (``{"text", "lang", "category", "priority", "note"}``),
written by someone who had not read the rules nor the labelled file, for a
different population of writers (Najdi, Hijazi, Southern, Kuwaiti and Emirati
touches, MSA, expats' English, Arabizi, mixed, typos, emojis, hashtags). Notes
starting "false alarm" mark texts that look like an emergency and are not;
notes ending "batch2" mark a second batch written after the rules were
improved for the first, and scored before the rules were looked at again.

The first measurement of each batch, before any rule change made after it was
written, is the honest figure of how the rules generalise:

====================  ================  =================  ========  ========
batch (mentions)      emergency recall  emergency precis.  category  priority
====================  ================  =================  ========  ========
batch1 (349), on the  0.793 (88/111)    0.907 (88/97)      0.805     0.691
rules as they were
batch2 (109), after   0.571 (24/42)     1.000 (24/24)      0.688     0.697
one round of changes
====================  ================  =================  ========  ========

Batch 2 was written to be harder than batch 1 (indirect descriptions: "limp
and not crying", "texted me goodbye", "عوار قوي في صدره", typos, Arabizi).
After the second round of changes the whole file scores recall 0.993
(152/153), precision 1.000, category 0.991, priority 0.849; those figures are
no longer blind, which is why the thresholds below guard against regressions
rather than promise generalisation. Expected priorities follow the brief the
file was written to: "other" is P4, while ``priority.score`` starts every
category but praise and emergencies at P3 (and triage_labelled.jsonl labels
"other" P3), so most priority misses here are that convention.
"""

from collections import Counter
from pathlib import Path

import pytest

from tests.cases.triage_measure import (
    Outcome,
    false_alarms,
    figures_of,
    load,
    missed_emergencies,
    outcomes_of,
    print_figures,
)

DATA = Path(__file__).parent / "data" / "triage_blind.jsonl"
LABELLED = Path(__file__).parent / "data" / "triage_labelled.jsonl"
CATEGORIES = {"emergency", "complaint", "inquiry", "praise", "other"}

# What the rules reach on the whole file after the changes (see above).
MIN_EMERGENCY_RECALL = 0.99
MIN_EMERGENCY_PRECISION = 0.98
MIN_CATEGORY_ACCURACY = 0.98
MIN_PRIORITY_ACCURACY = 0.84


def _load(path: Path = DATA) -> list[dict]:
    return load(path)


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return outcomes_of(DATA)


@pytest.fixture(scope="module")
def figures(outcomes) -> dict[str, float]:
    result = figures_of(outcomes)
    batches = {
        "batch1": [o for o in outcomes if "batch2" not in o.item.get("note", "")],
        "batch2": [o for o in outcomes if "batch2" in o.item.get("note", "")],
    }
    print_figures(DATA.name, result, outcomes)
    for batch, subset in batches.items():
        if subset:
            shown = ", ".join(
                f"{name} {value:.3f}" if isinstance(value, float) else f"{name} {value}"
                for name, value in figures_of(subset).items()
            )
            print(f"  {batch}: {shown}")
    for o in outcomes:
        if o.category == o.item["category"] and o.priority != o.item["priority"]:
            print(f"  priority: {o.item['priority']} -> {o.priority}: {o.item['text']}")
    return result


def test_dataset_is_well_formed():
    items = _load()
    assert len(items) >= 400
    for item in items:
        assert set(item) <= {
            "text", "lang", "category", "priority", "note",
            "followers", "verified", "recent_case_ages_days",
        }, item  # fmt: skip
        assert item["text"].strip() and item["lang"] in {"ar", "en", "und"}, item
        assert item["category"] in CATEGORIES, item
        assert item["priority"] in {"P1", "P2", "P3", "P4"}, item
        assert (item["category"] == "emergency") == (item["priority"] == "P1"), item
    counts = Counter(item["category"] for item in items)
    assert counts["emergency"] >= 70
    assert all(counts[category] for category in CATEGORIES)
    assert sum(item.get("note", "").startswith("false alarm") for item in items) >= 40
    assert sum("batch2" in item.get("note", "") for item in items) >= 100
    assert len({item["text"] for item in items}) == len(items), "duplicate texts"


def test_blind_texts_are_not_in_the_labelled_file():
    labelled = {item["text"] for item in _load(LABELLED)}
    assert not [item["text"] for item in _load() if item["text"] in labelled]


def test_emergency_recall(figures, outcomes):
    assert figures["emergency_recall"] >= MIN_EMERGENCY_RECALL, missed_emergencies(outcomes)


def test_emergency_precision(figures, outcomes):
    assert figures["emergency_precision"] >= MIN_EMERGENCY_PRECISION, false_alarms(outcomes)


def test_category_accuracy(figures):
    assert figures["category_accuracy"] >= MIN_CATEGORY_ACCURACY, figures


def test_priority_accuracy(figures):
    assert figures["priority_accuracy"] >= MIN_PRIORITY_ACCURACY, figures
