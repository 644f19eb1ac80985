"""Reading a transcript's turns: who said what, in order, whatever the format.

Pure functions over text, no I/O. The formats a coach gets from a meeting
tool or writes by hand:

- plain text with speaker labels: ``Interviewer: …`` / ``Candidate: …``, names
  (``Jane Doe: …``), ``Q:`` / ``A:``, with or without timestamps
  (``[00:01:23] Jane: …``, ``00:01:23 Jane: …``, ``Jane (00:01:23): …``), and
  the header-line style of meeting exports (``Jane Doe  10:32 AM`` on its own
  line, the words below it; ``[10:32 AM] Jane Doe`` likewise);
- WebVTT (``<v Jane Doe>`` voice tags or ``Jane: `` labels in the cues);
- SRT (``Jane: `` labels in the cues; a cue without one continues the speaker);
- Markdown (``**Interviewer:** …``, ``**Jane**: …``, ``### Interviewer``).

``coach.transcript.sections`` turns these turns into questions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from coach import regexes

Format = Literal["plain", "markdown", "vtt", "srt"]
Role = Literal["interviewer", "candidate"]


@dataclass(frozen=True)
class Turn:
    """What one speaker said without interruption; ``speaker`` is the label as written (None when unlabelled)."""

    speaker: str | None
    text: str
    line: int


# --- formats -----------------------------------------------------------------------------

_VTT_TIMING = regexes.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}")
_SRT_TIMING = regexes.compile(r"^\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}")
_MD_LABEL = regexes.compile(r"^\s*(?:>\s*)*(?:[-*+]\s+)?(?:\*\*|__)[^*_\n]{1,48}?(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:)")


def detect_format(text: str, name: str = "") -> Format:
    """By the file's extension first, then by its content."""
    lower = name.lower()
    if lower.endswith(".vtt"):
        return "vtt"
    if lower.endswith(".srt"):
        return "srt"
    head = text.lstrip("\ufeff \n\t")
    if head.startswith("WEBVTT"):
        return "vtt"
    lines = [ln for ln in head.split("\n")[:4] if ln.strip()]
    if len(lines) >= 2 and lines[0].strip().isdigit() and _SRT_TIMING.match(lines[1]):
        return "srt"
    if lower.endswith((".md", ".markdown")) or any(_MD_LABEL.match(ln) for ln in text.split("\n")[:400]):
        return "markdown"
    return "plain"


# A timestamp as meeting tools write it: 00:01:23, 1:23, 01:23.456, 10:32 AM, 10:32:05 p.m.
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?(?:\s?[AaPp]\.?[Mm]\.?)?"
_LABEL_WORD = r"[^\W\d_][\w.'’\-]*"
_LABEL = rf"{_LABEL_WORD}(?:[ \t]+(?:{_LABEL_WORD}|\d{{1,2}})){{0,3}}"
# "[00:01:23] Jane Doe: text", "00:01:23 - Jane: text", "Jane (00:01:23): text", "Jane: text"
_INLINE = regexes.compile(
    rf"^[ \t]*(?:[\[(]?(?P<ts>{_TIME})[\])]?[ \t]*[-–|]?[ \t]*)?(?P<label>{_LABEL})"
    rf"[ \t]*(?:[\[(](?P<ts2>{_TIME})[\])])?[ \t]*:(?:[ \t]+|$)(?P<text>.*)$"
)
# "Jane Doe  10:32 AM" or "[10:32 AM] Jane Doe" or "Jane Doe (00:03)" alone on a line: the words follow below.
_HEADER = regexes.compile(
    rf"^[ \t]*(?:(?P<label>{_LABEL})[ \t]*(?:[ \t]|[-–|][ \t]*)[\[(]?(?P<ts>{_TIME})[\])]?"
    rf"|[\[(]?(?P<ts2>{_TIME})[\])]?[ \t]*[-–|]?[ \t]*(?P<label2>{_LABEL}))[ \t]*$"
)
_MD_INLINE = regexes.compile(
    r"^[ \t]*(?:>[ \t]*)*(?:[-*+][ \t]+)?(?:\*\*|__)(?P<label>[^*_\n]{1,48}?)"
    r"(?::[ \t]*(?:\*\*|__)|(?:\*\*|__)[ \t]*:)[ \t]*(?P<text>.*)$"
)
_MD_HEADING = regexes.compile(
    r"^[ \t]*#{1,6}[ \t]+(?:\*\*|__)?(?P<label>[^#*_\n]{1,48}?)(?:\*\*|__)?[ \t]*:?[ \t]*#*[ \t]*$"
)

