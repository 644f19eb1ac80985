"""Transcripts: every format a coach gets, who the candidate is, questions, follow-ups, and bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.coaching import SectionInput, grade_transcript
from coach.result import CriterionResult, GradeResult
from coach.rubric.engine import score, verdict
from coach.rubric.model import load_rubric
from coach.scenarios import load_scenarios
from coach.transcript import (
    SpeakerError,
    TranscriptError,
    clean_question,
    detect_format,
    match_scenario,
    parse_transcript,
    read_turns,
)
from coach.tree import Tree

RUBRIC = load_rubric()
FOLLOW_UPS = [c.follow_up for c in RUBRIC.criteria]

PLAIN = """\
Mock interview, 12 March

Interviewer: Hi Sam, thanks for joining. How are you?
Candidate: Good, thanks!
Interviewer: Great. Let's start. How would you measure success for Spotify?
Candidate: My north star is weekly listening hours.
Weekly listening hours = weekly active listeners × hours per listener.
Guardrails: early skip rate must not get worse.
Interviewer: What would you watch so that optimising this doesn't break something else?
Candidate: Premium churn must not rise either.
Interviewer: Thanks. Next question. Spotify's monthly active users dropped 5% last month. How would you figure out what happened?
Candidate: I'd split MAU into new, retained and resurrected users and check each, then segment by platform.
Interviewer: Do you have any questions for me?
Candidate: What does the team work on?
"""


def parse(text: str, **kwargs):
    kwargs.setdefault("follow_up_texts", FOLLOW_UPS)
    return parse_transcript(text, **kwargs)


def test_plain_labels_give_one_section_per_question_with_follow_ups():
    t = parse(PLAIN, scenarios=load_scenarios())
    assert t.format == "plain"
    assert t.candidate == "Candidate" and t.interviewers == ["Interviewer"]
    assert len(t.sections) == 2
    first, second = t.sections
    assert first.question == "How would you measure success for Spotify?"  # small talk dropped
    assert first.line == 5
    assert first.answer.startswith("My north star is weekly listening hours.")
    assert "Guardrails: early skip rate" in first.answer  # a "Word:" line inside an answer is not a speaker
    assert [f.question for f in first.follow_ups] == [
        "What would you watch so that optimising this doesn't break something else?"
    ]
    assert first.follow_ups[0].answer == "Premium churn must not rise either."
    assert "Premium churn" in first.combined_answer and "Premium churn" not in first.answer
    assert second.question.startswith("Spotify's monthly active users dropped 5%")
    assert second.scenario == "spotify-mau-drop"  # matched to the shipped scenario
    assert second.follow_ups == []
    # "Any questions for me?" ends the interview: the candidate's own questions are not graded
    assert "team work on" not in second.combined_answer
    # "How are you?" is small talk, not the question; "Good, thanks!" is not an answer
    assert "Good, thanks" not in first.combined_answer


def test_names_need_no_role_words_and_speaker_picks_the_candidate():
    text = """\
[00:00:05] Jane Doe: Welcome! How would you measure success for Notion AI, the assistant that drafts and summarizes?
[00:00:20] Sam Lee: I'd pick weekly active AI users as the north star.
Retention: D7 retention of those users.
[00:01:40] Jane Doe: Which model-quality metrics sit upstream?
[00:01:50] Sam Lee: Eval pass rate and hallucination rate.
"""
    t = parse(text, scenarios=load_scenarios())
    assert t.candidate == "Sam Lee" and t.interviewers == ["Jane Doe"]
    assert any("took 'Sam Lee' as the candidate" in n and "--speaker" in n for n in t.notices)
    [s] = t.sections
    assert s.scenario == "notion-ai-success"
    assert "Retention: D7 retention" in s.answer
    assert s.follow_ups[0].answer == "Eval pass rate and hallucination rate."

    # --speaker turns it round (first name is enough), and no guess notice is given
    flipped = parse(text, speaker="jane")
    assert flipped.candidate == "Jane Doe" and not any("took" in n for n in flipped.notices)
    with pytest.raises(SpeakerError, match=r"--speaker 'Bob' is not a speaker.*Jane Doe, Sam Lee"):
        parse(text, speaker="Bob")


@pytest.mark.parametrize(
    "line",
    [
        "[00:01:23] Jane: How would you measure success for Spotify?",
        "00:01:23 Jane: How would you measure success for Spotify?",
        "(01:23) Jane: How would you measure success for Spotify?",
        "Jane (00:01:23): How would you measure success for Spotify?",
        "Jane: How would you measure success for Spotify?",
    ],
)
def test_inline_timestamps(line):
    text = f"{line}\n[00:01:40] Sam: My north star is weekly listening hours.\n"
    turns = read_turns(text, "plain")
    assert [(t.speaker, t.text) for t in turns] == [
        ("Jane", "How would you measure success for Spotify?"),
        ("Sam", "My north star is weekly listening hours."),
    ]


def test_meeting_export_header_lines():
    text = """\
