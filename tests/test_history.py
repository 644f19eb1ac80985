"""Practice history in SQLite: migrations, drafts, attempts, durability, and the pure summaries."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from coach import history
from coach.result import CriterionResult, GradeResult
from coach.tree import Node, Tree


def result(
    statuses: dict[str, str], *, score: int = 50, verdict: str = "no_hire", metrics=(), prompted=()
) -> GradeResult:
    core = {"north_star", "hierarchy", "math_vs_causal", "guardrails", "ai_layer", "rca"}
    return GradeResult(
        verdict=verdict,  # type: ignore[arg-type]
        score=score,
        criteria=[
            CriterionResult(id=cid, status=st, core=cid in core, prompted=cid in prompted)  # type: ignore[arg-type]
            for cid, st in statuses.items()
        ],
        tree=Tree(nodes=[Node(name=m) for m in metrics]),
        feedback="",
    )


@pytest.fixture
def conn(tmp_path):
    c = history.connect(tmp_path / "h.sqlite")
    yield c
    c.close()


def test_default_path_is_under_coach_home(_coach_home):
    assert history.default_path() == _coach_home / "data" / "history.sqlite"
    c = history.connect()
    c.close()
    assert history.default_path().is_file()


def test_connect_runs_every_migration_once(tmp_path):
    path = tmp_path / "h.sqlite"
    c = history.connect(path)
    assert history.schema_version(c) == len(history.MIGRATIONS)
    c.close()
    c = history.connect(path)  # reopening is a no-op
    assert history.schema_version(c) == len(history.MIGRATIONS)


def test_old_database_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path)
    raw.executescript(history.MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    r = result({"north_star": "pass"}, score=40)
    raw.execute(
        "INSERT INTO attempts (scenario_id, created_at, answer, result_json, score, verdict) VALUES (?,?,?,?,?,?)",
        ("s", 1.0, "old answer", json.dumps(r.model_dump(mode="json")), 40, "no_hire"),
    )
    raw.commit()
    raw.close()
    c = history.connect(path)
    assert history.schema_version(c) == len(history.MIGRATIONS)
    [attempt] = history.attempts(c)
    assert attempt.answer == "old answer" and attempt.follow_up is None


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(history.MIGRATIONS) + 5}")
    raw.close()
    with pytest.raises(history.HistoryError, match="newer coach"):
        history.connect(path)


def test_corrupt_file_is_a_history_error(tmp_path):
    path = tmp_path / "bad.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(history.HistoryError, match="cannot open"):
        history.connect(path)


def test_drafts_are_saved_replaced_and_cleared(conn):
    assert history.load_draft(conn, "s") is None
    history.save_draft(conn, "s", "first", elapsed=12, now=100.0)
    history.save_draft(conn, "s", "second", elapsed=30, now=200.0)
    draft = history.load_draft(conn, "s")
    assert draft == history.Draft("s", "second", 30.0, 200.0)
    assert history.draft_ids(conn) == {"s"}
    history.save_draft(conn, "s", "   \n")  # blank text deletes the draft
    assert history.load_draft(conn, "s") is None


def test_recording_an_attempt_drops_the_draft_in_the_same_commit(conn):
    history.save_draft(conn, "s", "typing...")
    history.save_draft(conn, "other", "keep me")
    attempt = history.record_attempt(conn, "s", "answer", result({"north_star": "pass"}), elapsed=61.5, now=5.0)
    assert attempt.id > 0
    assert history.load_draft(conn, "s") is None
    assert history.load_draft(conn, "other") is not None
    row = conn.execute("SELECT * FROM attempts WHERE id = ?", (attempt.id,)).fetchone()
    assert history._attempt(row) == attempt


def test_attempts_come_back_oldest_first_with_their_follow_up(conn):
    a = history.record_attempt(conn, "s", "one", result({"guardrails": "fail"}, score=30), now=2.0)
    history.record_attempt(conn, "t", "other", result({"guardrails": "fail"}), now=1.0)
    b = history.record_attempt(conn, "s", "two", result({"guardrails": "fail"}, score=45), now=3.0)
    after = result({"guardrails": "pass"}, score=70, verdict="hire", prompted={"guardrails"})
    history.record_follow_up(conn, b.id, criterion_id="guardrails", question="Q?", answer="A.", result=after)
    got = history.attempts(conn, "s")
    assert [x.answer for x in got] == ["one", "two"]
    assert got[0].id == a.id and got[0].follow_up is None
    assert got[1].follow_up == history.FollowUpRound("guardrails", "Q?", "A.", after)
    assert got[1].final == after and got[1].score == 45
    assert [x.scenario_id for x in history.attempts(conn)] == ["t", "s", "s"]


def test_summaries_give_the_best_first_answer_verdict(conn):
    history.record_attempt(conn, "s", "a", result({}, score=80, verdict="hire"), now=1.0)
    history.record_attempt(conn, "s", "b", result({}, score=95, verdict="no_hire"), now=2.0)
    history.record_attempt(conn, "t", "c", result({}, score=10, verdict="strong_no_hire"), now=3.0)
    summary = history.summaries(conn)
    assert summary["s"] == history.ScenarioSummary("s", 2, "hire", 95, 2.0)
    assert summary["t"].attempts == 1 and summary["t"].best_verdict == "strong_no_hire"


def test_a_committed_attempt_and_draft_survive_kill_9(tmp_path):
    path = tmp_path / "h.sqlite"
    code = textwrap.dedent(
        f"""
        import os, signal
        from coach import history
        from coach.result import GradeResult
        from coach.tree import Tree
        c = history.connect({str(path)!r})
        r = GradeResult(verdict="hire", score=70, criteria=[], tree=Tree(), feedback="")
        history.record_attempt(c, "s", "my answer", r)
        history.save_draft(c, "t", "half-written")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr.decode()
    c = history.connect(path)
    assert [a.answer for a in history.attempts(c)] == ["my answer"]
    assert history.load_draft(c, "t").text == "half-written"