INTERVIEWER_WORDS = {
    "interviewer", "int", "q", "question", "host", "moderator", "panelist", "panellist", "recruiter",
    "hiring manager", "interviewer 1", "interviewer 2", "interviewer a", "interviewer b",
}  # fmt: skip
CANDIDATE_WORDS = {"candidate", "interviewee", "cand", "a", "answer", "applicant", "cand."}
# Labels that are part of an answer ("Guardrails: …"), never a speaker.
_NOT_SPEAKERS = {
    "guardrail", "guardrails", "guardrail metrics", "counter metric", "counter metrics", "north star",
    "north star metric", "nsm", "metric", "metrics", "kpi", "kpis", "l0", "l1", "l2", "l3", "l4", "level 1",
    "level 2", "level 3", "formula", "equation", "hypothesis", "hypotheses", "note", "notes", "example", "e.g",
    "goal", "goals", "step", "step 1", "step 2", "step 3", "step 4", "first", "second", "third", "then",
    "input", "inputs", "output", "outputs", "leading", "lagging", "tree", "diagnosis", "segments", "segment",
    "why", "so", "ps", "tl;dr", "tldr", "summary", "answer summary", "assumption", "assumptions", "context",
    "drivers", "driver", "owner", "owners", "ai layer", "model layer", "business", "product", "users", "user",
    "supply", "demand", "supply side", "demand side", "root cause", "result", "results", "outcome",
    "decision", "decision rule", "trade-off", "tradeoff", "risk", "risks", "caveat", "edit", "update",
    "http", "https", "mailto", "todo", "warning", "important", "bonus", "recap",
}  # fmt: skip
_MAX_LABEL_CHARS = 40


def norm_label(label: str) -> str:
    return " ".join(label.replace("’", "'").split()).strip(" .").lower()


def role_of(label: str | None) -> Role | None:
    if label is None:
        return None
    n = norm_label(label)
    if n in INTERVIEWER_WORDS or re.fullmatch(r"interviewer(?: \w+)?", n):
        return "interviewer"
    if n in CANDIDATE_WORDS or re.fullmatch(r"candidate(?: \w+)?", n):
        return "candidate"
    return None


def speaker_matches(wanted: str, label: str) -> bool:
    w, n = norm_label(wanted), norm_label(label)
    if not w:
        return False
    return w == n or n.split()[: len(w.split())] == w.split() or w.split()[0] == n


@dataclass(frozen=True)
class _Line:
    n: int
    label: str | None
    rest: str
    stamped: bool  # the label came with a timestamp
    marked: bool  # the label was set off by Markdown (bold or a heading)
    raw: str


def _labelled_lines(lines: Sequence[str], markdown: bool) -> list[_Line]:
    out = []
    for n, raw in enumerate(lines, 1):
        label, rest, stamped, marked = None, raw, False, False
        m = _MD_INLINE.match(raw) if markdown else None
        if m:
            label, rest, marked = m["label"].strip().rstrip(":").strip(), m["text"], True
        elif markdown and (h := _MD_HEADING.match(raw)) and role_of(h["label"]):
            label, rest, marked = h["label"].strip(), "", True
        elif m := _INLINE.match(raw):
            label, rest, stamped = m["label"], m["text"], bool(m["ts"] or m["ts2"])
        elif m := _HEADER.match(raw):
            label, rest, stamped = m["label"] or m["label2"], "", True
        if label is not None and (len(label) > _MAX_LABEL_CHARS or norm_label(label) in _NOT_SPEAKERS):
            label, rest, stamped, marked = None, raw, False, False
        out.append(_Line(n, label, rest, stamped, marked, raw))
    return out


def _speaker_set(rows: list[_Line], markdown: bool, speaker: str | None) -> set[str]:
    """Which labels are speakers. ``Retention: …`` inside an answer is text, not a speaker."""
    counts = Counter(norm_label(r.label) for r in rows if r.label)
    chosen = {norm_label(r.label) for r in rows if r.label and (r.stamped or r.marked)}
    roles = {n for n in counts if role_of(n)}
    chosen |= roles
    if speaker:
        chosen |= {n for n in counts if speaker_matches(speaker, n)}
    if markdown and any(r.marked for r in rows):
        return chosen  # a Markdown transcript marks its speakers; plain "Word:" lines are answer text
    kinds = {role_of(n) for n in roles}
    if kinds == {"interviewer", "candidate"}:
        return chosen  # both roles are labelled: any other label is part of what someone said
    names = {n for n in counts if n not in roles and _title_case(n, rows)}
    recurring = {n for n in names if counts[n] >= 2}
    if roles:
        return chosen | (recurring or names)  # "Interviewer:" and a name for the candidate
    chosen |= recurring
    if len(chosen) < 2:
        chosen |= names
    return chosen


