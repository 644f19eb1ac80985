"""``coach review``: step through graded answers, override with notes, every change saved atomically."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, Static

from coach import fileio
from coach.result import CriterionResult, GradeResult
from coach.review_file import load_review_file
from coach.rubric.engine import score, verdict
from coach.rubric.model import load_rubric
from coach.tree import Tree
from coach.tui.review import NoteScreen, ReviewApp, create_review_app

RUBRIC = load_rubric()
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def graded(rid: str, **statuses: str) -> dict:
    criteria = []
    for spec in RUBRIC.criteria:
        status = statuses.get(spec.id, "pass" if spec.applies == "always" else "not_applicable")
        criteria.append(CriterionResult(id=spec.id, status=status, core=spec.core, message=f"why {spec.id}"))  # type: ignore[arg-type]
    result = GradeResult(
        id=rid,
        verdict=verdict(criteria),
        score=score(criteria, RUBRIC),
        criteria=criteria,
        tree=Tree(),
        feedback="f",
        question="How would you measure success for [bold]Spotify[/]?",
        label="strong_hire",
    )
    return result.to_json_dict()


@pytest.fixture
def graded_file(tmp_path):
    first = {
        **graded("a1", guardrails="fail"),
        "transcript": {"answer": "My north star is \x1b[31mMAU", "follow_ups": []},
    }
    lines = [
        json.dumps(first, ensure_ascii=False),
        '{"id": "bad", "line": 2, "error": "missing answer"}',
        "not json at all",
        json.dumps(graded("a2", hierarchy="fail")),
    ]
    path = tmp_path / "graded.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def plain(widget: Static) -> str:
    console = Console(width=300, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def criterion_row(app: ReviewApp, cid: str) -> int:
    return [c.id for c in app.current.result.criteria].index(cid)


async def select(pilot, cid: str) -> None:
    table = pilot.app.query_one("#criteria", DataTable)
    table.move_cursor(row=criterion_row(pilot.app, cid))
    await pilot.pause()


def records(path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


async def test_step_through_override_note_and_save(graded_file):
    original = records(graded_file)
    app = create_review_app(graded_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.current.result.id == "a1"
        assert app.current.result.verdict == "hire"
        assert "1 line(s) are not JSON" in " ".join(str(n.message) for n in app._notifications)
        answer = plain(app.query_one("#answer", Static))
        assert "My north star is" in answer and "\x1b" not in answer  # escape sequences never reach the screen
        assert "[bold]Spotify[/]" in plain(app.query_one("#banner", Static))  # markup shown literally

        await select(pilot, "guardrails")
        await pilot.press("p")
        await pilot.pause()
        # saved at once: the record now says the coach decided, and the verdict is recomputed
        saved = records(graded_file)
        first = json.loads(saved[0])
        guard = next(c for c in first["criteria"] if c["id"] == "guardrails")
        assert (guard["status"], guard["source"], guard["auto_status"]) == ("pass", "coach", "fail")
        assert first["verdict"] == "strong_hire" and first["label"] == "strong_hire"
        assert first["transcript"]["answer"] == "My north star is \x1b[31mMAU"  # extra fields kept
        assert saved[1:] == original[1:]  # the error record, the junk line and the other answer: byte for byte
        assert "saved (1)" in plain(app.query_one("#top", Static))

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.query_one(Input).has_focus
        await pilot.press(*"quickly named both after a nudge")  # q, p, f, x, u are text here, not commands
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, NoteScreen)
        guard = next(c for c in json.loads(records(graded_file)[0])["criteria"] if c["id"] == "guardrails")
        assert guard["note"] == "quickly named both after a nudge" and guard["source"] == "coach"
        assert "quickly named both after a nudge" in plain(app.query_one("#selected", Static))

        # the next answer (error records are skipped): fail its north star too
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.current.result.id == "a2"
        await select(pilot, "north_star")
        await pilot.press("f")
        await pilot.pause()
        second = json.loads(records(graded_file)[3])
        assert second["verdict"] == "no_hire"
        answers = app.query_one("#answers", DataTable)
        assert str(answers.get_row_at(1)[1]) == "No hire" and str(answers.get_row_at(1)[3]) == "1"

        # back to the first answer; undo the override: the grader's decision returns, the note stays
        await pilot.press("left_square_bracket")
        await pilot.pause()
        await select(pilot, "guardrails")
        await pilot.press("u")
        await pilot.pause()
        first = json.loads(records(graded_file)[0])
        guard = next(c for c in first["criteria"] if c["id"] == "guardrails")
        assert guard["status"] == "fail" and guard["source"] == "auto" and "auto_status" not in guard
        assert first["verdict"] == "hire"
    # reopening shows what was saved
    again = load_review_file(graded_file)
    assert [r.result.verdict for r in again.graded] == ["hire", "no_hire"]
    assert not list(graded_file.parent.glob(".graded.jsonl.*"))  # no temporary file left behind


async def test_a_failed_write_leaves_the_file_whole(graded_file, monkeypatch):
    before = graded_file.read_bytes()
    calls = []

    def crash(src, dst):
        calls.append((src, dst))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", crash)
    app = create_review_app(graded_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(pilot, "guardrails")
        await pilot.press("p")
        await pilot.pause()
        assert "NOT SAVED" in plain(app.query_one("#top", Static))
        assert any("No space left" in str(n.message) for n in app._notifications)
    # the new content went to a temporary file beside the original, which was renamed over it (here: refused)
    [(src, dst)] = calls
    assert str(dst) == str(graded_file) and str(src).startswith(str(graded_file.parent / ".graded.jsonl."))
    assert graded_file.read_bytes() == before
    assert not list(graded_file.parent.glob(".graded.jsonl.*"))


async def test_a_file_changed_on_disk_is_not_overwritten(graded_file):
    app = create_review_app(graded_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        with graded_file.open("a", encoding="utf-8") as f:  # a batch still appending
            f.write(json.dumps(graded("a3")) + "\n")
        await select(pilot, "guardrails")
        await pilot.press("p")
        await pilot.pause()
        assert "NOT SAVED" in plain(app.query_one("#top", Static))
    assert json.loads(records(graded_file)[4])["id"] == "a3"
    assert json.loads(records(graded_file)[0])["verdict"] == "hire"


def test_review_refuses_files_it_cannot_review(tmp_path):
    from coach.errors import CoachError

    csv = tmp_path / "g.csv"
    csv.write_text("id,verdict\n", encoding="utf-8")
    with pytest.raises(CoachError, match="CSV output has no trees"):
        load_review_file(csv)
    only_errors = tmp_path / "e.jsonl"
    only_errors.write_text('{"id": "x", "error": "bad"}\n', encoding="utf-8")
    with pytest.raises(CoachError, match="no graded answers"):
        load_review_file(only_errors)
    with pytest.raises(CoachError, match="no such file"):
        load_review_file(tmp_path / "missing.jsonl")
