"""Cohort summaries: verdicts, pass rates, weakest criteria, and agreement with a coach's labels."""

from __future__ import annotations

import json
import math

import pytest

from coach.report.cohort import agreement, normalise_label, quadratic_weighted_kappa, read_graded, summarise
from coach.report.cohort_render import cohort_json, render_cohort_html, render_cohort_markdown
from coach.rubric.model import load_rubric

RUBRIC = load_rubric()
CORE = ["north_star", "hierarchy", "math_vs_causal", "guardrails", "ai_layer", "rca"]


def record(rid, verdict, label=None, fail=(), coach=None, prompted=()):
    criteria = []
    for cid in CORE:
        status = "not_applicable" if cid in ("ai_layer", "rca") else ("fail" if cid in fail else "pass")
        c = {"id": cid, "status": status, "evidence": [], "message": "", "core": True}
        if cid in prompted:
            c["prompted"] = True
        if coach and cid in coach:
            c.update(status=coach[cid], source="coach", auto_status=status, note="coach's call")
        criteria.append(c)
    criteria.append({"id": "owners", "status": "fail", "evidence": [], "message": "", "core": False})
    data = {"id": rid, "verdict": verdict, "score": 50, "criteria": criteria, "tree": {}, "feedback": "f"}
    if label is not None:
        data["label"] = label
    return data


# Coach label against the grader's own verdict, as indices 0..3 (strong_no_hire … strong_hire):
# (3,3) (2,2) (2,3) (1,1) (0,1). Worked by hand: observed weighted disagreement 2/9, expected 10/9,
# so kappa = 1 - (2/9)/(10/9) = 0.8; exact 3/5; within one step 5/5.
ROWS = [
    record("a1", "strong_hire", "Strong Hire"),
    # the coach overrode guardrails to pass, so the file says strong_hire; the grader itself said hire
    record("a2", "strong_hire", "hire", coach={"guardrails": "pass"}, fail=("guardrails",)),
    record("a3", "strong_hire", "hire", prompted=("guardrails",)),
    record("a4", "no_hire", "no-hire", fail=("north_star", "guardrails")),
    record("a5", "no_hire", "SNH", fail=("north_star", "guardrails")),
    record("a6", "hire", "maybe?", fail=("guardrails",)),  # not a verdict: listed, left out
    record("a7", "strong_no_hire", fail=("hierarchy", "math_vs_causal", "guardrails")),  # no label
]


@pytest.fixture
def graded_file(tmp_path):
    path = tmp_path / "graded.jsonl"
    lines = [json.dumps(r) for r in ROWS]
    lines.insert(3, json.dumps({"id": "bad", "line": 4, "error": "missing answer"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_quadratic_weighted_kappa_matches_the_hand_computed_value():
    pairs = [(3, 3), (2, 2), (2, 3), (1, 1), (0, 1)]
    assert quadratic_weighted_kappa(pairs) == pytest.approx(0.8)
    assert quadratic_weighted_kappa([(0, 0), (1, 1), (3, 3)]) == 1.0
    assert quadratic_weighted_kappa([(0, 3), (3, 0)]) == pytest.approx(-1.0)
    assert math.isnan(quadratic_weighted_kappa([]))


def test_labels_are_normalised():
    assert normalise_label("Strong Hire") == "strong_hire"
    assert normalise_label("no-hire") == "no_hire"
    assert normalise_label("SNH") == "strong_no_hire"
    assert normalise_label({"verdict": "hire"}) == "hire"
    assert normalise_label("maybe?") is None and normalise_label(3) is None


def test_summary_and_agreement(graded_file):
    rows, errors = read_graded(graded_file, RUBRIC)
    assert [r.id for r in rows] == ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]
    assert [(e.id, e.line, e.error) for e in errors] == [("bad", 4, "missing answer")]
    assert rows[1].verdict == "strong_hire" and rows[1].auto_verdict == "hire"

    s = summarise(rows, errors, RUBRIC)
    assert dict(s.verdicts) == {"strong_no_hire": 1, "no_hire": 2, "hire": 1, "strong_hire": 3}
    stats = {c.id: c for c in s.criteria}
    assert stats["guardrails"].passed == 3 and stats["guardrails"].failed == 4  # a2 counts as the coach decided
    assert stats["guardrails"].prompted == 1 and stats["guardrails"].by_coach == 1
    assert stats["ai_layer"].pass_rate is None and stats["ai_layer"].not_applicable == 7
    assert stats["owners"].pass_rate == 0.0
    assert [c.id for c in s.weakest][:2] == ["owners", "guardrails"]

    a = s.agreement
    assert a is not None and a.n == 5
    assert a.exact == pytest.approx(0.6) and a.within_one == 1.0
    assert a.kappa == pytest.approx(0.8)
    assert a.matrix == [[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]]
    assert a.disagreements == [("a3", "hire", "strong_hire"), ("a5", "strong_no_hire", "no_hire")]
    assert a.unrecognised == [("a6", "maybe?")]


def test_no_labels_means_no_agreement_section(tmp_path):
    rows, errors = [], []
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps(record("x", "strong_hire")) + "\n", encoding="utf-8")
    rows, errors = read_graded(path, RUBRIC)
    assert agreement(rows) is None
    html = render_cohort_html(summarise(rows, errors, RUBRIC))
    assert "Coach and grader" not in html and "kappa" not in html


def test_renderings_show_the_figures(graded_file):
    rows, errors = read_graded(graded_file, RUBRIC)
    s = summarise(rows, errors, RUBRIC)
    html = render_cohort_html(s, source="graded <b>.jsonl")
    assert html.count("<svg") == 3  # verdicts, scores, pass rates
    assert 'class="chart verdicts"' in html and 'class="chart pass-rates"' in html
    assert '<div class="kappa"><b>0.80</b>' in html and '<div class="exact"><b>60%</b>' in html
    assert "graded &lt;b&gt;.jsonl" in html and "<b>.jsonl" not in html
    assert "<td>a3</td><td>Hire</td><td>Strong hire</td>" in html
    md = render_cohort_markdown(s)
    assert "- quadratic weighted kappa: 0.80" in md and "- a5: coach strong_no_hire, grader no_hire" in md
    data = cohort_json(s)
    assert data["agreement"]["quadratic_weighted_kappa"] == 0.8
    assert data["agreement"]["confusion_matrix"][2] == [0, 0, 1, 1]
    assert data["verdicts"]["strong_hire"] == 3 and data["errors"] == 1


def test_csv_batch_output_is_read_too(tmp_path):
    path = tmp_path / "graded.csv"
    path.write_text(
        "id,line,verdict,score,north_star,hierarchy,math_vs_causal,guardrails,ai_layer,rca,feedback,label,error\n"
        "c1,1,hire,70,pass,pass,pass,fail,not_applicable,not_applicable,f,hire,\n"
        "c2,2,,,,,,,,,,,bad row\n",
        encoding="utf-8",
    )
    rows, errors = read_graded(path, RUBRIC)
    assert [r.id for r in rows] == ["c1"] and rows[0].criteria[3].status == "fail" and rows[0].criteria[3].core
    assert errors[0].error == "bad row"
    assert summarise(rows, errors, RUBRIC).agreement.exact == 1.0