Jane Doe  10:32 AM
How would you measure success for Netflix games?

Sam Lee  10:33 AM
The north star is weekly game players.
It splits into new and returning players.

Jane Doe  10:35 AM
Any guardrails?

[10:36 AM] Sam Lee
Streaming hours per member must not drop.
"""
    t = parse(text, speaker="Sam Lee")
    [s] = t.sections
    assert s.question == "How would you measure success for Netflix games?"
    assert s.answer == "The north star is weekly game players.\nIt splits into new and returning players."
    assert s.follow_ups[0].question == "Any guardrails?"
    assert s.follow_ups[0].answer == "Streaming hours per member must not drop."


VTT = """\
WEBVTT

NOTE exported by the meeting tool

1
00:00:01.000 --> 00:00:04.000
<v Jane Doe>How would you measure success for Spotify?</v>

2
00:00:04.500 --> 00:00:09.000
<v Sam Lee>My north star is listening hours &lt;script&gt;alert(1)&lt;/script&gt;.</v>

3
00:00:09.000 --> 00:00:12.000
<v.loud Sam Lee><i>Hours</i> = users × hours per user.

4
00:00:12.000 --> 00:00:14.000
<v Jane Doe>What guardrails?

5
00:00:14.000 --> 00:00:16.000
<v Sam Lee>Skip rate and churn.
"""


def test_webvtt_voice_tags_merge_cues_and_unescape_entities():
    assert detect_format(VTT) == "vtt"
    t = parse(VTT, speaker="Sam")
    [s] = t.sections
    assert s.question == "How would you measure success for Spotify?"
    # cue tags go, entities become the characters they stand for (reports escape them again)
    assert s.answer == "My north star is listening hours <script>alert(1)</script>. Hours = users × hours per user."
    assert s.follow_ups[0].answer == "Skip rate and churn."
    assert s.line == 7


SRT = """\
1
00:00:01,000 --> 00:00:04,000
Interviewer: How would you measure success for Spotify?

2
00:00:04,500 --> 00:00:09,000
Candidate: My north star is listening hours.

3
00:00:09,000 --> 00:00:12,000
Hours = users × hours per user.

4
00:00:12,500 --> 00:00:14,000
- [Interviewer] Which guardrails?

5
00:00:14,000 --> 00:00:16,000
Candidate: Skip rate and churn.
"""


def test_srt_labels_and_unlabelled_cues_continue_the_speaker():
    assert detect_format(SRT) == "srt" and detect_format("x", "talk.SRT") == "srt"
    t = parse(SRT)
    [s] = t.sections
    assert s.answer == "My north star is listening hours. Hours = users × hours per user."
    assert s.follow_ups[0].question == "Which guardrails?"
    assert s.follow_ups[0].answer == "Skip rate and churn."


MARKDOWN = """\
# Mock interview

**Interviewer:** How would you measure success for Spotify?

**Candidate:** My north star is listening hours.

- Hours = users × hours per user
- **Guardrails:** skip rate, churn
Note: this line is part of the answer.

**Interviewer**: Why those guardrails?

