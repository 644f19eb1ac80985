"""Mock-interview transcripts → turns → one section per question (question, answer, follow-ups).

Pure functions over text, no I/O and no grading. The formats a coach gets
from a meeting tool or writes by hand:

- plain text with speaker labels: ``Interviewer: …`` / ``Candidate: …``, names
  (``Jane Doe: …``), ``Q:`` / ``A:``, with or without timestamps
  (``[00:01:23] Jane: …``, ``00:01:23 Jane: …``, ``Jane (00:01:23): …``), and
  the header-line style of meeting exports (``Jane Doe  10:32 AM`` on its own
  line, the words below it; ``[10:32 AM] Jane Doe`` likewise);
- WebVTT (``<v Jane Doe>`` voice tags or ``Jane: `` labels in the cues);
- SRT (``Jane: `` labels in the cues; a cue without one continues the speaker);
- Markdown (``**Interviewer:** …``, ``**Jane**: …``, ``### Interviewer``).

``split_sections`` walks the turns: an interviewer turn that asks something
opens a question; the candidate's turns after it are the answer; a later
interviewer question is a follow-up (it is graded with the answer, and what it
alone brought is marked prompted) unless it is plainly a new question (a
transition such as "next question", a different shipped scenario, or a
stand-alone metrics question that does not refer back), which opens a new
section.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from coach import regexes
from coach.errors import EXIT_USAGE, CoachError, InputError

Format = Literal["plain", "markdown", "vtt", "srt"]
Role = Literal["interviewer", "candidate"]


class TranscriptError(InputError):
    """The transcript cannot be read as an interview (exit 3): no labels, no question, no candidate."""


class SpeakerError(CoachError):
    """``--speaker`` names nobody in the transcript (a usage error, exit 2)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Turn:
    """What one speaker said without interruption; ``speaker`` is the label as written (None when unlabelled)."""

    speaker: str | None
    text: str
    line: int


@dataclass
class FollowUpTurn:
    question: str
    answer: str = ""
    line: int = 0


@dataclass
class Section:
    """One question: what the interviewer asked, the candidate's first answer, and the follow-ups."""

    index: int
    question: str
    line: int
    answer: str = ""
    follow_ups: list[FollowUpTurn] = field(default_factory=list)
    scenario: str | None = None  # a shipped scenario id the question matches

    @property
    def combined_answer(self) -> str:
        parts = [self.answer.strip()] + [f.answer.strip() for f in self.follow_ups]
        return "\n\n".join(p for p in parts if p)

    @property
    def has_follow_up_answer(self) -> bool:
        return any(f.answer.strip() for f in self.follow_ups)


@dataclass
class Transcript:
    format: Format
    turns: list[Turn]
    candidate: str
    interviewers: list[str]
    sections: list[Section]
    notices: list[str] = field(default_factory=list)


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


def _norm_label(label: str) -> str:
    return " ".join(label.replace("’", "'").split()).strip(" .").lower()


def _role_of(label: str | None) -> Role | None:
    if label is None:
        return None
    n = _norm_label(label)
    if n in INTERVIEWER_WORDS or re.fullmatch(r"interviewer(?: \w+)?", n):
        return "interviewer"
    if n in CANDIDATE_WORDS or re.fullmatch(r"candidate(?: \w+)?", n):
        return "candidate"
    return None


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
        elif markdown and (h := _MD_HEADING.match(raw)) and _role_of(h["label"]):
            label, rest, marked = h["label"].strip(), "", True
        elif m := _INLINE.match(raw):
            label, rest, stamped = m["label"], m["text"], bool(m["ts"] or m["ts2"])
        elif m := _HEADER.match(raw):
            label, rest, stamped = m["label"] or m["label2"], "", True
        if label is not None and (len(label) > _MAX_LABEL_CHARS or _norm_label(label) in _NOT_SPEAKERS):
            label, rest, stamped, marked = None, raw, False, False
        out.append(_Line(n, label, rest, stamped, marked, raw))
    return out


