"""Scoring the seed routing rules against a labelled file of mentions, shared by
the accuracy tests (labelled and blind sets)."""

import json
from dataclasses import dataclass
from pathlib import Path

from cases.routing import MentionFacts, RuleSpec, evaluate
from cases.seed_rules import SEED_RULES
from cases.text import detect_language

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Outcome:
    item: dict
    category: str
    priority: str


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def outcomes_of(path: Path) -> list[Outcome]:
    """What the seed rules decide for every labelled mention of the file."""
    rules = [RuleSpec(**fields) for fields in SEED_RULES]
    results = []
    for item in load(path):
        mention = MentionFacts(
            text=item["text"],
            language=detect_language(item["text"], item["lang"]),
            followers=item.get("followers"),
            verified=item.get("verified", False),
            recent_case_ages_days=tuple(item.get("recent_case_ages_days", ())),
        )
        decision = evaluate(rules, mention)
        results.append(Outcome(item, decision.category, decision.priority))
    return results


def figures_of(outcomes: list[Outcome]) -> dict[str, float]:
    expected_emergency = [o for o in outcomes if o.item["category"] == "emergency"]
    called_emergency = [o for o in outcomes if o.category == "emergency"]
    caught = [o for o in expected_emergency if o.category == "emergency"]
    return {
        "mentions": len(outcomes),
        "emergency_recall": len(caught) / len(expected_emergency) if expected_emergency else 1.0,
        "emergency_precision": len(caught) / len(called_emergency) if called_emergency else 0.0,
        "category_accuracy": sum(o.category == o.item["category"] for o in outcomes)
        / len(outcomes),
        "priority_accuracy": sum(o.priority == o.item["priority"] for o in outcomes)
        / len(outcomes),
    }


def missed_emergencies(outcomes: list[Outcome]) -> list[str]:
    """Texts labelled emergency that the rules did not call one."""
    return [
        o.item["text"]
        for o in outcomes
        if o.item["category"] == "emergency" and o.category != "emergency"
    ]


def false_alarms(outcomes: list[Outcome]) -> list[str]:
    """Texts the rules called an emergency that are labelled otherwise."""
    return [
        o.item["text"]
        for o in outcomes
        if o.category == "emergency" and o.item["category"] != "emergency"
    ]


def print_figures(name: str, figures: dict, outcomes: list[Outcome]) -> None:
    print("\ntriage accuracy on", name)
    for key, value in figures.items():
        print(f"  {key:20} {value:.3f}" if isinstance(value, float) else f"  {key:20} {value}")
    for o in outcomes:
        if o.category != o.item["category"]:
            print(f"  miss: {o.item['category']} -> {o.category}: {o.item['text']}")
