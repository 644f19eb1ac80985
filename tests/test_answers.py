"""Reading answers safely (coach/answers.py): encodings, binary, size limits, terminal safety."""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.answers import (
    check_answer_text,
    decode_answer,
    read_answer,
    safe_text,
    terminal_safe,
)
from coach.errors import EXIT_INPUT, InputError


def write(tmp_path, data: bytes, name: str = "answer.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_reads_utf8_text(tmp_path):
    path = write(tmp_path, "North star: weekly listening hours — café ☕\n".encode())
    assert read_answer(path) == "North star: weekly listening hours — café ☕\n"


def test_strips_bom_and_normalises_line_ends(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfline one\r\nline two\rline three\n")
    assert read_answer(path) == "line one\nline two\nline three\n"


def test_empty_file_is_not_an_error(tmp_path):
    assert read_answer(write(tmp_path, b"")) == ""
    assert read_answer(write(tmp_path, b"\xef\xbb\xbf", "bom-only.txt")) == ""


def test_binary_with_nul_is_rejected_naming_the_file(tmp_path):
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.png")
    with pytest.raises(InputError) as err:
        read_answer(path)
    assert path in err.value.message
    assert "binary" in err.value.message
    assert err.value.exit_code == EXIT_INPUT


def test_mostly_control_characters_is_binary(tmp_path):
    path = write(tmp_path, bytes(range(1, 9)) * 50 + b"some text")
    with pytest.raises(InputError, match="binary"):
        read_answer(path)


def test_a_few_control_characters_are_fine(tmp_path):
    path = write(tmp_path, b"MAU \x1b[31mdropped\x1b[0m by 8%, I'd check new users first.\n")
    assert "dropped" in read_answer(path)


def test_non_utf8_is_rejected_with_the_byte_offset(tmp_path):
    path = write(tmp_path, "North star: café".encode("latin-1"), "latin1.txt")
    with pytest.raises(InputError) as err:
        read_answer(path)
    msg = err.value.message
    assert path in msg
    assert "not valid UTF-8" in msg
    assert "byte offset 15" in msg
    assert "0xe9" in msg


def test_offset_counts_from_the_start_of_the_file_including_the_bom(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfab\xff")
    with pytest.raises(InputError, match="byte offset 5"):
        read_answer(path)


def test_over_the_limit_gives_size_and_limit(tmp_path):
    path = write(tmp_path, b"a" * 1001)
    with pytest.raises(InputError) as err:
        read_answer(path, max_bytes=1000)
    msg = err.value.message
    assert path in msg
    assert "1,001 bytes" in msg
    assert "limit of 1.0 KB" in msg


def test_exactly_at_the_limit_is_accepted(tmp_path):
    assert read_answer(write(tmp_path, b"a" * 1000), max_bytes=1000) == "a" * 1000


def test_default_limit_is_100_kb(tmp_path):
    assert len(read_answer(write(tmp_path, b"x" * 100_000))) == 100_000
    with pytest.raises(InputError, match="over the limit"):
        read_answer(write(tmp_path, b"x" * 100_001, "big.txt"))


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_reads_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"from stdin\r\n"))
    assert read_answer("-") == "from stdin\n"


def test_stdin_over_the_limit_names_stdin_and_counts_the_size(monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"z" * 250_000))
    with pytest.raises(InputError) as err:
        read_answer("-", max_bytes=1000)
    assert "<stdin>" in err.value.message
    assert "250,000 bytes" in err.value.message


def test_stdin_binary_names_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"\x00\x01\x02"))
    with pytest.raises(InputError, match="<stdin>: looks like binary"):
        read_answer("-")


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: str(p / "missing.txt"), "no such file"),
        (lambda p: str(p), "is a directory"),
    ],
)
def test_unreadable_paths(tmp_path, make, needle):
    with pytest.raises(InputError, match=needle):
        read_answer(make(tmp_path))


def test_check_answer_text_applies_the_same_rules():
    assert check_answer_text("\ufeffa\r\nb", "row") == "a\nb"
    with pytest.raises(InputError, match="row: looks like binary"):
        check_answer_text("a\x00b", "row")
    with pytest.raises(InputError, match="over the limit"):
        check_answer_text("é" * 600, "row", max_bytes=1000)  # 1200 bytes in UTF-8
    with pytest.raises(InputError, match="lone surrogate"):
        check_answer_text("bad \ud800 text", "row")


def test_without_a_source_the_message_has_no_prefix():
    with pytest.raises(InputError) as err:
        decode_answer(b"\x00", "")
    assert err.value.message.startswith("looks like binary")


# --- terminal safety -----------------------------------------------------------


def test_terminal_safe_strips_escapes_and_controls():
    raw = (
        "a\x1b[31mred\x1b[0m b\x1b]0;title\x07c\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ d\x07e\x08f\x7fg\x9b1mh\u202ei"
    )
    assert terminal_safe(raw) == "ared bclink defghi"


def test_terminal_safe_keeps_text_newlines_and_tabs():
    text = "MAU = new + returning\n\t• café ☕ 日本語 [bold]not markup[/bold]"
    assert terminal_safe(text) == text
    assert terminal_safe("a\r\nb\rc") == "a\nb\nc"


def test_safe_text_is_literal_rich_text():
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, force_terminal=True, color_system="truecolor").print(
        safe_text("[bold red]ALERT[/bold red] \x1b[31mred\x1b[0m :smile:")
    )
    out = buf.getvalue()
    assert "[bold red]ALERT[/bold red]" in out
    assert ":smile:" in out
    assert "\x1b[31mred" not in out


@given(st.text())
def test_terminal_safe_never_leaves_controls(text):
    cleaned = terminal_safe(text)
    assert "\x1b" not in cleaned and "\r" not in cleaned
    assert all(ch in "\n\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) for ch in cleaned)
    assert terminal_safe(cleaned) == cleaned
