"""Mock-interview transcripts → turns → one section per question (question, answer, follow-ups).

Pure functions over text, no I/O and no grading, in two steps:

- ``coach.transcript.turns``: the formats (plain text with speaker labels,
  WebVTT, SRT, Markdown) read into turns, who said what in order;
- ``coach.transcript.sections``: who is the candidate, then the turns split
  into one section per question, follow-ups marked; ``parse_transcript`` runs
  both steps.

The names other modules use are re-exported here.
"""

from coach.transcript.sections import (
    Cast,
    FollowUpTurn,
    Section,
    SpeakerError,
    Transcript,
    TranscriptError,
    assign_roles,
    clean_question,
    match_scenario,
    parse_transcript,
    question_similarity,
    split_sections,
    whole_answer,
)
from coach.transcript.turns import (
    CANDIDATE_WORDS,
    INTERVIEWER_WORDS,
    Format,
    Role,
    Turn,
    detect_format,
    read_turns,
)

__all__ = [
    "CANDIDATE_WORDS",
    "INTERVIEWER_WORDS",
    "Cast",
    "FollowUpTurn",
    "Format",
    "Role",
    "Section",
    "SpeakerError",
    "Transcript",
    "TranscriptError",
    "Turn",
    "assign_roles",
    "clean_question",
    "detect_format",
    "match_scenario",
    "parse_transcript",
    "question_similarity",
    "read_turns",
    "split_sections",
    "whole_answer",
]