def _speaker_set(rows: list[_Line], markdown: bool, speaker: str | None) -> set[str]:
    """Which labels are speakers. ``Retention: …`` inside an answer is text, not a speaker."""
    counts = Counter(_norm_label(r.label) for r in rows if r.label)
    chosen = {_norm_label(r.label) for r in rows if r.label and (r.stamped or r.marked)}
    roles = {n for n in counts if _role_of(n)}
    chosen |= roles
    if speaker:
        chosen |= {n for n in counts if _speaker_matches(speaker, n)}
    if markdown and any(r.marked for r in rows):
        return chosen  # a Markdown transcript marks its speakers; plain "Word:" lines are answer text
    kinds = {_role_of(n) for n in roles}
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
        if r.label and _norm_label(r.label) == norm:
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
        if r.label is not None and _norm_label(r.label) in speakers:
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
                if len(label) <= _MAX_LABEL_CHARS and _norm_label(label) not in _NOT_SPEAKERS:
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
            if _norm_label(merged[-1].speaker) == _norm_label(t.speaker):
                prev = merged[-1]
                joined = "\n\n".join(p for p in (prev.text, t.text) if p)
                merged[-1] = Turn(prev.speaker, joined, prev.line)
                continue
        merged.append(t)
    return merged


# --- who is who ------------------------------------------------------------------------------


def _speaker_matches(wanted: str, label: str) -> bool:
    w, n = _norm_label(wanted), _norm_label(label)
    if not w:
        return False
    return w == n or n.split()[: len(w.split())] == w.split() or w.split()[0] == n


@dataclass(frozen=True)
class Cast:
    candidate: str
    interviewers: list[str]
    notice: str | None = None


def _asks(text: str) -> bool:
    """Whether an interviewer turn asks something (small talk such as "How are you?" does not count)."""
    text = _SMALL_TALK.sub(" ", text)
    return bool(_QUESTION_MARK.search(text) or _IMPERATIVE.search(text))


def assign_roles(turns: Sequence[Turn], speaker: str | None = None) -> Cast:
    """Which label is the candidate: ``--speaker``, a role word, or (names only) who did not ask first."""
    labels: dict[str, str] = {}
    words: Counter[str] = Counter()
    for t in turns:
        if t.speaker is None:
            continue
        key = _norm_label(t.speaker)
        labels.setdefault(key, t.speaker)
        words[key] += len(t.text.split())
    if not labels:
        raise TranscriptError(
            "no speaker labels found: expected turns such as 'Interviewer: …' and 'Candidate: …' "
            "(or names, WebVTT voice tags, 'Name:' in subtitles). To grade a plain answer, use "
            "`coach score FILE --question …`, or give --question / --scenario to grade the whole file as the answer"
        )
    shown = ", ".join(labels[k] for k in labels)
    if speaker is not None:
        hits = [k for k in labels if _speaker_matches(speaker, k)]
        if not hits:
            raise SpeakerError(f"--speaker {speaker!r} is not a speaker in the transcript (speakers: {shown})")
        if len(hits) > 1:
            exact = [k for k in hits if k == _norm_label(speaker)]
            if len(exact) != 1:
                names = ", ".join(labels[k] for k in hits)
                raise SpeakerError(f"--speaker {speaker!r} matches several speakers ({names}); give the full label")
            hits = exact
        cand = hits[0]
        return Cast(labels[cand], [labels[k] for k in labels if k != cand])
    roles = {k: _role_of(k) for k in labels}
    cands = [k for k, r in roles.items() if r == "candidate"]
    if len(cands) == 1:
        return Cast(labels[cands[0]], [labels[k] for k in labels if k != cands[0]])
    if len(cands) > 1:
        raise SpeakerError(f"several candidate labels ({', '.join(labels[k] for k in cands)}); pick one with --speaker")
    if len(labels) == 1:
        only = next(iter(labels))
        if roles[only] == "interviewer":
            raise TranscriptError("the transcript has only the interviewer's turns: no candidate answer to grade")
        return Cast(labels[only], [], f"only one speaker ({labels[only]}): took them as the candidate")
    asker = next((_norm_label(t.speaker) for t in turns if t.speaker and _asks(t.text)), None)
    interviewer_roles = [k for k, r in roles.items() if r == "interviewer"]
    if interviewer_roles:
        others = [k for k in labels if k not in interviewer_roles]
        if not others:
            raise TranscriptError("every speaker is an interviewer: no candidate answer to grade")
        cand = max(others, key=lambda k: words[k])
        why = (
            "the one speaker who is not the interviewer"
            if len(others) == 1
            else "the other speaker with the most words"
        )
    else:
        others = [k for k in labels if k != asker] or list(labels)
        cand = max(others, key=lambda k: words[k])
        who = labels[asker] if asker else "nobody"
        why = f"{who} asked the first question" + ("" if len(others) == 1 else f"; {labels[cand]} said the most")
    notice = f"took {labels[cand]!r} as the candidate ({why}); use --speaker NAME to choose (speakers: {shown})"
    return Cast(labels[cand], [labels[k] for k in labels if k != cand], notice)


