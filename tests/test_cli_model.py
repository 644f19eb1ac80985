"""The model on the command line: score, batch, the TUI entry, config and log, against the loopback fake server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import types

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    SAMPLE_ANSWER,
    SAMPLE_QUESTION,
    TEST_KEY,
    Reply,
    feedback_for_request,
    good_feedback,
    sample_tree,
    server,
)

from coach.errors import EXIT_ERRORS_IN_BATCH, EXIT_OK, EXIT_USAGE

MODEL = "openai:gpt-test"


@pytest.fixture
def answer_file(tmp_path):
    path = tmp_path / "listening.txt"
    path.write_text(SAMPLE_ANSWER, encoding="utf-8")
    return path


@pytest.fixture
def model_env(server, monkeypatch):  # noqa: F811
    """The environment of a user with a key and an OpenAI-compatible endpoint (the fake), and tiny backoffs."""
    env = {
        "OPENAI_API_KEY": TEST_KEY,
        "OPENAI_BASE_URL": server.base_url,
        "COACH_BACKOFF": "0.01",
        "COACH_BACKOFF_MAX": "0.05",
        "COACH_MAX_RETRIES": "1",
        "COACH_POLL_INTERVAL": "0.01",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def good_model(server):  # noqa: F811
    server.parse_default = lambda req: Reply.json(sample_tree())
    server.feedback_default = feedback_for_request
    return server


def coach(*args: str) -> subprocess.CompletedProcess:
    """``python -m coach ARGS`` in a subprocess with this process's environment (which the fixtures set)."""
    return subprocess.run(
        [sys.executable, "-m", "coach", *args], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )


def run_main(argv: list[str]) -> int | None:
    from coach.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code


