"""coach batch: formats, broken rows, duplicates, resume, crash recovery, determinism across --jobs."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from rich.console import Console

from coach.batch import run_batch
from coach.errors import EXIT_DATA, EXIT_ERRORS_IN_BATCH, EXIT_OK, CoachError

CORE = ["north_star", "hierarchy", "math_vs_causal", "guardrails", "ai_layer", "rca"]
QUESTION = "How would you measure success for Spotify?"
DROP = "Spotify's MAU dropped 8% last month. What happened?"
GOOD = (
    "My north star is weekly listening hours. Weekly listening hours = active listeners × hours per listener. "
    "Active listeners = new + retained + resurrected listeners. I believe playlist follows drive retention, "
    "a hypothesis we'd confirm with an A/B test. Guardrails: skip rate and premium churn must not get worse."
)
FLAT = "I'd track DAU, MAU, retention, NPS and revenue."


def answers(n: int) -> list[dict]:
    """n varied rows (deterministic)."""
    rows = []
    for i in range(n):
        text = (GOOD if i % 3 else FLAT) + f" Note {i}: " + "listening " * (i % 7)
        rows.append({"id": f"a{i:03d}", "answer": text, "question": DROP if i % 2 else QUESTION})
    return rows


def write_jsonl(path, rows, raw_lines=()):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
        for line in raw_lines:
            f.write(line + "\n")
    return path


def write_csv(path, rows, header=("id", "answer", "question", "scenario", "kind", "ai_product", "label")):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow([row.get(h, "") for h in header])
    return path


def batch(src, dst, **kwargs):
    """run_batch in process with jobs=1 by default; returns (exit code, stderr text)."""
    buf = io.StringIO()
    kwargs.setdefault("jobs", 1)
    code = run_batch(str(src), str(dst), console=Console(file=buf, width=200), **kwargs)
    return code, buf.getvalue()


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def coach(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "coach", *args], capture_output=True, timeout=300, **kwargs)


# --- formats --------------------------------------------------------------------------------


def test_jsonl_in_jsonl_out(tmp_path):
    rows = answers(5)
    rows[1]["label"] = "hire"
    rows[2]["label"] = {"verdict": "no_hire", "by": "coach"}
    rows[3]["kind"] = "metric_drop"
    rows[3]["ai_product"] = True
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    dst = tmp_path / "out.jsonl"
    code, log = batch(src, dst)
    assert code == EXIT_OK, log
    records = read_jsonl(dst)
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    for rec in records:
        assert {"verdict", "score", "criteria", "tree", "feedback"} <= set(rec)
        assert set(CORE) <= {c["id"] for c in rec["criteria"]}
        assert "error" not in rec
    assert "label" not in records[0]
    assert records[1]["label"] == "hire"
    assert records[2]["label"] == {"verdict": "no_hire", "by": "coach"}
    assert records[3]["kind"] == "metric_drop" and records[3]["ai_product"] is True
    assert "Verdicts" in log and "pass rate" in log


def test_graded_record_is_the_grade_result_plus_label(tmp_path):
    from coach.grade import grade

    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "answer": GOOD, "question": QUESTION, "label": "L"}])
    dst = tmp_path / "out.jsonl"
    batch(src, dst)
    expected = grade(GOOD, question=QUESTION, answer_id="x")
    expected.label = "L"
    assert dst.read_text(encoding="utf-8") == json.dumps(expected.to_json_dict(), ensure_ascii=False) + "\n"


def test_csv_in_csv_out(tmp_path):
    rows = answers(4)
    rows[0]["label"] = "strong_hire"
    rows[2]["answer"] = 'Line one, with "quotes"\nand a second line\r\nand a third'
    src = write_csv(tmp_path / "in.csv", rows)
    dst = tmp_path / "out.csv"
    code, log = batch(src, dst)
    assert code == EXIT_OK, log
    out = read_csv(dst)
    header = list(out[0].keys())
    assert header[:4] == ["id", "line", "verdict", "score"]
    assert header[-3:] == ["feedback", "label", "error"]
    assert set(CORE) <= set(header)
    assert [r["id"] for r in out] == [r["id"] for r in rows]
    assert [r["line"] for r in out] == ["2", "3", "4", "7"]  # row 3's answer spans three lines
    assert out[0]["label"] == "strong_hire"
    for r in out:
        assert r["verdict"] in {"strong_hire", "hire", "no_hire", "strong_no_hire"}
        assert all(r[c] in {"pass", "fail", "not_applicable"} for c in CORE)
        assert r["error"] == ""


def test_csv_in_jsonl_out_and_jsonl_in_csv_out_agree(tmp_path):
    rows = answers(4)
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.csv"
    batch(write_csv(tmp_path / "in.csv", rows), a)
    batch(write_jsonl(tmp_path / "in.jsonl", rows), b)
    from_json = [(r["id"], r["verdict"], str(r["score"])) for r in read_jsonl(a)]
    from_csv = [(r["id"], r["verdict"], r["score"]) for r in read_csv(b)]
    assert from_json == from_csv


def test_csv_header_without_answer_column_is_an_input_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(CoachError, match="'answer'"):
        batch(src, tmp_path / "out.jsonl")


def test_a_bom_and_blank_lines_in_jsonl_are_fine(tmp_path):
    src = tmp_path / "in.jsonl"
    row = json.dumps({"id": "a", "answer": GOOD, "question": QUESTION})
    src.write_bytes(b"\xef\xbb\xbf" + row.encode() + b"\n\n   \n" + row.replace('"a"', '"b"').encode() + b"\n")
    code, log = batch(src, tmp_path / "out.jsonl")
    assert code == EXIT_OK, log
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["a", "b"]


# --- broken rows ------------------------------------------------------------------------------


def test_broken_jsonl_rows_become_error_records_with_line_numbers(tmp_path):
    lines = [
        json.dumps({"id": "ok1", "answer": GOOD, "question": QUESTION}),  # 1
        '{"id": "badjson", "answer": ',  # 2
        json.dumps({"id": "noanswer", "question": QUESTION}),  # 3
        json.dumps({"id": "badscenario", "answer": GOOD, "scenario": "spotfy-mau-drop"}),  # 4
        json.dumps({"id": "huge", "answer": "x " * 600, "question": QUESTION}),  # 5
        "[1, 2, 3]",  # 6
        json.dumps({"answer": GOOD, "question": QUESTION}),  # 7: no id
        json.dumps({"id": "badkind", "answer": GOOD, "question": QUESTION, "kind": "vibes"}),  # 8
        json.dumps({"id": "badai", "answer": GOOD, "question": QUESTION, "ai_product": "maybe"}),  # 9
        json.dumps({"id": "noquestion", "answer": GOOD}),  # 10
        json.dumps({"id": "binary", "answer": "a\u0000b", "question": QUESTION}),  # 11
        json.dumps({"id": "ok2", "answer": FLAT, "question": QUESTION}),  # 12
    ]
    src = write_jsonl(tmp_path / "in.jsonl", lines)
    dst = tmp_path / "out.jsonl"
    code, log = batch(src, dst, max_bytes=1000)
    assert code == EXIT_ERRORS_IN_BATCH
    records = read_jsonl(dst)
    assert len(records) == 12
    assert "error" not in records[0] and "error" not in records[11]
    errors = {r["line"]: r for r in records if "error" in r}
    assert sorted(errors) == list(range(2, 12))
    assert errors[2] == {"id": None, "line": 2, "error": errors[2]["error"]}
    assert "bad JSON" in errors[2]["error"]
    assert errors[3] == {"id": "noanswer", "line": 3, "error": "missing answer"}
    assert "unknown scenario" in errors[4]["error"] and "spotify-mau-drop" in errors[4]["error"]
    assert "over the limit" in errors[5]["error"] and "1,200 bytes" in errors[5]["error"]
    assert "not a JSON object" in errors[6]["error"]
    assert errors[7]["id"] is None and "missing id" in errors[7]["error"]
    assert "unknown kind" in errors[8]["error"]
    assert "ai_product" in errors[9]["error"]
    assert "scenario" in errors[10]["error"] and "question" in errors[10]["error"]
    assert "binary" in errors[11]["error"]
    for line, rec in errors.items():
        assert f"in.jsonl:{line}:" in log
        if rec["id"]:
            assert f"id {rec['id']!r}" in log


def test_invalid_utf8_line_is_a_row_error(tmp_path):
    src = tmp_path / "in.jsonl"
    good = json.dumps({"id": "a", "answer": GOOD, "question": QUESTION}).encode()
    src.write_bytes(
        good + b"\n" + b'{"id": "b", "answer": "caf\xe9", "question": "q"}\n' + good.replace(b'"a"', b'"c"')
    )
    code, log = batch(src, tmp_path / "out.jsonl")
    assert code == EXIT_ERRORS_IN_BATCH
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [r.get("error", "") for r in records][1].startswith("not valid UTF-8")
    assert records[2]["id"] == "c" and "error" not in records[2]  # the last line had no newline


def test_bad_csv_rows(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(
        b"id,answer,question\n"
        b"ok1,fine answer,q\n"  # 2
        b'bad1,"unbalanced "quote,q\n'  # 3
        b"bad2,too,many,fields,here\n"  # 4
        b"bad3,caf\xe9,q\n"  # 5
        b",no id,q\n"  # 6
        b"ok2,fine again,q\n"  # 7
    )
    dst = tmp_path / "out.csv"
    code, log = batch(src, dst)
    assert code == EXIT_ERRORS_IN_BATCH
    out = read_csv(dst)
    assert [r["line"] for r in out] == ["2", "3", "4", "5", "6", "7"]
    assert out[0]["error"] == "" and out[5]["error"] == ""
    assert out[1]["error"].startswith("bad CSV")
    assert out[2]["error"].startswith("bad CSV") and out[2]["id"] == "bad2"
    assert "UTF-8" in out[3]["error"] and out[3]["id"] == "bad3"
    assert "missing id" in out[4]["error"]
    for line in (3, 4, 5, 6):
        assert f"in.csv:{line}:" in log


def test_duplicate_ids_are_reported_and_get_an_error_record(tmp_path):
    rows = answers(3)
    rows.append(dict(rows[1], answer="a different answer"))
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    dst = tmp_path / "out.jsonl"
    code, log = batch(src, dst)
    assert code == EXIT_ERRORS_IN_BATCH
    records = read_jsonl(dst)
    assert [r["id"] for r in records] == ["a000", "a001", "a002", "a001"]
    assert "error" not in records[1]
    assert records[3]["line"] == 4 and "duplicate id 'a001'" in records[3]["error"] and "line 2" in records[3]["error"]
    assert "in.jsonl:4: id 'a001': duplicate" in log


def test_integer_ids_become_strings(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": 7, "answer": GOOD, "question": QUESTION}])
    batch(src, tmp_path / "out.jsonl")
    assert read_jsonl(tmp_path / "out.jsonl")[0]["id"] == "7"


# --- resume, idempotence, crash recovery ----------------------------------------------------------


def test_resume_skips_ids_already_graded(tmp_path):
    rows = answers(8)
    dst = tmp_path / "out.jsonl"
    batch(write_jsonl(tmp_path / "first.jsonl", rows[:3]), dst)
    # Tamper with a finished record: if it were graded again, the tampering would be gone or doubled.
    first = read_jsonl(dst)
    first[1]["feedback"] = "TAMPERED"
    dst.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in first), encoding="utf-8")
    code, log = batch(write_jsonl(tmp_path / "all.jsonl", rows), dst)
    assert code == EXIT_OK, log
    records = read_jsonl(dst)
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    assert records[1]["feedback"] == "TAMPERED"
    assert "3 rows already in" in log


def test_rerun_of_a_finished_batch_changes_nothing(tmp_path):
    rows = answers(5) + [{"id": "broken", "question": QUESTION}, dict(answers(1)[0])]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    for name in ("out.jsonl", "out.csv"):
        dst = tmp_path / name
        first_code, _ = batch(src, dst)
        before = dst.read_bytes()
        second_code, _ = batch(src, dst)
        assert dst.read_bytes() == before
        assert first_code == second_code == EXIT_ERRORS_IN_BATCH  # the broken row and the duplicate still count


def test_truncated_trailing_line_is_cut_and_regraded(tmp_path):
    rows = answers(6)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    ref = tmp_path / "ref.jsonl"
    batch(src, ref)
    data = ref.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    for cut in (last_start + 1, last_start + 40, len(data) - 1):  # a crash mid-way through the last record
        dst = tmp_path / f"crashed-{cut}.jsonl"
        dst.write_bytes(data[:cut])
        code, log = batch(src, dst)
        assert code == EXIT_OK, log
        assert dst.read_bytes() == data
        assert "half-written" in log


def test_truncated_csv_record_is_cut_and_regraded(tmp_path):
    rows = answers(4)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    ref = tmp_path / "ref.csv"
    batch(src, ref)
    data = ref.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    for cut in (last_start + 3, len(data) - 1, 10):  # inside the last record; inside the header
        dst = tmp_path / f"crashed-{cut}.csv"
        dst.write_bytes(data[:cut])
        code, log = batch(src, dst)
        assert code == EXIT_OK, log
        assert dst.read_bytes() == data


def test_csv_record_cut_inside_a_quoted_multiline_field(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "answer": GOOD, "question": QUESTION, "label": "x\ny"}])
    ref = tmp_path / "ref.csv"
    batch(src, ref)
    data = ref.read_bytes()
    cut = data.index(b'"x\ny"') + 3  # just after the newline inside the quoted label
    dst = tmp_path / "crashed.csv"
    dst.write_bytes(data[:cut])
    batch(src, dst)
    assert dst.read_bytes() == data


def test_a_damaged_line_in_the_middle_of_the_output_is_refused(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", answers(3))
    dst = tmp_path / "out.jsonl"
    batch(src, dst)
    lines = dst.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = "garbage\n"
    dst.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CoachError) as err:
        batch(src, dst)
    assert err.value.exit_code == EXIT_DATA
    assert f"{dst}:2" in err.value.message


def test_csv_output_with_other_columns_is_refused(tmp_path):
    dst = tmp_path / "out.csv"
    dst.write_text("id,verdict\nx,hire\n", encoding="utf-8")
    with pytest.raises(CoachError, match="other columns"):
        batch(write_jsonl(tmp_path / "in.jsonl", answers(1)), dst)


def test_retry_errors_grades_fixed_rows(tmp_path):
    rows = answers(3)
    broken = [dict(r) for r in rows]
    broken[1]["scenario"] = "no-such-scenario"
    del broken[1]["question"]
    dst = tmp_path / "out.jsonl"
    code, _ = batch(write_jsonl(tmp_path / "broken.jsonl", broken), dst)
    assert code == EXIT_ERRORS_IN_BATCH
    fixed = write_jsonl(tmp_path / "fixed.jsonl", rows)
    code, _ = batch(fixed, dst)  # without --retry-errors the error record stands
    assert code == EXIT_ERRORS_IN_BATCH
    code, log = batch(fixed, dst, retry_errors=True)
    assert code == EXIT_OK, log
    records = read_jsonl(dst)
    assert sorted(r["id"] for r in records) == ["a000", "a001", "a002"]
    assert not any("error" in r for r in records)


# --- determinism and parallelism (subprocess) ------------------------------------------------------


def test_jobs_1_and_2_give_byte_identical_output(tmp_path):
    rows = answers(70)  # several chunks per worker
    rows[10] = {"id": "broken", "answer": 5, "question": QUESTION}
    rows[40]["scenario"] = "nope"
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    outputs = {}
    for jobs in ("1", "2"):
        for ext in ("jsonl", "csv"):
            dst = tmp_path / f"out-{jobs}.{ext}"
            proc = coach("batch", str(src), "--out", str(dst), "--jobs", jobs)
            assert proc.returncode == EXIT_ERRORS_IN_BATCH, proc.stderr.decode()
            outputs[(jobs, ext)] = dst.read_bytes()
    assert outputs[("1", "jsonl")] == outputs[("2", "jsonl")]
    assert outputs[("1", "csv")] == outputs[("2", "csv")]
    assert len(outputs[("1", "jsonl")].splitlines()) == 70


def test_ctrl_c_loses_no_finished_result_and_resume_completes(tmp_path):
    rows = answers(60) * 20  # 1200 rows
    rows = [dict(r, id=f"r{i}") for i, r in enumerate(rows)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    ref = tmp_path / "ref.jsonl"
    assert coach("batch", str(src), "--out", str(ref), "--jobs", "2", "--quiet").returncode == EXIT_OK
    dst = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach", "batch", str(src), "--out", str(dst), "--jobs", "2", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not dst.exists() or dst.stat().st_size < 20_000):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert b"Traceback" not in stderr
    partial = dst.read_bytes()
    assert partial.endswith(b"\n") and ref.read_bytes().startswith(partial)  # only whole records
    if proc.returncode == 130:
        assert len(partial) == len(ref.read_bytes()) or b"resume" in stderr
    else:  # the batch won the race; the resume below still has to be a no-op
        assert proc.returncode == EXIT_OK
    resumed = coach("batch", str(src), "--out", str(dst), "--jobs", "2", "--quiet")
    assert resumed.returncode == EXIT_OK, resumed.stderr.decode()
    assert dst.read_bytes() == ref.read_bytes()


def test_kill_9_mid_run_then_resume(tmp_path):
    rows = [dict(r, id=f"k{i}") for i, r in enumerate(answers(60) * 10)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    ref = tmp_path / "ref.jsonl"
    assert coach("batch", str(src), "--out", str(ref), "--jobs", "1", "--quiet").returncode == EXIT_OK
    dst = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach", "batch", str(src), "--out", str(dst), "--jobs", "1", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not dst.exists() or dst.stat().st_size < 20_000):
        time.sleep(0.005)
    proc.kill()
    proc.wait(timeout=30)
    resumed = coach("batch", str(src), "--out", str(dst), "--jobs", "1", "--quiet")
    assert resumed.returncode == EXIT_OK, resumed.stderr.decode()
    assert dst.read_bytes() == ref.read_bytes()


def test_output_folder_must_exist(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", answers(1))
    with pytest.raises(CoachError, match="does not exist"):
        batch(src, tmp_path / "no" / "such" / "out.jsonl")


def test_input_and_output_must_differ(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", answers(1))
    with pytest.raises(CoachError, match="must not be the input"):
        batch(src, src)


def test_empty_input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"")
    code, log = batch(src, tmp_path / "out.jsonl")
    assert code == EXIT_OK
    assert os.path.getsize(tmp_path / "out.jsonl") == 0