# --- questions and sections -------------------------------------------------------------------

_QUESTION_MARK = regexes.compile(r"\?")
_SMALL_TALK = regexes.compile(
    r"[^.!?]*\b(?:how are you|how's it going|how is it going|how have you been|can you hear me|are you ready|"
    r"ready to (?:start|begin|go)|shall we (?:start|begin)|any questions for (?:me|us)|questions for (?:me|us)|"
    r"sound good|does that make sense|make sense|is that ok(?:ay)?|all good)\b[^.!?]*[.!?]?",
    re.I,
)
_IMPERATIVE = regexes.compile(
    r"\b(?:walk me through|tell me|talk me through|take me through|explain|diagnose|design|define|"
    r"how would you|what would you|what's your|what is your|describe|pick|choose|estimate)\b",
    re.I,
)
_TRANSITION = regexes.compile(
    r"\b(?:(?:next|second|third|fourth|another|new|last|final|different|other)\s+(?:question|one|scenario|case|"
    r"topic|problem|prompt|exercise)|moving on|let'?s move on|move on to|switch(?:ing)? gears|change of topic|"
    r"question\s+(?:two|three|four|2|3|4)|on to (?:the )?next)\b",
    re.I,
)
_MAIN_QUESTION = regexes.compile(
    r"\bhow (?:would|do|will|should|can) (?:you|we) (?:measure|evaluate|define|know|tell|judge|assess|track|think about)"
    r"\b.*\b(?:success|working|performing|doing|health|impact)|\bnorth[- ]star\b|\bwhat (?:metrics?|kpis?)\b|"
    r"\b(?:dropp?ed|fell|fallen|declined|decreased|is down|are down|went down|spiked|is up|are up|went up|rose|"
    r"grew|jumped)\b.*\b(?:why|what happened|investigate|diagnos\w*|figure out|find out|what(?:'s| is) going on|"
    r"how (?:would|do) you|root cause|what would you do)",
    re.I | re.S,
)
_WRAP_UP = regexes.compile(
    r"\b(?:any questions for (?:me|us)|questions for (?:me|us)|that'?s (?:all|it) (?:for|from) (?:me|today|us)|"
    r"we'?re (?:out of|at) time|thanks? (?:you )?for your time|let'?s wrap up|wrap(?:ping)? (?:it )?up)\b",
    re.I,
)
_REFERS_BACK = regexes.compile(
    r"\b(?:your (?:tree|answer|north star|metric|metrics|guardrails?|drivers?|framework|diagnosis)|you mentioned|"
    r"you said|you talked|you brought up|earlier|if that|that metric|those metrics|those|what about|what else|"
    r"anything else|follow[- ]?up|going back|back to|in your|and how|and what|also)\b",
    re.I,
)
_PLEASANTRY = regexes.compile(
    r"^(?:hi|hello|hey|thanks|thank you|great|good|ok(?:ay)?|cool|sure|alright|all right|welcome|nice|perfect|"
    r"awesome|so|right|let'?s (?:get started|begin|start|dive in|jump in|kick off)|(?:first|next|second|third|"
    r"another|last|final) (?:question|one)|moving on|let'?s move on|switching gears)\b[^?]*?(?:[.!:]|$)",
    re.I,
)
_GENERIC = set(
    """a an the and or but of for to in on at by with from as is are was were be been it its it's this that these those
    what which who how why when where would you your we our us i me my do does did can could should will shall
    measure measuring success successful metric metrics north star walk through think about tell let let's so
    whether if there their them they one single pick choose set sits sit under beneath underneath tree drivers
    after since last this week month quarter year past over please go ahead figure out happened investigate
    diagnose diagnosis approach get start s t""".split()
)


