"""The rule engine judged on trees read well: the corpus graded through the real model path, replaying stored replies.

Helpers who never saw the labels wrote, for every corpus answer, the reply a
capable model gives to coach's parse prompt (``prompts/parse_tree.yaml``,
checked against the schema and the verbatim-quote rule): ``replies.jsonl``.
A loopback server speaking the OpenAI API replays them, so each answer goes
through langchain, the structured-output schema, quote location and the
reconciliation exactly as with a live model; only the tree differs from the
offline grade. What disagrees with the labels here is the rules' doing (or the
reply's), not the offline reader's.
"""

from __future__ import annotations

import asyncio

import pytest
from corpus import agreement, majority, replies, rows
from fake_openai import FakeOpenAI, Reply, coach_home, feedback_for_request, make_settings  # noqa: F401

from coach.llm.batch import GradeRequest, agrade_many
from coach.llm.parser import ANSWER_CLOSE, ANSWER_OPEN
from coach.result import GradeResult

# Measured on the test split when the rules were last changed, minus three points (tests/data/corpus/README.md).
FLOORS = {
    "test": {"verdict": 0.871, "criterion": 0.92},
    "tune": {"verdict": 0.939, "criterion": 0.94},
    "tune2": {"verdict": 0.939, "criterion": 0.94},
}


@pytest.fixture(scope="module")
def graded() -> dict[str, list[GradeResult]]:
    stored = replies()
    out: dict[str, list[GradeResult]] = {}
    with pytest.MonkeyPatch.context() as mp, FakeOpenAI() as server:
        # The coach_home fixture is function-scoped; this module grades once, in its own temp home.
        import tempfile

        home = tempfile.mkdtemp(prefix="coach-harness-")
        mp.setenv("COACH_HOME", home)
        by_answer: dict[str, dict] = {}
        for name in FLOORS:
            for row in rows(name):
                by_answer[row["answer"].strip()] = stored[row["id"]]
        server.parse_default = lambda req: Reply.json(by_answer[req.between(ANSWER_OPEN, ANSWER_CLOSE).strip()])
        server.feedback_default = feedback_for_request
        settings = make_settings(server)
        for name in FLOORS:
            requests = [GradeRequest(r["answer"], r["question"], answer_id=r["id"]) for r in rows(name)]
            outcomes = asyncio.run(agrade_many(requests, settings, jobs=16))
            out[name] = [o.result for o in outcomes if o.result is not None]
    return out


@pytest.mark.parametrize("name", list(FLOORS))
def test_every_answer_went_through_the_model_path(graded, name):
    results = graded[name]
    assert len(results) == len(rows(name))
    fallbacks = [r.id for r in results if r.parser != "llm"]
    assert not fallbacks, f"fell back to the offline reader: {fallbacks[:5]}"


@pytest.mark.parametrize("name", list(FLOORS))
def test_rules_agree_with_the_labels_on_well_read_trees(graded, name):
    labelled = rows(name)
    got = agreement(labelled, graded[name])
    print(got.line(f"rules/{name}"))
    floor = FLOORS[name]
    assert got.verdict >= floor["verdict"], got.line(name)
    assert min(got.criteria.values()) >= floor["criterion"], got.line(name)
    base = majority(labelled)
    assert all(got.criteria[c] > base[c] or base[c] == 1.0 for c in got.criteria), (got.criteria, base)
