"""The command line, through a real subprocess (``python -m coach``), plus a few in-process checks of main()."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import types

import pytest
import yaml

from coach.errors import EXIT_DATA, EXIT_INPUT, EXIT_OK, EXIT_USAGE

CORE = ["north_star", "hierarchy", "math_vs_causal", "guardrails", "ai_layer", "rca"]
VERDICTS = {"strong_hire", "hire", "no_hire", "strong_no_hire"}
STATUSES = {"pass", "fail", "not_applicable"}
QUESTION = "How would you measure success for Spotify?"
ANSWER = """\
My north star is weekly listening hours, an output metric.
Mathematically, weekly listening hours = weekly active listeners × hours per listener.
Weekly active listeners = new listeners + retained listeners + resurrected listeners.
Hours per listener = sessions per listener × minutes per session.
I believe Discover Weekly hit rate drives minutes per session; that is a causal hypothesis we'd confirm with an A/B test.
Guardrails: early skip rate must not get worse, and premium churn must not rise.
"""


def coach(*args: str, stdin: bytes | None = None, cwd=None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
    )


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8")


def err(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr.decode("utf-8")


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in err(proc) and "Traceback" not in out(proc)


@pytest.fixture
def answer_file(tmp_path):
    path = tmp_path / "spotify.txt"
    path.write_text(ANSWER, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scenario_ids() -> list[str]:
    proc = coach("scenarios", "--json")
    assert proc.returncode == 0, err(proc)
    ids = [s["id"] for s in json.loads(out(proc))]
    assert ids, "no scenarios are shipped"
    return ids


def check_contract(obj: dict) -> None:
    """The output contract of RUBRIC.md."""
    assert {"verdict", "score", "criteria", "tree", "feedback"} <= set(obj)
    assert obj["verdict"] in VERDICTS
    assert isinstance(obj["score"], int) and 0 <= obj["score"] <= 100
    ids = [c["id"] for c in obj["criteria"]]
    assert set(CORE) <= set(ids)
    assert len(ids) == len(set(ids))
    for c in obj["criteria"]:
        assert c["status"] in STATUSES
        assert isinstance(c["evidence"], list) and all(isinstance(e, str) for e in c["evidence"])
        assert isinstance(c["message"], str)
    assert {"nodes", "links"} <= set(obj["tree"])
    assert isinstance(obj["feedback"], str) and obj["feedback"]


# --- score ------------------------------------------------------------------------------


def test_score_human_output(answer_file):
    proc = coach("score", str(answer_file), "--question", QUESTION)
    assert proc.returncode == EXIT_OK, err(proc)
    text = out(proc)
    assert any(v.replace("_", " ").upper() in text for v in VERDICTS)
    assert "score" in text and "/100" in text
    for cid in CORE:
        assert cid in text
    assert "feedback" in text
    assert "Question: " + QUESTION in text


def test_score_json_is_one_line_with_the_contract(answer_file):
    proc = coach("score", str(answer_file), "--question", QUESTION, "--json")
    assert proc.returncode == EXIT_OK, err(proc)
    lines = out(proc).splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    check_contract(obj)
    assert obj["id"] == "spotify"
    assert list(obj)[:6] == ["id", "verdict", "score", "criteria", "tree", "feedback"]
    by_id = {c["id"]: c["status"] for c in obj["criteria"]}
    assert by_id["ai_layer"] == "not_applicable"
    assert by_id["rca"] == "not_applicable"


def test_score_json_is_deterministic(answer_file):
    a = coach("score", str(answer_file), "--question", QUESTION, "--json")
    b = coach("score", str(answer_file), "--question", QUESTION, "--json")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout


def test_score_reads_stdin(answer_file):
    proc = coach("score", "-", "--question", QUESTION, "--json", "--id", "from-stdin", stdin=ANSWER.encode())
    assert proc.returncode == EXIT_OK, err(proc)
    obj = json.loads(out(proc))
    assert obj["id"] == "from-stdin"
    from_file = json.loads(out(coach("score", str(answer_file), "--question", QUESTION, "--json", "--id", "x")))
    obj["id"] = "x"
    assert obj == from_file


def test_explicit_fields_win_over_recognition(answer_file):
    proc = coach("score", str(answer_file), "-q", QUESTION, "--kind", "metric_drop", "--ai-product", "--json")
    assert proc.returncode == EXIT_OK, err(proc)
    obj = json.loads(out(proc))
    by_id = {c["id"]: c["status"] for c in obj["criteria"]}
    assert by_id["ai_layer"] != "not_applicable"
    assert by_id["rca"] != "not_applicable"
    assert obj["kind"] == "metric_drop" and obj["ai_product"] is True


def test_score_without_an_answer_is_a_usage_error():
    proc = coach("score", "--question", QUESTION)
    assert proc.returncode == EXIT_USAGE
    assert "answer file" in err(proc)
    no_traceback(proc)


def test_score_with_a_scenario(answer_file, scenario_ids):
    sid = scenario_ids[0]
    proc = coach("score", str(answer_file), "--scenario", sid, "--json")
    assert proc.returncode == EXIT_OK, err(proc)
    assert json.loads(out(proc))["scenario"] == sid


def test_unknown_scenario_lists_close_matches(answer_file, scenario_ids):
    sid = scenario_ids[0]
    typo = sid[:-1] + ("x" if sid[-1] != "x" else "y")
    proc = coach("score", str(answer_file), "--scenario", typo)
    assert proc.returncode == EXIT_USAGE
    assert typo in err(proc)
    assert "Did you mean" in err(proc) and sid in err(proc)
    no_traceback(proc)


def test_scenario_id_cannot_name_a_path(answer_file, tmp_path):
    proc = coach("score", str(answer_file), "--scenario", "../../etc/passwd")
    assert proc.returncode == EXIT_USAGE
    no_traceback(proc)


def test_unknown_kind_is_a_usage_error(answer_file):
    proc = coach("score", str(answer_file), "--kind", "vibes")
    assert proc.returncode == EXIT_USAGE
    assert "vibes" in err(proc)
    no_traceback(proc)


def test_unknown_option_is_a_usage_error():
    proc = coach("score", "--frobnicate")
    assert proc.returncode == EXIT_USAGE
    no_traceback(proc)


# --- bad input -------------------------------------------------------------------------


def test_empty_answer_is_strong_no_hire_not_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    proc = coach("score", str(path), "--question", QUESTION, "--json")
    assert proc.returncode == EXIT_OK, err(proc)
    obj = json.loads(out(proc))
    check_contract(obj)
    assert obj["verdict"] == "strong_no_hire"


def test_empty_stdin_is_strong_no_hire():
    proc = coach("score", "-", "--question", QUESTION, "--json", stdin=b"")
    assert proc.returncode == EXIT_OK, err(proc)
    assert json.loads(out(proc))["verdict"] == "strong_no_hire"


def test_binary_answer_is_rejected_naming_the_file(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    proc = coach("score", str(path), "--question", QUESTION)
    assert proc.returncode == EXIT_INPUT
    assert str(path) in err(proc) and "binary" in err(proc)
    assert out(proc) == ""
    no_traceback(proc)


def test_non_utf8_answer_is_rejected_with_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("MAU fell 8% in São Paulo".encode("latin-1"))
    proc = coach("score", str(path), "--question", QUESTION, "--json")
    assert proc.returncode == EXIT_INPUT
    assert str(path) in err(proc)
    assert "not valid UTF-8" in err(proc) and "byte offset 16" in err(proc)
    no_traceback(proc)


def test_huge_answer_is_rejected_and_the_limit_is_configurable(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("MAU is my north star. " * 5000, encoding="utf-8")  # 110,000 bytes
    proc = coach("score", str(path), "--question", QUESTION)
    assert proc.returncode == EXIT_INPUT
    assert "110,000 bytes" in err(proc) and "limit" in err(proc)
    no_traceback(proc)
    proc = coach("score", str(path), "--question", QUESTION, "--json", "--max-bytes", "200000")
    assert proc.returncode == EXIT_OK, err(proc)


def test_missing_answer_file(tmp_path):
    proc = coach("score", str(tmp_path / "nope.txt"), "--question", QUESTION)
    assert proc.returncode == EXIT_INPUT
    assert "nope.txt" in err(proc) and "no such file" in err(proc)
    no_traceback(proc)


def test_markup_and_ansi_in_input_are_printed_literally_and_stripped(tmp_path):
    answer = (
        "My north star is [bold red]weekly listening hours[/bold red] \x1b[31mnow\x1b[0m.\n"
        "Weekly listening hours = listeners × hours per listener.\n"
        "Guardrails: skip rate and churn must not get worse. [link=http://evil.example]click[/link]\n"
    )
    path = tmp_path / "markup.txt"
    path.write_text(answer, encoding="utf-8")
    question = "[bold magenta]How[/] would you measure \x1b]0;pwned\x07success for Spotify?"
    proc = coach("score", str(path), "--question", question)
    assert proc.returncode == EXIT_OK, err(proc)
    text = out(proc)
    assert "[bold magenta]How[/] would you measure success for Spotify?" in text
    assert "\x1b" not in text and "pwned" not in text
    # The answer's markup is printed as text, never applied or half-eaten.
    assert "[/bold red]" in text
    assert re.findall(r".bold red\]", text) and all(m[0] in "[/" for m in re.findall(r".bold red\]", text))


def test_print_result_never_interprets_answer_text():
    from rich.console import Console

    from coach.cli import print_result
    from coach.result import CriterionResult, GradeResult
    from coach.tree import Tree

    result = GradeResult(
        verdict="hire",
        score=70,
        criteria=[
            CriterionResult(
                id="north_star",
                status="pass",
                evidence=["[bold red]MAU[/bold red] \x1b[31mred\x1b[0m :smile:"],
                core=True,
            ),
            CriterionResult(id="guardrails", status="fail", message="[blink]only one[/blink]", core=True),
        ],
        tree=Tree(),
        feedback="You said [italic]MAU[/italic]\x1b]8;;http://evil\x1b\\.",
        question="[red]Q?[/red]",
    )
    buf = io.StringIO()
    print_result(Console(file=buf, force_terminal=True, color_system="truecolor", width=200), result)
    text = buf.getvalue()
    for literal in (
        "[bold red]MAU[/bold red]",
        ":smile:",
        "[blink]only one[/blink]",
        "[italic]MAU[/italic]",
        "[red]Q?",
    ):
        assert literal in text
    assert "\x1b[31mred" not in text and "evil" not in text


# --- --tree --------------------------------------------------------------------------------


def test_parse_then_rescore_the_tree(answer_file, tmp_path):
    tree_path = tmp_path / "tree.yaml"
    proc = coach("parse", str(answer_file), "-o", str(tree_path))
    assert proc.returncode == EXIT_OK, err(proc)
    assert "wrote" in err(proc)
    proc = coach("score", "--tree", str(tree_path), "--question", QUESTION, "--json")
    assert proc.returncode == EXIT_OK, err(proc)
    rescored = json.loads(out(proc))
    check_contract(rescored)
    direct = json.loads(out(coach("score", str(answer_file), "--question", QUESTION, "--json")))
    assert rescored["tree"] == direct["tree"]


def test_score_a_hand_written_tree(tmp_path):
    tree_path = tmp_path / "corrected.yaml"
    tree_path.write_text(
        "north_star: weekly listening hours\n"
        "nodes:\n"
        "  - {name: weekly listening hours, role: north_star, level: 0}\n"
        "  - {name: active listeners, level: 1}\n"
        "  - {name: hours per listener, level: 1}\n"
        "  - {name: new listeners, level: 2}\n"
        "  - {name: retained listeners, level: 2}\n"
        "  - {name: skip rate, role: guardrail}\n"
        "  - {name: premium churn, role: guardrail}\n"
        "links:\n"
        "  - {parent: weekly listening hours, child: active listeners, kind: math, operator: ×}\n"
        "  - {parent: weekly listening hours, child: hours per listener, kind: math, operator: ×}\n"
        "  - {parent: active listeners, child: new listeners, kind: math, operator: +}\n"
        "  - {parent: active listeners, child: retained listeners, kind: causal, hypothesis: A/B test}\n",
        encoding="utf-8",
    )
    proc = coach("score", "--tree", str(tree_path), "--question", QUESTION, "--json")
    assert proc.returncode == EXIT_OK, err(proc)
    obj = json.loads(out(proc))
    assert obj["tree"]["north_star"] == "weekly listening hours"
    assert len(obj["tree"]["nodes"]) == 7


def test_malformed_tree_yaml_names_file_and_line(tmp_path):
    tree_path = tmp_path / "broken.yaml"
    tree_path.write_text("north_star: MAU\nnodes:\n  - name: MAU\n  - name: [unclosed\n", encoding="utf-8")
    proc = coach("score", "--tree", str(tree_path), "--question", QUESTION)
    assert proc.returncode == EXIT_DATA
    assert f"{tree_path}:" in err(proc)
    assert "malformed YAML" in err(proc)
    assert f"{tree_path}:5" in err(proc) or f"{tree_path}:4" in err(proc)
    no_traceback(proc)


def test_invalid_tree_names_file_line_and_field(tmp_path):
    tree_path = tmp_path / "invalid.yaml"
    tree_path.write_text("north_star: MAU\nnodes:\n  - name: MAU\n    role: boss\n", encoding="utf-8")
    proc = coach("score", "--tree", str(tree_path))
    assert proc.returncode == EXIT_DATA
    assert f"{tree_path}:4" in err(proc) and "role" in err(proc)
    no_traceback(proc)


def test_missing_tree_file(tmp_path):
    proc = coach("score", "--tree", str(tmp_path / "none.yaml"))
    assert proc.returncode == EXIT_DATA
    assert "none.yaml" in err(proc)
    no_traceback(proc)


# --- parse -----------------------------------------------------------------------------------


def test_parse_prints_yaml_that_loads_as_a_tree(answer_file):
    from coach.tree import Tree

    proc = coach("parse", str(answer_file))
    assert proc.returncode == EXIT_OK, err(proc)
    Tree.model_validate(yaml.safe_load(out(proc)) or {})


def test_parse_to_json_and_yaml_give_the_same_tree(answer_file, tmp_path):
    from coach.datafiles import load_model
    from coach.tree import Tree

    for name in ("t.json", "t.yml"):
        proc = coach("parse", str(answer_file), "-o", str(tmp_path / name))
        assert proc.returncode == EXIT_OK, err(proc)
    assert load_model(Tree, tmp_path / "t.json") == load_model(Tree, tmp_path / "t.yml")


def test_parse_rejects_other_output_formats(answer_file, tmp_path):
    proc = coach("parse", str(answer_file), "-o", str(tmp_path / "tree.txt"))
    assert proc.returncode == EXIT_USAGE
    no_traceback(proc)


def test_parse_from_stdin_and_binary_stdin():
    assert coach("parse", "-", stdin=ANSWER.encode()).returncode == EXIT_OK
    proc = coach("parse", "-", stdin=b"\x00\x00\x01")
    assert proc.returncode == EXIT_INPUT and "<stdin>" in err(proc)


# --- batch (the details are in test_batch.py) ------------------------------------------------


def test_batch_command(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "answer": ANSWER, "question": QUESTION, "label": "hire"})
        + "\n"
        + json.dumps({"id": "b", "question": QUESTION})
        + "\n",
        encoding="utf-8",
    )
    dst = tmp_path / "out.jsonl"
    proc = coach("batch", str(src), "--out", str(dst), "--jobs", "1")
    assert proc.returncode == 1
    records = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    assert records[0]["label"] == "hire"
    assert records[1] == {"id": "b", "line": 2, "error": "missing answer"}
    assert "in.jsonl:2" in err(proc) and "Verdicts" in err(proc)
    assert out(proc) == ""


def test_batch_usage_errors(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("x", encoding="utf-8")
    assert coach("batch", str(src), "--out", str(tmp_path / "o.jsonl")).returncode == EXIT_USAGE
    assert coach("batch", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o.jsonl")).returncode == EXIT_INPUT
    assert coach("batch", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o.xlsx")).returncode == EXIT_USAGE
    assert coach("batch", str(tmp_path / "none.jsonl")).returncode == EXIT_USAGE  # --out is required


# --- scenarios, rubric, schema, help -----------------------------------------------------------


def test_scenarios_table_and_json(scenario_ids):
    proc = coach("scenarios")
    assert proc.returncode == EXIT_OK, err(proc)
    for sid in scenario_ids:
        assert sid in out(proc)
    items = json.loads(out(coach("scenarios", "--json")))
    for item in items:
        assert {"id", "title", "kind", "segment", "ai_product", "question"} <= set(item)


def test_scenarios_wide_table_has_columns(scenario_ids):
    proc = coach("scenarios", env={"COLUMNS": "200"})
    assert proc.returncode == EXIT_OK
    header = out(proc).splitlines()[2]
    for col in ("id", "kind", "segment", "AI", "title"):
        assert col in header


def test_rubric_shows_criteria_weights_and_verdicts():
    proc = coach("rubric")
    assert proc.returncode == EXIT_OK, err(proc)
    text = out(proc)
    for cid in CORE:
        assert cid in text
    for verdict in VERDICTS:
        assert verdict in text
    data = json.loads(out(coach("rubric", "--json")))
    assert {c["id"] for c in data["criteria"]} >= set(CORE)
    assert all(c["weight"] > 0 for c in data["criteria"])


def test_schema_is_the_tree_json_schema():
    proc = coach("schema")
    assert proc.returncode == EXIT_OK, err(proc)
    schema = json.loads(out(proc))
    assert {"north_star", "nodes", "links"} <= set(schema["properties"])


def test_help_lists_every_command():
    proc = coach("--help")
    assert proc.returncode == EXIT_OK
    for command in ("score", "parse", "batch", "scenarios", "rubric", "schema", "practice"):
        assert command in out(proc)


def test_version():
    proc = coach("--version")
    assert proc.returncode == EXIT_OK
    assert out(proc).startswith("coach ")


def test_commands_work_from_another_directory(tmp_path, answer_file):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args in (("scenarios",), ("rubric",), ("score", str(answer_file), "-q", QUESTION)):
        proc = coach(*args, cwd=elsewhere)
        assert proc.returncode == EXIT_OK, (args, err(proc))


# --- main() in process: the TUI entry, internal errors, Ctrl-C --------------------------------


def run_main(argv):
    from coach.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code


@pytest.fixture
def fake_tui(monkeypatch):
    calls = []
    module = types.ModuleType("coach.tui.app")
    module.run = lambda *a, **k: calls.append((a, k))
    monkeypatch.setitem(sys.modules, "coach.tui.app", module)
    return calls


def test_no_arguments_and_practice_open_the_tui(fake_tui):
    assert run_main([]) in (0, None)
    assert run_main(["practice"]) in (0, None)
    assert len(fake_tui) == 2


def test_internal_error_is_one_line_without_traceback(monkeypatch, capsys, answer_file):
    import coach.grade

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(coach.grade, "grade", boom)
    assert run_main(["score", str(answer_file), "-q", QUESTION]) == 70
    captured = capsys.readouterr()
    assert "internal error" in captured.err and "kaboom" in captured.err
    assert "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_internal_error_traceback_with_coach_debug(monkeypatch, capsys, answer_file):
    import coach.grade

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(coach.grade, "grade", boom)
    monkeypatch.setenv("COACH_DEBUG", "1")
    assert run_main(["score", str(answer_file), "-q", QUESTION]) == 70
    assert "Traceback" in capsys.readouterr().err


def test_ctrl_c_exits_130(monkeypatch, capsys, answer_file):
    import coach.grade

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(coach.grade, "grade", interrupted)
    assert run_main(["score", str(answer_file), "-q", QUESTION]) == 130
    assert "Traceback" not in capsys.readouterr().err
