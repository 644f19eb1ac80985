"""The HTML reports as a person sees them: headless Chromium renders them to PNG and PDF.

Checks that the page loads with no console message at all (the pages have no
script, and their Content-Security-Policy blocks any fetch, so any message is
a defect: a blocked request, a parse error), that the browser's DOM holds the
tree diagram with the expected nodes and line styles, that the screenshot is
not blank, and that the page prints to PDF.

Chromium is required, not optional: this test fails (it is never skipped)
when it is missing. Install it with ``apt-get install chromium`` (Debian);
``.ci/run`` does so.
"""

from __future__ import annotations

import html.parser
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from coach.coaching import SectionInput, build_report, grade_transcript
from coach.grade import grade
from coach.report.cohort import read_graded, summarise
from coach.report.cohort_render import render_cohort_html
from coach.report.html import render_html
from coach.rubric.model import load_rubric
from coach.transcript import parse_transcript

RUBRIC = load_rubric()
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
]
TRANSCRIPT = """\
Interviewer: How would you measure success for Spotify? <script>console.error("injected")</script>
Candidate: My north star is weekly listening hours, an output metric.
Mathematically, weekly listening hours = weekly active listeners × hours per listener.
Weekly active listeners = new listeners + retained listeners + resurrected listeners.
I believe Discover Weekly hit rate drives retained listeners; that is a causal hypothesis we'd confirm with an A/B test.
<img src="https://example.com/x.png" onerror="console.error('img')"> <b>bold?</b>
Interviewer: What would you watch so that optimising this doesn't break something else?
Candidate: Guardrails: early skip rate must not get worse, and premium churn must not rise.
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = os.environ.get("COACH_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
    )
    if found is None:
        pytest.fail(
            "headless Chromium is needed to test the HTML reports and was not found on PATH "
            "(install it: apt-get install chromium; or set COACH_CHROMIUM to its path)"
        )
    return found


def run_chromium(binary: str, tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, page.as_uri()],
        capture_output=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path)},
    )


def console_messages(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.decode("utf-8", "replace").splitlines() if ":CONSOLE" in line]


def png_summary(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the pixel data): a blank page has only a handful."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


class Dom(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def find(self, tag: str, cls: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == tag and cls in (a.get("class") or "").split()]


def report_page(tmp_path: Path) -> Path:
    t = parse_transcript(TRANSCRIPT, follow_up_texts=[c.follow_up for c in RUBRIC.criteria])
    graded = grade_transcript(t, [SectionInput(s.question) for s in t.sections], grade, base_id="mock", rubric=RUBRIC)
    page = tmp_path / "report.html"
    page.write_text(
        render_html(build_report(graded, source="mock.txt", candidate="Candidate", notices=[]), RUBRIC), "utf-8"
    )
    return page


def test_detector_sees_console_errors_and_blocked_requests(chromium, tmp_path):
    """The check below is only worth something if it can fail: a page that logs and fetches is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '<h1>bad</h1><script>console.error("boom")</script><img src="http://example.com/x.png">',
        encoding="utf-8",
    )
    proc = run_chromium(chromium, tmp_path, bad, "--dump-dom")
    messages = console_messages(proc)
    assert any("script" in m for m in messages) and any("example.com" in m for m in messages)


def test_html_report_renders_prints_and_draws_the_tree(chromium, tmp_path):
    page = report_page(tmp_path)
    shot = tmp_path / "report.png"
    proc = run_chromium(chromium, tmp_path, page, f"--screenshot={shot}", "--window-size=1200,2600")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    assert console_messages(proc) == []
    width, height, distinct = png_summary(shot)
    assert (width, height) == (1200, 2600) and distinct > 20

    proc = run_chromium(chromium, tmp_path, page, "--dump-dom")
    assert proc.returncode == 0 and console_messages(proc) == []
    dom_text = proc.stdout.decode("utf-8")
    dom = Dom()
    dom.feed(dom_text)
    tags = [t for t, _ in dom.elements]
    assert "script" not in tags and "img" not in tags  # the transcript's markup stayed text
    assert "&lt;script&gt;console.error" in dom_text and "Strong hire" in dom_text
    nodes = {a.get("data-name"): a.get("class") for a in dom.find("g", "node")}
    assert nodes["weekly listening hours"] == "node north-star"
    assert {"weekly active listeners", "hours per listener", "new listeners"} <= set(nodes)
    assert sum(1 for c in nodes.values() if c == "node guardrail") == 2
    edges = dom.find("path", "edge")
    math = [e for e in edges if "math" in (e.get("class") or "")]
    causal = [e for e in edges if "causal" in (e.get("class") or "")]
    assert math and causal
    assert all(e.get("stroke-dasharray") is None for e in math)  # solid
    assert all(e.get("stroke-dasharray") for e in causal)  # dotted
    legend = dom.find("g", "legend")
    assert legend
    scorecard = {a.get("data-criterion"): a.get("data-status") for t, a in dom.elements if a.get("data-criterion")}
    assert scorecard["guardrails"] == "pass" and scorecard["north_star"] == "pass"

    pdf = tmp_path / "report.pdf"
    proc = run_chromium(chromium, tmp_path, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert proc.returncode == 0 and console_messages(proc) == []
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 2


def test_cohort_report_renders(chromium, tmp_path):
    import json

    rows = []
    for i, (label, extra) in enumerate([("strong_hire", ""), ("hire", " Guardrail: churn."), ("no_hire", "")]):
        result = grade("My north star is weekly listening hours." + extra, question="How would you measure success?")
        rows.append(json.dumps({**result.to_json_dict(), "id": f"r{i}", "label": label}))
    graded = tmp_path / "graded.jsonl"
    graded.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page = tmp_path / "cohort.html"
    page.write_text(render_cohort_html(summarise(*read_graded(graded, RUBRIC), RUBRIC)), encoding="utf-8")
    shot = tmp_path / "cohort.png"
    proc = run_chromium(chromium, tmp_path, page, f"--screenshot={shot}", "--window-size=1100,1800")
    assert proc.returncode == 0 and console_messages(proc) == []
    assert png_summary(shot)[2] > 20
    proc = run_chromium(chromium, tmp_path, page, "--dump-dom")
    dom = Dom()
    dom.feed(proc.stdout.decode("utf-8"))
    assert len([a for t, a in dom.elements if t == "svg"]) == 3
    assert len(dom.find("g", "bar")) >= 4 + 6  # four verdicts, then a bar per applicable criterion
    assert dom.find("table", "matrix")
