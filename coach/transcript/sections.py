"""A transcript's turns → who is the candidate → one section per question (question, answer, follow-ups).

``split_sections`` walks the turns: an interviewer turn that asks something
opens a question; the candidate's turns after it are the answer; a later
interviewer question is a follow-up (it is graded with the answer, and what it
alone brought is marked prompted) unless it is plainly a new question (a
transition such as "next question", a different shipped scenario, or a
stand-alone metrics question that does not refer back), which opens a new
section. ``parse_transcript`` runs the whole way from text to sections.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from coach import regexes
from coach.errors import EXIT_USAGE, CoachError, InputError
from coach.transcript.turns import Format, Turn, detect_format, norm_label, read_turns, role_of, speaker_matches


class TranscriptError(InputError):
    """The transcript cannot be read as an interview (exit 3): no labels, no question, no candidate."""


class SpeakerError(CoachError):
    """``--speaker`` names nobody in the transcript (a usage error, exit 2)."""

    exit_code = EXIT_USAGE


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


# --- who is who ------------------------------------------------------------------------------


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
        key = norm_label(t.speaker)
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
        hits = [k for k in labels if speaker_matches(speaker, k)]
        if not hits:
            raise SpeakerError(f"--speaker {speaker!r} is not a speaker in the transcript (speakers: {shown})")
        if len(hits) > 1:
            exact = [k for k in hits if k == norm_label(speaker)]
            if len(exact) != 1:
                names = ", ".join(labels[k] for k in hits)
                raise SpeakerError(f"--speaker {speaker!r} matches several speakers ({names}); give the full label")
            hits = exact
        cand = hits[0]
        return Cast(labels[cand], [labels[k] for k in labels if k != cand])
    roles = {k: role_of(k) for k in labels}
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
    asker = next((norm_label(t.speaker) for t in turns if t.speaker and _asks(t.text)), None)
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
    from coach.vocabulary import METRIC_CHANGE_KINDS

    best, best_score = None, threshold
    words = _content(question)
    change = classify(question).metric_change
    for s in scenarios:
        q = getattr(s, "question", "")
        if (getattr(s, "kind", "") in METRIC_CHANGE_KINDS) != change:
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
    cand = norm_label(cast.candidate)
    sections: list[Section] = []
    notices: list[str] = []
    current: Section | None = None
    before_words = 0
    awaiting_clarification = False
    for t in turns:
        is_candidate = t.speaker is not None and norm_label(t.speaker) == cand
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
    cand = norm_label(transcript.candidate)
    parts = [t.text.strip() for t in transcript.turns if t.speaker and norm_label(t.speaker) == cand]
    return "\n\n".join(p for p in parts if p)