def _tokens(text: str) -> list[str]:
    toks = re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'s", ""))
    return [t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t for t in toks]


def _content(text: str) -> set[str]:
    return {t for t in _tokens(text) if t not in _GENERIC}


def question_similarity(a: str, b: str) -> float:
    """How alike two questions are in their content words (0 … 1): the share of the shorter one's words shared."""
    ca, cb = _content(a), _content(b)
    if not ca or not cb:
        return 0.0
    shared = ca & cb
    if len(shared) < 2:
        return 0.0
    return len(shared) / min(len(ca), len(cb))


def _entities(question: str) -> set[str]:
    """Capitalised words (product and company names) of a scenario question, as content tokens."""
    words = re.findall(r"\b[A-Z][\w&’'-]*", question)
    return {t for w in words for t in _tokens(w) if t not in _GENERIC}


def match_scenario(question: str, scenarios: Iterable[object], threshold: float = 0.5) -> str | None:
    """The id of the shipped scenario whose question this is (paraphrases included), or None.

    It must share a name (Spotify, Etsy …) with the scenario's question, at
    least half of the shorter question's content words, and be the same sort of
    question (a metric that moved, or not).
    """
    from coach.rubric.context import classify

    best, best_score = None, threshold
    words = _content(question)
    change = classify(question).metric_change
    for s in scenarios:
        q = getattr(s, "question", "")
        if (getattr(s, "kind", "") in ("metric_drop", "conflicting_metrics")) != change:
            continue  # a metric that moved is a different question from "how would you measure it"
        ents = _entities(q) | _entities(getattr(s, "title", ""))
        if ents and not (ents & words):
            continue
        sim = question_similarity(question, q)
        if not ents:
            sim -= 0.25  # no name to anchor the match: ask for more shared words
        if sim >= best_score:
            best, best_score = getattr(s, "id", None), sim
    return best


def clean_question(text: str) -> str:
    """The question without the small talk in front of it ("Thanks! Next question. How would you …?")."""
    sentences = re.split(r"(?<=[.!?:])\s+", text.strip())
    while len(sentences) > 1 and _PLEASANTRY.match(sentences[0]) and "?" not in sentences[0]:
        sentences.pop(0)
    return " ".join(sentences).strip()


def _is_new_question(text: str, current: Section, scenarios: Sequence[object], follow_up_texts: Sequence[str]) -> bool:
    if _TRANSITION.search(text):
        return True
    matched = match_scenario(clean_question(text), scenarios)
    if matched is not None and matched != current.scenario:
        return True
    if any(question_similarity(text, f) >= 0.6 for f in follow_up_texts):
        return False
    return (
        bool(_MAIN_QUESTION.search(text))
        and not _REFERS_BACK.search(text)
        and (question_similarity(text, current.question) < 0.5)
    )


