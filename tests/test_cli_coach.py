"""Coach mode through a real subprocess: ``coach grade``, ``coach report``, ``coach tree``, with the real grader."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from coach.errors import EXIT_INPUT, EXIT_OK, EXIT_USAGE

FIRST = """\
My north star is weekly listening hours, an output metric.
Mathematically, weekly listening hours = weekly active listeners × hours per listener.
Weekly active listeners = new listeners + retained listeners + resurrected listeners.
Hours per listener = sessions per listener × minutes per session.
I believe Discover Weekly hit rate drives minutes per session; that is a causal hypothesis we'd confirm with an A/B test."""
NUDGE = "What would you watch so that optimising this doesn't break something else?"
GUARDS = "Guardrails: early skip rate must not get worse, and premium churn must not rise."
TRANSCRIPT = f"""\
[00:00:02] Jane Doe: Thanks for coming in, Sam. How would you measure success for Spotify?
[00:00:10] Sam Lee: {FIRST.replace(chr(10), " ")}
[00:03:00] Jane Doe: {NUDGE}
[00:03:10] Sam Lee: {GUARDS}
[00:04:00] Jane Doe: Thanks. Next question. Spotify's monthly active users dropped 5% last month. How would you figure out what happened?
[00:04:20] Sam Lee: I'd look at the data <script>alert(1)</script> first.
"""


def coach(*args: str, stdin: bytes = b"", cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "120"},
        timeout=120,
    )


def out(proc) -> str:
    return proc.stdout.decode("utf-8")


def err(proc) -> str:
    return proc.stderr.decode("utf-8")


def ok(proc) -> None:
    assert proc.returncode == EXIT_OK, err(proc)
    assert "Traceback" not in err(proc)


@pytest.fixture
def transcript(tmp_path):
    path = tmp_path / "mock.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    return path


def test_grade_json_one_record_per_question_with_the_prompted_guardrail(transcript, tmp_path):
    proc = coach("grade", str(transcript), "--speaker", "Sam", "--format", "json")
    ok(proc)
    first, second = (json.loads(line) for line in out(proc).splitlines())
    assert first["id"] == "mock-q1" and second["id"] == "mock-q2"
    guard = next(c for c in first["criteria"] if c["id"] == "guardrails")
    assert guard["status"] == "pass" and guard["prompted"] is True
    assert first["verdict"] == "strong_hire"
    assert "Prompted (met only after the follow-up)" in first["feedback"]
    assert first["transcript"]["follow_ups"] == [{"question": NUDGE, "answer": GUARDS, "line": 3}]
    assert first["question"] == "How would you measure success for Spotify?"
    assert second["scenario"] == "spotify-mau-drop" and second["kind"] == "metric_drop"
    assert "matched the shipped scenario 'spotify-mau-drop'" in err(proc)


def test_grade_terminal_view_and_override_shown_as_the_coachs(transcript):
    proc = coach(
        "grade", str(transcript), "--speaker", "Sam Lee",
        "--override", "2:rca=pass", "--note", "2:rca=walked the tree out loud, not in the transcript",
    )  # fmt: skip
    ok(proc)
    text = out(proc)
    assert "Question 1 of 2" in text and "Question 2 of 2" in text
    assert "coach (auto: fail)" in text and "walked the tree out loud" in text
    assert "(prompted)" in text
    assert "<script>alert(1)</script>" in text  # shown literally in the terminal, never interpreted


def test_grade_markdown_and_html_reports_escape_the_transcript(transcript, tmp_path):
    md = tmp_path / "r.md"
    page = tmp_path / "r.html"
    ok(coach("grade", str(transcript), "--speaker", "Sam", "-o", str(md)))
    ok(coach("grade", str(transcript), "--speaker", "Sam", "--override", "guardrails=not_applicable", "-o", str(page)))
    text = md.read_text(encoding="utf-8")
    assert "## Question 1 of 2" in text and "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in text
    assert "<script>" not in text
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('data-source="coach"') == 2  # the override applies to both questions


def test_tree_out_then_regrade_with_the_corrected_tree(tmp_path):
    answer = tmp_path / "one.txt"
    answer.write_text(
        f"Interviewer: How would you measure success for Spotify?\nCandidate: {FIRST}\n", encoding="utf-8"
    )
    tree_file = tmp_path / "tree.yaml"
    proc = coach("grade", str(answer), "--tree-out", str(tree_file), "-f", "json")
    ok(proc)
    before = json.loads(out(proc))
    assert next(c for c in before["criteria"] if c["id"] == "guardrails")["status"] == "fail"
    data = yaml.safe_load(tree_file.read_text(encoding="utf-8"))
    assert data["north_star"] and data["nodes"]
    data["nodes"] += [{"name": "Early skip rate", "role": "guardrail"}, {"name": "Premium churn", "role": "guardrail"}]
    tree_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = coach("grade", str(answer), "--tree", str(tree_file), "-f", "json")
    ok(proc)
    after = json.loads(out(proc))
    assert next(c for c in after["criteria"] if c["id"] == "guardrails")["status"] == "pass"
    assert after["verdict"] == "strong_hire"