**Candidate**: They catch padding.
"""


def test_markdown_bold_labels():
    assert detect_format(MARKDOWN) == "markdown"
    t = parse(MARKDOWN)
    assert t.interviewers == ["Interviewer"]  # the "# Mock interview" heading is not a speaker
    [s] = t.sections
    assert s.question == "How would you measure success for Spotify?"
    assert "- **Guardrails:** skip rate, churn" in s.answer  # bold inside an answer stays the candidate's
    assert "Note: this line is part of the answer." in s.answer
    assert s.follow_ups[0].answer == "They catch padding."


def test_q_and_a_labels_and_a_clarifying_question():
    text = """\
Q: How would you measure success for Spotify?
A: Is this for the free tier or premium?
Q: Both. What would you pick?
A: Weekly listening hours is my north star.
"""
    [s] = parse(text).sections
    assert s.answer == "Weekly listening hours is my north star."  # the clarification is not graded
    assert s.follow_ups == []  # the interviewer's reply to a clarifying question is not a follow-up


def test_a_follow_up_that_sounds_like_a_question_stays_a_follow_up():
    text = """\
Interviewer: How would you measure success for Spotify?
Candidate: My north star is weekly listening hours.
Interviewer: If that metric dropped 10% next week, where would you look first, and what would you look at next?
Candidate: New versus retained listeners, then by platform.
"""
    [s] = parse(text).sections
    assert len(s.follow_ups) == 1


def test_a_new_standalone_question_opens_a_section_without_a_transition_word():
    text = """\
Interviewer: How would you measure success for Spotify?
Candidate: My north star is weekly listening hours.
Interviewer: Etsy's search-to-purchase conversion fell 6% week over week. How would you investigate?
Candidate: I'd split conversion by query type.
"""
    t = parse(text, scenarios=load_scenarios())
    assert [s.question[:20] for s in t.sections] == ["How would you measur", "Etsy's search-to-pur"]
    assert t.sections[1].scenario == "etsy-ai-search-conversion-drop"


def test_scenario_matching_needs_the_product_name():
    scenarios = load_scenarios()
    assert match_scenario("So, Spotify MAU fell 5% last month, why?", scenarios) == "spotify-mau-drop"
    assert match_scenario("How would you measure success for Spotify?", scenarios) is None
    assert match_scenario("How would you measure success for Amazon Prime?", scenarios) == "amazon-prime-north-star"
    # the same product, but a metric that moved: a different question
    assert match_scenario("Amazon Prime renewals fell 4% this quarter. Why?", scenarios) is None
    assert clean_question("Hi! Thanks for coming. Next question. What is Figma's north star?") == (
        "What is Figma's north star?"
    )


# --- bad input -----------------------------------------------------------------------------------


def test_no_speaker_labels_is_a_clear_error():
    with pytest.raises(TranscriptError, match="no speaker labels found"):
        parse("My north star is weekly listening hours.\nIt splits into new and retained listeners.")


def test_empty_and_interviewer_only_transcripts():
    with pytest.raises(TranscriptError, match="empty"):
        parse(" \n\n")
    with pytest.raises(TranscriptError, match="only the interviewer"):
        parse("Interviewer: How would you measure success for Spotify?\nInterviewer: Anyone there?\n")


def test_no_question_found_gives_no_sections():
    t = parse("Interviewer: Welcome.\nCandidate: My north star is weekly listening hours.\n")
    assert t.sections == []


def test_an_empty_candidate_turn_is_skipped_with_a_notice_and_an_unanswered_question_is_noted():
    text = """\