def _is_clarifying(text: str) -> bool:
    return text.rstrip().endswith("?") and len(text.split()) < 40


def split_sections(
    turns: Sequence[Turn],
    cast: Cast,
    *,
    scenarios: Sequence[object] = (),
    follow_up_texts: Sequence[str] = (),
) -> tuple[list[Section], list[str]]:
    """One section per question; returns the sections and notices about what was left out."""
    cand = _norm_label(cast.candidate)
    sections: list[Section] = []
    notices: list[str] = []
    current: Section | None = None
    before_words = 0
    awaiting_clarification = False
    for t in turns:
        is_candidate = t.speaker is not None and _norm_label(t.speaker) == cand
        if t.speaker is None:
            if current is None:
                continue
            is_candidate = True  # unlabelled text after a question: the candidate still speaking
        if not is_candidate:
            if _WRAP_UP.search(t.text) and current is not None:
                current = None  # the interview is over; what the candidate asks now is not an answer
                continue
            asks = _asks(t.text)
            if current is None:
                if asks:
                    q = clean_question(t.text)
                    current = Section(len(sections) + 1, q, t.line, scenario=match_scenario(q, scenarios))
                    sections.append(current)
                continue
            if not asks:
                continue  # "Great, thanks." or an answer to a clarifying question
            if not current.answer.strip() and not current.follow_ups or awaiting_clarification:
                awaiting_clarification = False
                continue  # the interviewer restating or clarifying before the candidate has answered
            if _is_new_question(t.text, current, scenarios, follow_up_texts):
                q = clean_question(t.text)
                current = Section(len(sections) + 1, q, t.line, scenario=match_scenario(q, scenarios))
                sections.append(current)
            else:
                current.follow_ups.append(FollowUpTurn(t.text.strip(), "", t.line))
            continue
        text = t.text.strip()
        if current is None:
            if not sections:
                before_words += len(text.split())
            continue
        if not text:
            notices.append(f"line {t.line}: an empty candidate turn, skipped")
            continue
        if not current.answer.strip() and not current.follow_ups and _is_clarifying(text):
            awaiting_clarification = True
            continue
        awaiting_clarification = False
        if current.follow_ups:
            fu = current.follow_ups[-1]
            fu.answer = f"{fu.answer}\n\n{text}".strip()
        else:
            current.answer = f"{current.answer}\n\n{text}".strip()
    if before_words >= 20:
        notices.append(f"{before_words} words the candidate said before the first question were not graded")
    for s in sections:
        if not s.combined_answer:
            notices.append(f"question {s.index} (line {s.line}): the candidate gave no answer; graded as empty")
    return sections, notices


def parse_transcript(
    text: str,
    *,
    name: str = "",
    speaker: str | None = None,
    scenarios: Sequence[object] = (),
    follow_up_texts: Sequence[str] = (),
    fmt: Format | None = None,
) -> Transcript:
    """Text → turns → cast → sections. Raises ``TranscriptError`` with a message a coach can act on."""
    if not text.strip():
        raise TranscriptError("the transcript is empty")
    fmt = fmt or detect_format(text, name)
    turns = read_turns(text, fmt, speaker)
    cast = assign_roles(turns, speaker)
    sections, notices = split_sections(turns, cast, scenarios=scenarios, follow_up_texts=follow_up_texts)
    if cast.notice:
        notices.insert(0, cast.notice)
    return Transcript(fmt, list(turns), cast.candidate, cast.interviewers, sections, notices)


def whole_answer(transcript: Transcript) -> str:
    """Every candidate turn, for grading against a given question when no question was found."""
    cand = _norm_label(transcript.candidate)
    parts = [t.text.strip() for t in transcript.turns if t.speaker and _norm_label(t.speaker) == cand]
    return "\n\n".join(p for p in parts if p)