def test_pass_rates_count_first_answers_weakest_first():
    rates = history.pass_rates(
        [
            result({"north_star": "pass", "guardrails": "fail", "ai_layer": "not_applicable", "owners": "fail"}),
            result({"north_star": "pass", "guardrails": "pass", "ai_layer": "not_applicable", "owners": "fail"}),
            # a prompted pass is not a habit yet
            result({"north_star": "fail", "guardrails": "pass", "owners": "pass"}, prompted={"guardrails"}),
        ]
    )
    by_id = {r.criterion_id: r for r in rates}
    assert "ai_layer" not in by_id
    assert (by_id["guardrails"].passed, by_id["guardrails"].applicable) == (1, 3)
    assert [r.criterion_id for r in rates] == ["guardrails", "owners", "north_star"]
    assert by_id["owners"].core is False and round(by_id["north_star"].rate, 2) == 0.67


def test_compare_lists_flips_and_metric_changes():
    before = result(
        {"north_star": "pass", "guardrails": "fail", "rca": "pass", "owners": "not_applicable"},
        score=40,
        metrics=["MAU", "New users", "Churn rate"],
    )
    after = result(
        {"north_star": "pass", "guardrails": "pass", "rca": "fail", "owners": "not_applicable"},
        score=65,
        metrics=["mau", "New Users", "Refund rate"],
    )
    cmp = history.compare(before, after)
    assert [(f.criterion_id, f.before, f.after) for f in cmp.flipped] == [
        ("guardrails", "fail", "pass"),
        ("rca", "pass", "fail"),
    ]
    assert [f.criterion_id for f in cmp.improved] == ["guardrails"]
    assert [f.criterion_id for f in cmp.flipped if f.before == "pass"] == ["rca"]
    assert cmp.metrics_added == ["Refund rate"] and cmp.metrics_dropped == ["Churn rate"]
    assert cmp.score_delta == 25


def test_history_and_followup_import_no_ui():
    code = "import coach.history, coach.followup, coach.locations, sys; print(sorted(sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, text=True)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout
    for heavy in ("'textual", "'coach.tui", "'langchain", "'openai", "'rich"):
        assert heavy not in loaded, heavy


def test_without_coach_home_the_platform_dirs_are_used(monkeypatch):
    from coach import locations

    monkeypatch.delenv("COACH_HOME")
    assert locations.data_dir().name == "coach" and locations.config_dir().name == "coach"
    assert history.default_path().parent == locations.data_dir()