def score_json(capsys, *args: str) -> tuple[int | None, dict, str]:
    code = run_main(["score", *args, "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else {}), captured.err


def offline_result(answer: str, question: str = SAMPLE_QUESTION, **kwargs):
    from coach.grade import grade

    return grade(answer, question=question, **kwargs)


# --- coach score ----------------------------------------------------------------------------


def test_score_with_a_model_reads_through_it_and_keeps_the_engines_verdict(answer_file, model_env, good_model):
    proc = coach("score", str(answer_file), "-q", SAMPLE_QUESTION, "--model", MODEL, "--json")
    assert proc.returncode == EXIT_OK, proc.stderr
    result = json.loads(proc.stdout)
    assert result["parser"] == "llm" and "notice" not in result
    assert result["feedback"] == good_feedback(result["verdict"], result["score"]).strip()
    # The verdict and score are the rule engine's on the model's tree.
    from coach.tree import Tree

    engine = offline_result(SAMPLE_ANSWER, tree=Tree.model_validate(result["tree"]))
    assert (result["verdict"], result["score"]) == (engine.verdict, engine.score)
    parse_req, feedback_req = good_model.chat_requests("parse"), good_model.chat_requests("feedback")
    assert len(parse_req) == 1 and len(feedback_req) == 1
    assert parse_req[0].body["model"] == "gpt-test"
    assert parse_req[0].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert TEST_KEY not in proc.stdout + proc.stderr


def test_a_failing_server_gives_the_offline_result_with_a_notice(answer_file, model_env, server):  # noqa: F811
    server.parse_default = server.feedback_default = lambda req: Reply.error(500, f"upstream broke, key {TEST_KEY}")
    proc = coach("score", str(answer_file), "-q", SAMPLE_QUESTION, "--model", MODEL, "--json")
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    offline = offline_result(SAMPLE_ANSWER)
    assert result["parser"] == "offline" and result["notice"]
    assert (result["verdict"], result["score"], result["feedback"]) == (
        offline.verdict,
        offline.score,
        offline.feedback,
    )
    assert "note: " in proc.stderr  # visible to whoever ran it, not only inside the JSON
    assert len(server.chat_requests()) >= 2  # it did try, and retried
    assert TEST_KEY not in proc.stdout + proc.stderr


def test_the_human_view_shows_the_fallback_notice(capsys, answer_file, model_env, server):  # noqa: F811
    assert run_main(["score", str(answer_file), "-q", SAMPLE_QUESTION]) in (0, None)
    out = capsys.readouterr().out
    assert "graded offline" in out or "offline feedback" in out


def test_an_api_key_alone_turns_the_model_on_and_offline_turns_it_off(capsys, answer_file, model_env, good_model):
    code, result, _ = score_json(capsys, str(answer_file), "-q", SAMPLE_QUESTION)
    assert code in (0, None) and result["parser"] == "llm"
    assert {r.body["model"] for r in good_model.chat_requests()} == {"gpt-4.1-mini"}

    sent = len(good_model.requests)
    code, result, err = score_json(capsys, str(answer_file), "-q", SAMPLE_QUESTION, "--offline")
    assert code in (0, None)
    assert len(good_model.requests) == sent  # nothing sent
    offline = offline_result(SAMPLE_ANSWER)
    assert result["parser"] == "offline" and "notice" not in result and err == ""
    assert result["feedback"] == offline.feedback


def test_offline_env_setting_is_overridden_by_a_model_flag_only_through_offline(
    capsys, answer_file, model_env, good_model, monkeypatch
):
    monkeypatch.setenv("COACH_OFFLINE", "1")
    code, result, _ = score_json(capsys, str(answer_file), "-q", SAMPLE_QUESTION, "--model", MODEL)
    assert code in (0, None) and result["parser"] == "offline" and good_model.requests == []


def test_a_slow_model_times_out_into_offline(capsys, answer_file, model_env, server, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COACH_MAX_RETRIES", "0")
    server.parse_default = lambda req: Reply.slow(5, Reply.json(sample_tree()))
    server.feedback_default = lambda req: Reply.slow(5, Reply.text("late"))
    code, result, _ = score_json(capsys, str(answer_file), "-q", SAMPLE_QUESTION, "--model", MODEL, "--timeout", "0.3")
    assert code in (0, None)
    assert result["parser"] == "offline" and "timed out" in result["notice"]
    assert result["feedback"] == offline_result(SAMPLE_ANSWER).feedback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nosuchprovider:thing"], "nosuchprovider"),
        (["--timeout", "0"], "timeout"),
        (["--timeout", "-3"], "timeout"),
    ],
)
def test_bad_model_settings_are_usage_errors(capsys, answer_file, args, message):
    assert run_main(["score", str(answer_file), *args]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_no_cache_sends_again(capsys, answer_file, model_env, good_model):
    score_json(capsys, str(answer_file), "--model", MODEL)
    score_json(capsys, str(answer_file), "--model", MODEL)
    assert len(good_model.chat_requests()) == 2  # the second run came from the cache
    code, result, _ = score_json(capsys, str(answer_file), "--model", MODEL, "--no-cache")
    assert code in (0, None) and result["parser"] == "llm"
    assert len(good_model.chat_requests()) == 4


# --- make_grader (what other commands build on) ------------------------------------------------


def test_make_grader_is_the_offline_grader_without_a_model():
    from coach.cli_model import make_grader
    from coach.grade import grade

    assert make_grader() is grade


def test_make_grader_grades_through_the_model_with_grades_signature(model_env, good_model):
    from coach.cli_model import make_grader

    graded = make_grader(MODEL)
    result = graded(SAMPLE_ANSWER, question=SAMPLE_QUESTION, answer_id="a1")
    assert result.parser == "llm" and result.id == "a1"
    # A coach's tree replaces the parse: only the feedback goes to the model.
    tree = offline_result(SAMPLE_ANSWER).tree
    before = len(good_model.chat_requests("parse"))
    again = graded(SAMPLE_ANSWER, question=SAMPLE_QUESTION, tree=tree)
    assert len(good_model.chat_requests("parse")) == before
    assert again.tree == tree and again.verdict == offline_result(SAMPLE_ANSWER, tree=tree).verdict
    assert make_grader(MODEL, offline=True)(SAMPLE_ANSWER).parser == "offline"


# --- coach config / coach log ---------------------------------------------------------------


def test_config_shows_sources_and_never_the_key(capsys, model_env, monkeypatch, tmp_path):
    secret = "sk-fromconfigfile-0123456789"
    config = tmp_path / "coach.toml"
    config.write_text(f'model = "openai:gpt-4.1"\ntimeout = 30\napi_key = "{secret}"\n', encoding="utf-8")
    monkeypatch.setenv("COACH_CONFIG", str(config))
    monkeypatch.setenv("COACH_JOBS", "4")
    assert run_main(["config", "--json"]) in (0, None)
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["model"]["value"] == "openai:gpt-4.1" and rows["model"]["source"] == f"config {config}"
    assert rows["timeout"]["value"] == "30.0" and rows["timeout"]["source"].startswith("config")
    assert rows["jobs"] == {"name": "jobs", "value": "4", "source": "env COACH_JOBS"}
    assert rows["api_key"]["value"] == "set" and rows["api_key"]["source"] == "env OPENAI_API_KEY"
    assert rows["mode"]["value"] == "model openai:gpt-4.1"

    assert run_main(["config"]) in (0, None)
    captured = capsys.readouterr()
    assert "api_key" in captured.out and "OPENAI_API_KEY" in captured.out
    for shown in (captured.out, captured.err):
        assert TEST_KEY not in shown and secret not in shown

    monkeypatch.delenv("OPENAI_API_KEY")
    assert run_main(["config", "--json"]) in (0, None)
    out = capsys.readouterr().out
    assert secret not in out and {"name": "api_key", "value": "set", "source": f"config {config}"} in json.loads(out)


def test_log_lists_calls_and_totals_tokens_per_model(capsys, answer_file, model_env, good_model, _coach_home):
    assert run_main(["log"]) in (0, None)
    assert "No model calls" in capsys.readouterr().out
    score_json(capsys, str(answer_file), "--model", MODEL, "--id", "first")
    score_json(capsys, str(answer_file), "--model", MODEL, "--id", "first")  # from the cache
    assert run_main(["log", "--json"]) in (0, None)
    data = json.loads(capsys.readouterr().out)
    model_id = f"{MODEL}@{good_model.base_url}"
    (totals,) = data["totals"]
    assert totals["model"] == model_id
    assert (totals["calls"], totals["requests"], totals["cache_hits"], totals["errors"]) == (4, 2, 2, 0)
    assert totals["tokens"] == totals["input_tokens"] + totals["output_tokens"] > 0
    assert [c["prompt"] for c in data["calls"]] == ["feedback", "parse_tree", "feedback", "parse_tree"]
    assert {c["answer_id"] for c in data["calls"]} == {"first"}

    assert run_main(["log", "--limit", "1"]) in (0, None)
    out = capsys.readouterr().out
    assert "Tokens per model" in out and "gpt-test" in out and "most recent" in out
    assert f"{totals['tokens']:,} (" in out
    # The key is in no file coach wrote.
    for path in _coach_home.rglob("*"):
        if path.is_file():
            assert TEST_KEY.encode() not in path.read_bytes(), path


def test_log_records_failures_without_the_key(capsys, answer_file, model_env, server):  # noqa: F811
    server.parse_default = server.feedback_default = lambda req: Reply.error(500, f"echo {TEST_KEY}")
    score_json(capsys, str(answer_file), "--model", MODEL)
    assert run_main(["log", "--json"]) in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert data["totals"][0]["errors"] == len(data["calls"]) >= 2
    assert all("500" in c["error"] and TEST_KEY not in c["error"] for c in data["calls"])


# --- coach batch ----------------------------------------------------------------------------


def write_rows(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def batch_rows(n: int) -> list[dict]:
    rows = [
        {"id": f"a{i}", "answer": SAMPLE_ANSWER + f"\n(take {i})", "question": SAMPLE_QUESTION, "label": "hire"}
        for i in range(n)
    ]
    rows.insert(2, {"id": "broken", "question": SAMPLE_QUESTION})  # no answer: an error record
    return rows


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_through_a_model_is_bounded_ordered_and_resumable(capsys, tmp_path, model_env, good_model):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, batch_rows(7))
    good_model.delay = 0.05  # long enough for requests to overlap
    code = run_main(["batch", str(src), "--out", str(dst), "--model", MODEL, "--jobs", "3"])
    assert code == EXIT_ERRORS_IN_BATCH  # the broken row
    err = capsys.readouterr().err
    assert "broken" in err and "missing answer" in err
    assert f"model {MODEL}: 14 requests" in err
    out = records(dst)
    assert [r["id"] for r in out] == ["a0", "a1", "broken", "a2", "a3", "a4", "a5", "a6"]
    graded = [r for r in out if "error" not in r]
    assert all(r["parser"] == "llm" and r["label"] == "hire" and r["feedback"].startswith("## Verdict") for r in graded)
    assert 1 < good_model.max_in_flight <= 3

    # Resume: cut the last two records (one half-written) and run the same command again.
    lines = dst.read_text(encoding="utf-8").splitlines(keepends=True)
    dst.write_text("".join(lines[:-2]) + lines[-2][:10], encoding="utf-8")
    sent = len(good_model.chat_requests())
    code = run_main(["batch", str(src), "--out", str(dst), "--model", MODEL, "--jobs", "3", "--no-cache"])
    assert code == EXIT_ERRORS_IN_BATCH  # the earlier error record still counts
    assert records(dst) == out
    assert len(good_model.chat_requests()) == sent + 4  # two answers, parse and feedback each

    # Finished: nothing more is sent.
    run_main(["batch", str(src), "--out", str(dst), "--model", MODEL])
    capsys.readouterr()
    assert len(good_model.chat_requests()) == sent + 4 and records(dst) == out


def test_ctrl_c_stops_a_model_batch_cleanly_and_the_rerun_completes(tmp_path, model_env, good_model):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [r for r in batch_rows(10) if "answer" in r]
    write_rows(src, rows)
    good_model.delay = 0.05
    command = [sys.executable, "-m", "coach", "batch", str(src), "--out", str(dst), "--model", MODEL, "--jobs", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not dst.exists() or dst.read_bytes().count(b"\n") < 2):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    for noise in ("Traceback", "never awaited", "Task was destroyed", "Unclosed", "unclosed"):
        assert noise not in stderr
    partial = dst.read_bytes()
    assert partial.endswith(b"\n")  # only whole records
    if proc.returncode == 130:
        assert "interrupted" in stderr.lower()
    else:  # the batch won the race
        assert proc.returncode == EXIT_OK
    sent = len(good_model.chat_requests())
    done = partial.count(b"\n")

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == EXIT_OK, resumed.stderr
    out = records(dst)
    assert [r["id"] for r in out] == [r["id"] for r in rows]
    assert all(r["parser"] == "llm" for r in out)
    assert dst.read_bytes().startswith(partial)
    # Rows already written were not graded again (requests cut off by Ctrl-C may have reached the server).
    assert len(good_model.chat_requests()) - sent <= 2 * (len(rows) - done)


def test_batch_with_a_failing_model_degrades_row_by_row(capsys, tmp_path, model_env, server):  # noqa: F811
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [r for r in batch_rows(3) if "answer" in r]
    write_rows(src, rows)
    server.parse_default = server.feedback_default = lambda req: Reply.error(429, "slow down")
    assert run_main(["batch", str(src), "--out", str(dst), "--model", MODEL, "--quiet"]) == EXIT_OK
    assert capsys.readouterr().err == ""
    for row, rec in zip(rows, records(dst), strict=True):
        offline = offline_result(row["answer"])
        assert rec["parser"] == "offline" and rec["notice"]
        assert (rec["verdict"], rec["score"]) == (offline.verdict, offline.score)


def test_batch_offline_flag_ignores_the_key(capsys, tmp_path, model_env, server):  # noqa: F811
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, [r for r in batch_rows(2) if "answer" in r])
    assert run_main(["batch", str(src), "--out", str(dst), "--offline", "--jobs", "1"]) == EXIT_OK
    assert server.requests == [] and all(r["parser"] == "offline" for r in records(dst))
    assert "requests" not in capsys.readouterr().err


def test_provider_batch_grades_through_the_batch_api(capsys, tmp_path, model_env, good_model):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, batch_rows(3))
    code = run_main(["batch", str(src), "--out", str(dst), "--model", MODEL, "--provider-batch"])
    assert code == EXIT_ERRORS_IN_BATCH
    err = capsys.readouterr().err
    assert good_model.chat_requests() == [] and len(good_model.batches) == 2
    out = records(dst)
    assert [r["id"] for r in out] == ["a0", "a1", "broken", "a2"]
    assert all(r["parser"] == "llm" for r in out if "error" not in r)
    assert "broken" in err and "missing answer" in err


