"""Determinism and the offline feedback (agreement with labelled answers is in test_corpus_agreement.py)."""

from __future__ import annotations

import json
from pathlib import Path

from coach.grade import grade
from coach.scenarios import get_scenario

HELDOUT = Path(__file__).parent / "data" / "heldout.jsonl"


def _labelled(path: Path = HELDOUT) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_grading_is_deterministic_byte_for_byte() -> None:
    row = _labelled()[0]
    first = json.dumps(grade(row["answer"], question=row["question"]).to_json_dict(), sort_keys=True)
    for _ in range(3):
        assert json.dumps(grade(row["answer"], question=row["question"]).to_json_dict(), sort_keys=True) == first


def test_empty_answer_is_strong_no_hire_with_a_message() -> None:
    result = grade("", question="How would you measure success for a bike-share app?")
    assert result.verdict == "strong_no_hire"
    assert "No metrics were found" in result.feedback


ANSWER = (
    "North star: weekly rides. Weekly rides = active riders × rides per rider. "
    "Active riders = new riders + returning riders. I believe dock availability drives rides per rider; "
    "that's a hypothesis I'd A/B test. Guardrails: bike damage rate must not rise."
)


def test_feedback_leads_with_the_verdict_and_quotes_the_candidates_metrics() -> None:
    result = grade(ANSWER, question="How would you measure success for a bike-share app?")
    assert result.verdict == "hire"
    lines = result.feedback.splitlines()
    assert lines[0] == "## Verdict" and lines[1].startswith("Hire (score ")
    assert "weekly rides" in result.feedback and "dock availability" in result.feedback
    fix = result.feedback.split("## What to fix")[1].split("## Next practice")[0]
    assert "1. Two guardrail metrics" in fix


def test_feedback_names_the_scenarios_reference_guardrails_when_one_is_known() -> None:
    scenario = get_scenario("spotify-mau-drop")
    result = grade("MAU is the top. It's made up of free and premium listeners.", scenario=scenario)
    fix = result.feedback.split("## What to fix")[1]
    reference = [n.name for n in scenario.reference_tree.guardrails()]
    ranked_ids = [c.id for c in result.criteria if c.core and c.status == "fail"]
    assert "guardrails" in ranked_ids
    if "Two guardrail metrics" in fix:
        assert any(name in fix for name in reference)


def test_feedback_differs_between_answers() -> None:
    a = grade(ANSWER, question="How would you measure success for a bike-share app?").feedback
    b = grade(
        "I'd track rides, riders and revenue on a dashboard.",
        question="How would you measure success for a bike-share app?",
    ).feedback
    assert a != b and "rides" in b