Interviewer: How would you measure success for Spotify?
Candidate:
Interviewer: Take your time. What's your north star?
Candidate: Weekly listening hours.
Interviewer: Next question: what north star would you pick for Figma?
Candidate:
"""
    t = parse(text)
    assert t.sections[0].answer == "Weekly listening hours."
    assert t.sections[1].combined_answer == ""
    assert any("empty candidate turn" in n for n in t.notices)
    assert any("question 2" in n and "no answer" in n for n in t.notices)


def test_several_candidate_labels_are_ambiguous():
    with pytest.raises(SpeakerError, match="several candidate labels"):
        parse("Interviewer: How would you measure it?\nCandidate 1: MAU.\nCandidate 2: DAU.\n")


# --- grading: prompted follow-ups ------------------------------------------------------------------


def keyword_grader(answer: str, *, question="", scenario=None, kind=None, ai_product=None, answer_id=None, tree=None):
    """North star when 'north star' is said, guardrails when 'guardrail' is said twice."""
    rubric = RUBRIC
    checks = {"north_star": "north star" in answer.lower(), "guardrails": answer.lower().count("guardrail") >= 2}
    criteria = []
    for spec in rubric.criteria:
        if spec.applies != "always":
            criteria.append(CriterionResult(id=spec.id, status="not_applicable", core=spec.core))
        else:
            ok = checks.get(spec.id, True)
            criteria.append(CriterionResult(id=spec.id, status="pass" if ok else "fail", core=spec.core))
    return GradeResult(
        id=answer_id,
        verdict=verdict(criteria),
        score=score(criteria, rubric),
        criteria=criteria,
        tree=tree or Tree(),
        feedback="Feedback.",
        question=question,
    )


def test_a_guardrail_named_only_after_the_nudge_counts_and_is_marked_prompted():
    text = """\
Interviewer: How would you measure success for Spotify?
Candidate: My north star is weekly listening hours. One guardrail: skip rate.
Interviewer: What else would you watch?
Candidate: A second guardrail: premium churn.
"""
    t = parse(text)
    [g] = grade_transcript(t, [SectionInput(t.sections[0].question)], keyword_grader, base_id="mock", rubric=RUBRIC)
    guard = g.result.criterion("guardrails")
    assert guard.status == "pass" and guard.prompted
    assert not g.result.criterion("north_star").prompted  # passed in the first answer already
    assert g.result.verdict == "strong_hire"
    assert "Prompted (met only after the follow-up): Two guardrail metrics" in g.result.feedback
    assert g.result.id == "mock"


def test_each_question_is_graded_on_its_own_with_its_own_id():
    t = parse(PLAIN)
    graded = grade_transcript(
        t, [SectionInput(s.question) for s in t.sections], keyword_grader, base_id="mock", rubric=RUBRIC
    )
    assert [g.result.id for g in graded] == ["mock-q1", "mock-q2"]
    assert [g.result.question[:10] for g in graded] == ["How would ", "Spotify's "]


LINES = st.sampled_from(
    [
        "Interviewer: How would you measure success for Spotify?",
        "Candidate: My north star is weekly listening hours.",
        "Jane Doe  10:32 AM",
        "[00:01:23] Sam: Guardrails: churn.",
        "**Interviewer:** Next question: what north star for Figma?",
        "WEBVTT",
        "00:00:01.000 --> 00:00:04.000",
        "<v Jane>Any guardrails?",
        "1",
        "00:00:01,000 --> 00:00:02,000",
        "Q: Why?",
        "A:",
        "",
        "# Heading",
        "Do you have any questions for me?",
    ]
)


@given(st.lists(st.one_of(LINES, st.text(max_size=40)), max_size=25), st.sampled_from(["", "t.vtt", "t.srt", "t.md"]))
@settings(max_examples=150, deadline=None)
def test_any_text_parses_or_fails_with_a_coach_error(lines, name):
    from coach.errors import CoachError

    try:
        t = parse_transcript("\n".join(lines), name=name, follow_up_texts=FOLLOW_UPS)
    except CoachError as exc:
        assert exc.message and exc.exit_code in (2, 3)
        return
    for s in t.sections:
        assert s.question and s.index >= 1


def test_only_interviewer_speakers_is_a_clear_error():
    from coach.errors import CoachError

    with pytest.raises(CoachError, match="no candidate answer"):
        parse_transcript("Interviewer: How would you measure success for Spotify?\nQ: Why?", follow_up_texts=FOLLOW_UPS)