def test_provider_batch_needs_a_model(capsys, tmp_path):
    src = tmp_path / "in.jsonl"
    write_rows(src, batch_rows(1))
    assert run_main(["batch", str(src), "--out", str(tmp_path / "o.jsonl"), "--provider-batch"]) == EXIT_USAGE
    assert "needs a model" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


# --- the TUI entry ----------------------------------------------------------------------------


@pytest.fixture
def fake_tui(monkeypatch):
    calls: list[dict] = []
    module = types.ModuleType("coach.tui.app")
    module.run = lambda **kwargs: calls.append(kwargs)
    monkeypatch.setitem(sys.modules, "coach.tui.app", module)
    return calls


def test_practice_and_bare_coach_pass_the_model_settings_to_the_tui(fake_tui, model_env):
    assert run_main(["practice", "--model", MODEL, "--timeout", "12", "--no-cache"]) in (0, None)
    assert run_main(["--offline"]) in (0, None)
    assert run_main([]) in (0, None)
    first, offline, from_env = (call["settings"] for call in fake_tui)
    assert first.use_model and first.model == MODEL and first.timeout == 12 and first.cache is False
    assert first.base_url == model_env["OPENAI_BASE_URL"]
    assert not offline.use_model
    assert from_env.use_model and from_env.model_ref == "openai:gpt-4.1-mini"


def test_model_flags_before_a_command_are_a_usage_error(capsys, answer_file):
    assert run_main(["--model", MODEL, "score", str(answer_file)]) == EXIT_USAGE
    assert "after the command" in capsys.readouterr().err