@pytest.mark.parametrize(
    ("content", "args", "code", "message"),
    [
        (b"My north star is MAU.\nIt splits into new and returning users.\n", [], EXIT_INPUT, "no speaker labels found"),
        (b"Interviewer: Welcome.\nCandidate: My north star is MAU.\n", [], EXIT_INPUT, "no question found"),
        (b"Interviewer: How would you measure it?\nCandidate: MAU.\n", ["--speaker", "Bob"], EXIT_USAGE, "is not a speaker"),
        (b"Interviewer: How would you measure it?\nCandidate: MAU.\n", ["--override", "guardrail=pass"], EXIT_USAGE,
         "Did you mean: guardrails"),
        (b"Interviewer: How would you measure it?\nCandidate: MAU.\n", ["-s", "spotify-mau-drop", "-s", "figma-north-star"],
         EXIT_USAGE, "given 2 time(s) but the transcript has 1 question"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), [], EXIT_INPUT, "looks like binary data"),
        (b"Interviewer: caf\xe9?\n", [], EXIT_INPUT, "not valid UTF-8"),
        (b"", [], EXIT_INPUT, "the transcript is empty"),
    ],
)  # fmt: skip
def test_bad_transcripts_give_one_clear_line_and_an_exit_code(tmp_path, capsys, content, args, code, message):
    """In-process through ``main()`` (the same error handling as the installed command, without the start-up)."""
    from coach.cli import main

    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as exited:
        main(["grade", str(path), *args])
    stderr = capsys.readouterr().err
    assert exited.value.code == code, stderr
    assert message in stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1


def test_a_ten_megabyte_transcript_is_refused_with_its_size(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Interviewer: How would you measure it?\nCandidate: " + b"metrics " * (10_000_000 // 8))
    proc = coach("grade", str(path))
    assert proc.returncode == EXIT_INPUT
    assert "10.0 MB" in err(proc) and "--max-bytes" in err(proc)


def test_no_labels_but_a_question_given_is_graded_best_effort_with_a_notice(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text(FIRST + "\n" + GUARDS + "\n", encoding="utf-8")
    proc = coach("grade", str(path), "--question", "How would you measure success for Spotify?", "-f", "json")
    ok(proc)
    assert json.loads(out(proc))["verdict"] == "strong_hire"
    assert "no speaker labels found: graded the whole file as the candidate's answer" in err(proc)


def test_batch_then_cohort_report_with_labels(tmp_path):
    rows = [
        {"id": "s1", "question": "How would you measure success for Spotify?", "answer": FIRST + "\n" + GUARDS,
         "label": "strong_hire"},
        {"id": "s2", "question": "How would you measure success for Spotify?", "answer": FIRST, "label": "hire"},
        {"id": "s3", "question": "How would you measure success for Spotify?", "answer": "I'd track MAU and DAU.",
         "label": "hire"},
    ]  # fmt: skip
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    graded = tmp_path / "graded.jsonl"
    ok(coach("batch", str(answers), "--out", str(graded), "--jobs", "1", "--quiet"))
    page = tmp_path / "cohort.html"
    ok(coach("report", str(graded), "--html", "-o", str(page)))
    html = page.read_text(encoding="utf-8")
    assert "Coach and grader" in html and "quadratic weighted kappa" in html
    assert '<div class="exact"><b>67%</b>' in html  # s3 is a metrics dump: the grader says no (strong) hire
    proc = coach("report", str(graded), "--format", "json")
    ok(proc)
    data = json.loads(out(proc))
    assert data["answers"] == 3 and data["agreement"]["n"] == 3
    assert [d["id"] for d in data["agreement"]["disagreements"]] == ["s3"]


def test_tree_command_formats(tmp_path, transcript):
    tree = tmp_path / "t.yaml"
    tree.write_text(
        "north_star: MAU\nnodes:\n  - {name: MAU, role: north_star}\n  - {name: New users}\n"
        "  - {name: Churn <b>, role: guardrail}\nlinks:\n  - {parent: MAU, child: New users, kind: causal}\n",
        encoding="utf-8",
    )
    proc = coach("tree", str(tree), "--format", "mermaid")
    ok(proc)
    assert out(proc).startswith("flowchart TD") and '-.->|"causal"|' in out(proc) and "#60;b#62;" in out(proc)
    proc = coach("tree", str(tree))
    ok(proc)
    assert out(proc).startswith("★ MAU  (north star)") and "┄ New users  (causal)" in out(proc)
    svg = tmp_path / "t.svg"
    ok(coach("tree", str(tree), "-o", str(svg)))
    assert svg.read_text(encoding="utf-8").startswith("<?xml") and "Churn &lt;b&gt;" in svg.read_text(encoding="utf-8")
    proc = coach("tree", str(transcript), "-f", "dot")  # the first question's answer, parsed
    ok(proc)
    assert out(proc).startswith("digraph kpi_tree") and "style=solid" in out(proc)
    proc = coach("tree", str(tree), "-o", str(tmp_path / "t.png"))
    assert proc.returncode == EXIT_USAGE and "--format" in err(proc)