def _title_case(norm: str, rows: list[_Line]) -> bool:
    """Whether the label is written like a name (every word capitalised) somewhere."""
    for r in rows:
        if r.label and norm_label(r.label) == norm:
            if all(w[0].isupper() or w[0].isdigit() for w in r.label.split()):
                return True
    return False


def _label_turns(text: str, markdown: bool, speaker: str | None) -> list[Turn]:
    lines = text.split("\n")
    rows = _labelled_lines(lines, markdown)
    speakers = _speaker_set(rows, markdown, speaker)
    turns: list[Turn] = []
    current: str | None = None
    buf: list[str] = []
    start = 1

    def flush() -> None:
        body = "\n".join(buf).strip()
        if current is not None or body:
            turns.append(Turn(current, body, start))

    for r in rows:
        if r.label is not None and norm_label(r.label) in speakers:
            if buf or current is not None:
                flush()
            current, buf, start = r.label.strip(), [r.rest] if r.rest.strip() else [], r.n
        else:
            if current is None and not buf:
                start = r.n
            buf.append(r.raw)
    flush()
    return [t for t in turns if t.speaker is not None or t.text]


_CUE_TAG = regexes.compile(
    r"</?(?:c|i|b|u|v|ruby|rt|lang|font|span)(?:[.\s][^>]*)?>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>", re.I
)
_VOICE = regexes.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>", re.I)
_ENTITIES = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&nbsp;": " ",
    "&lrm;": "",
    "&rlm;": "",
    "&quot;": '"',
    "&#39;": "'",
}
_SUB_LABEL = regexes.compile(
    rf"^[ \t]*(?:-[ \t]*)?(?:\[(?P<b>{_LABEL})\][ \t]*:?|(?P<label>{_LABEL})[ \t]*:)[ \t]+(?P<text>.*)$"
)


def _unescape_cue(text: str) -> str:
    return re.sub(r"&(?:amp|lt|gt|nbsp|lrm|rlm|quot|#39);", lambda m: _ENTITIES[m.group(0)], text)


def _cue_blocks(text: str, timing: re.Pattern[str]) -> list[tuple[int, list[str]]]:
    """(line of the cue's first text line, its text lines) for every timed cue."""
    lines = text.split("\n")
    cues: list[tuple[int, list[str]]] = []
    i = 0
    while i < len(lines):
        if timing.match(lines[i]):
            j = i + 1
            body = []
            while j < len(lines) and lines[j].strip():
                body.append(lines[j])
                j += 1
            cues.append((i + 2, body))
            i = j
        else:
            i += 1
    return cues


def _subtitle_turns(text: str, fmt: Format, speaker: str | None) -> list[Turn]:
    timing = _VTT_TIMING if fmt == "vtt" else _SRT_TIMING
    pieces: list[tuple[str | None, str, int]] = []
    current: str | None = None
    for line, body in _cue_blocks(text, timing):
        for k, raw in enumerate(body):
            voice = _VOICE.search(raw)
            if voice:
                current = voice.group(1).strip()
            content = _unescape_cue(_CUE_TAG.sub("", _VOICE.sub("", raw))).strip()
            m = _SUB_LABEL.match(content)
            if m:
                label = m["b"] or m["label"]
                if len(label) <= _MAX_LABEL_CHARS and norm_label(label) not in _NOT_SPEAKERS:
                    current, content = label.strip(), m["text"].strip()
            if content:
                pieces.append((current, content, line + k))
    turns: list[Turn] = []
    for who, content, line in pieces:
        if turns and turns[-1].speaker == who:
            last = turns[-1]
            if content == last.text.rsplit("\n", 1)[-1]:
                continue  # rolling captions repeat the previous line
            turns[-1] = Turn(who, f"{last.text} {content}", last.line)
        else:
            turns.append(Turn(who, content, line))
    return turns


def read_turns(text: str, fmt: Format, speaker: str | None = None) -> list[Turn]:
    """The turns of a transcript in order; consecutive turns of one speaker are merged."""
    if fmt in ("vtt", "srt"):
        turns = _subtitle_turns(text, fmt, speaker)
    else:
        turns = _label_turns(text, fmt == "markdown", speaker)
    merged: list[Turn] = []
    for t in turns:
        if merged and t.speaker is not None and merged[-1].speaker is not None:
            if norm_label(merged[-1].speaker) == norm_label(t.speaker):
                prev = merged[-1]
                joined = "\n\n".join(p for p in (prev.text, t.text) if p)
                merged[-1] = Turn(prev.speaker, joined, prev.line)
                continue
        merged.append(t)
    return merged
