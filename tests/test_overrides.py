"""A coach's overrides: parsed from the command line, applied, shown as the coach's, verdict recomputed."""

from __future__ import annotations

import pytest

from coach.overrides import OverrideError, apply_overrides, coach_decisions, for_section, parse_overrides
from coach.result import CriterionResult, GradeResult
from coach.rubric.engine import score, verdict
from coach.rubric.model import load_rubric
from coach.tree import Tree

RUBRIC = load_rubric()


def result(**statuses: str) -> GradeResult:
    criteria = []
    for spec in RUBRIC.criteria:
        status = statuses.get(spec.id, "pass" if spec.applies == "always" else "not_applicable")
        criteria.append(CriterionResult(id=spec.id, status=status, core=spec.core, message="why"))  # type: ignore[arg-type]
    return GradeResult(
        verdict=verdict(criteria), score=score(criteria, RUBRIC), criteria=criteria, tree=Tree(), feedback="f"
    )


def test_override_recomputes_the_verdict_and_score_and_keeps_what_the_grader_said():
    graded = result(guardrails="fail")
    assert graded.verdict == "hire"
    overrides = parse_overrides(["guardrails=pass"], ["guardrails=named both after a nudge"], RUBRIC)
    changed = apply_overrides(graded, overrides, RUBRIC)
    guard = changed.criterion("guardrails")
    assert (guard.status, guard.source, guard.auto_status, guard.note) == (
        "pass",
        "coach",
        "fail",
        "named both after a nudge",
    )
    assert changed.verdict == "strong_hire"
    assert changed.score > graded.score == score(graded.criteria, RUBRIC)
    assert [c.id for c in coach_decisions(changed)] == ["guardrails"]
    # everything else is untouched and still the grader's
    assert all(c.source == "auto" for c in changed.criteria if c.id != "guardrails")
    # the JSON contract carries who decided it
    data = changed.to_json_dict()
    row = next(c for c in data["criteria"] if c["id"] == "guardrails")
    assert row["source"] == "coach" and row["auto_status"] == "fail"
    assert "auto_status" not in next(c for c in data["criteria"] if c["id"] == "north_star")


def test_override_can_sink_a_verdict_and_auto_undoes_it():
    graded = result()
    assert graded.verdict == "strong_hire"
    sunk = apply_overrides(graded, parse_overrides(["hierarchy=fail", "north_star=fail"], [], RUBRIC), RUBRIC)
    assert sunk.verdict == "no_hire"
    back = apply_overrides(sunk, parse_overrides(["hierarchy=auto", "north_star=auto"], [], RUBRIC), RUBRIC)
    assert back.verdict == "strong_hire"
    assert all(c.source == "auto" and c.auto_status is None for c in back.criteria)


def test_override_to_the_graders_own_status_is_not_a_coach_decision_but_a_note_is_kept():
    graded = result(guardrails="fail")
    same = apply_overrides(graded, parse_overrides(["guardrails=fail"], ["guardrails=agree"], RUBRIC), RUBRIC)
    guard = same.criterion("guardrails")
    assert guard.source == "auto" and guard.note == "agree"
    assert coach_decisions(same) == [guard]  # a note alone still shows in the coach's section


def test_failing_a_prompted_pass_clears_prompted():
    graded = result()
    crit = [c.model_copy(update={"prompted": True}) if c.id == "guardrails" else c for c in graded.criteria]
    graded = graded.model_copy(update={"criteria": crit})
    changed = apply_overrides(graded, parse_overrides(["guardrails=fail"], [], RUBRIC), RUBRIC)
    assert not changed.criterion("guardrails").prompted


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("guardrail=pass", "Did you mean: guardrails"),
        ("guardrails", "CRITERION=VALUE"),
        ("guardrails=maybe", "pass, fail, not_applicable or auto"),
        ("x:guardrails=pass", "question number"),
    ],
)
def test_bad_overrides_are_usage_errors(spec, message):
    with pytest.raises(OverrideError, match=message) as info:
        parse_overrides([spec], [], RUBRIC)
    assert info.value.exit_code == 2


def test_section_prefix_limits_an_override_to_one_question():
    overrides = parse_overrides(["2:rca=fail", "guardrails=n/a"], ["2:rca=stopped at the children"], RUBRIC)
    assert {(o.criterion, o.status, o.section) for o in for_section(overrides, 1)} == {
        ("guardrails", "not_applicable", None)
    }
    two = {o.criterion: o for o in for_section(overrides, 2)}
    assert two["rca"].status == "fail" and two["rca"].note == "stopped at the children"
