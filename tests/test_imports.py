"""The scoring path stays light: no textual, langchain or openai on `coach score` or in the core modules."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("textual", "langchain", "langchain_core", "langchain_openai", "openai", "coach.tui", "coach.llm")


def heavy_in(modules) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def loaded_modules(code: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return set(json.loads(proc.stdout.decode().splitlines()[-1]))


def test_core_modules_do_not_import_ui_or_llm_libraries():
    modules = loaded_modules("import coach.grade, coach.batch, coach.answers, coach.cli")
    assert "coach.grade" in modules and "coach.batch" in modules
    assert heavy_in(modules) == []


def test_answers_module_is_standard_library_only():
    modules = loaded_modules("import coach.answers")
    assert not {"rich", "pydantic", "yaml", "networkx", "typer"} & {m.split(".")[0] for m in modules}


def imported_by(args: list[str], tmp_path) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run `python -X importtime -m coach ARGS` and return the modules it imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "coach", *args],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    modules = set()
    for line in proc.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    return proc, modules


def test_coach_score_does_not_import_textual_langchain_or_openai(tmp_path):
    answer = tmp_path / "a.txt"
    answer.write_text("My north star is MAU. MAU = new + returning. Guardrails: churn and complaints.", "utf-8")
    proc, modules = imported_by(["score", str(answer), "--question", "How would you measure success?"], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert "coach.grade" in modules  # the check looked at a real grading run
    assert heavy_in(modules) == []
    proc, modules = imported_by(["score", str(answer), "--json"], tmp_path)
    assert proc.returncode == 0
    assert heavy_in(modules) == []


def test_coach_batch_does_not_import_textual_langchain_or_openai(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "answer": "MAU.", "question": "q"}) + "\n", "utf-8")
    proc, modules = imported_by(["batch", str(src), "--out", str(tmp_path / "out.jsonl"), "--jobs", "1"], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert "coach.batch" in modules
    assert heavy_in(modules) == []


def test_coach_score_does_not_import_networkx(tmp_path):
    # networkx costs 0.13 s of the half second `coach score` may take; the rules use coach.rubric.treeview.
    answer = tmp_path / "a.txt"
    answer.write_text("North star: MAU. MAU = new + returning <- onboarding. I believe onboarding drives new.", "utf-8")
    proc, modules = imported_by(["score", str(answer), "--question", "How would you measure success?"], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert "coach.rubric.rules.hierarchy" in modules
    assert not any(m == "networkx" or m.startswith("networkx.") for m in modules)
