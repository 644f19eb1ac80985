"""The follow-up round: which question an interviewer asks, and how the regrade marks prompted passes."""

from __future__ import annotations

from tui_support import SCENARIO, fake_grader

from coach.followup import (
    FollowUp,
    combine_answers,
    grade_follow_up,
    mark_prompted,
    matching_follow_up,
    pick_follow_up,
    prompted_note,
    weakest_failed,
)
from coach.result import CriterionResult, GradeResult
from coach.rubric.model import load_rubric
from coach.tree import Tree

RUBRIC = load_rubric()
CORE = {"north_star", "hierarchy", "math_vs_causal", "guardrails", "ai_layer", "rca"}


def result(statuses: dict[str, str]) -> GradeResult:
    return GradeResult(
        verdict="no_hire",
        score=50,
        criteria=[CriterionResult(id=c, status=s, core=c in CORE) for c, s in statuses.items()],  # type: ignore[arg-type]
        tree=Tree(),
        feedback="Some feedback.",
    )


def test_core_failures_come_before_extended_and_heavier_before_lighter():
    r = result({"owners": "fail", "guardrails": "fail", "north_star": "pass", "math_vs_causal": "fail"})
    assert weakest_failed(r, RUBRIC).id == "math_vs_causal"  # core, weight 14 beats guardrails' 12
    assert weakest_failed(result({"owners": "fail", "l1_equation": "fail"}), RUBRIC).id == "l1_equation"
    assert weakest_failed(result({"north_star": "pass"}), RUBRIC) is None


def test_ties_follow_rubric_order():
    r = result({"rca": "fail", "hierarchy": "fail", "north_star": "fail"})
    assert weakest_failed(r, RUBRIC).id == "north_star"


def test_the_question_is_the_criterions_own_nudge():
    r = result({"north_star": "pass", "guardrails": "fail", "ai_layer": "not_applicable"})
    follow = pick_follow_up(r, SCENARIO, RUBRIC)
    assert follow == FollowUp("guardrails", RUBRIC.spec("guardrails").follow_up)
    assert isinstance(follow, tuple) and follow[0] == "guardrails"


def test_scenario_follow_up_is_used_when_preferred_and_it_matches():
    r = result({"math_vs_causal": "fail"})
    follow = pick_follow_up(r, SCENARIO, RUBRIC, prefer="scenario")
    assert follow == FollowUp("math_vs_causal", "Which causal link would you test first, and how?")
    # no scenario follow-up is about the AI layer: the rubric's nudge is asked
    follow = pick_follow_up(result({"ai_layer": "fail"}), SCENARIO, RUBRIC, prefer="scenario")
    assert follow.question == RUBRIC.spec("ai_layer").follow_up


def test_matching_follow_up_reads_the_topic_words():
    assert matching_follow_up(SCENARIO, "rca") == SCENARIO.follow_ups[0]
    assert matching_follow_up(SCENARIO, "ai_layer") is None
    assert matching_follow_up(SCENARIO, "no_such_criterion") is None


def test_when_nothing_failed_the_interviewer_still_probes():
    follow = pick_follow_up(result({"north_star": "pass", "rca": "not_applicable"}), SCENARIO, RUBRIC)
    assert follow == FollowUp(None, SCENARIO.follow_ups[0])


def test_combine_answers_keeps_only_the_candidates_words():
    assert combine_answers("First.\n\n", "  Second.  ") == "First.\n\nSecond."
    assert combine_answers("First.", "   ") == "First."
    assert combine_answers("", "Only this.") == "Only this."


def test_mark_prompted_flags_only_new_passes():
    first = result({"north_star": "pass", "guardrails": "fail", "rca": "not_applicable", "owners": "fail"})
    combined = result({"north_star": "pass", "guardrails": "pass", "rca": "not_applicable", "owners": "fail"})
    marked = mark_prompted(first, combined)
    assert {c.id for c in marked.criteria if c.prompted} == {"guardrails"}
    assert "Two guardrail metrics" in prompted_note(marked, RUBRIC)
    assert prompted_note(first, RUBRIC) == ""


def test_grade_follow_up_regrades_the_combined_answer():
    calls: list[str] = []

    def grader(answer, scenario):
        calls.append(answer)
        return fake_grader(answer, scenario)

    first = "My north star is weekly orders.\nWeekly orders = Visits × Conversion rate (causal)"
    regraded = grade_follow_up(first, "Guardrails: refund rate and margin.", SCENARIO, grader=grader, rubric=RUBRIC)
    assert calls == [first, first + "\n\nGuardrails: refund rate and margin."]  # first grade recomputed, then combined
    guard = regraded.criterion("guardrails")
    assert guard.status == "pass" and guard.prompted
    assert not regraded.criterion("north_star").prompted
    assert "Prompted (met only after the follow-up): Two guardrail metrics" in regraded.feedback
    assert regraded.verdict == "hire"  # the verdict table still applies: only rca fails now


def test_grade_follow_up_uses_the_given_first_result():
    first_result = fake_grader("nothing", SCENARIO)
    calls = []
    grade_follow_up(
        "nothing",
        "north star",
        SCENARIO,
        first_result=first_result,
        rubric=RUBRIC,
        grader=lambda a, s: calls.append(a) or fake_grader(a, s),
    )
    assert calls == ["nothing\n\nnorth star"]


def test_with_the_real_grader_a_guardrail_follow_up_is_prompted():
    from coach.scenarios import load_scenarios

    scenario = next(s for s in load_scenarios() if s.kind == "measure_success" and not s.ai_product)
    first = (
        "My north star is weekly active buyers. Weekly active buyers = new buyers + returning buyers. "
        "Returning buyers = last week's buyers × retention rate. I believe faster delivery drives retention, "
        "a hypothesis I'd confirm with an A/B test."
    )
    first_result = pick = None
    from coach.grade import grade

    first_result = grade(first, scenario=scenario)
    pick = pick_follow_up(first_result, scenario, RUBRIC)
    assert pick.criterion_id == "guardrails"
    regraded = grade_follow_up(
        first,
        "Guardrails: refund rate and support tickets per order must not get worse.",
        scenario,
        first_result=first_result,
        rubric=RUBRIC,
    )
    assert regraded.criterion("guardrails").status == "pass"
    assert regraded.criterion("guardrails").prompted
