"""Against a real endpoint: runs only when COACH_LIVE_MODEL is set (e.g. openai:gpt-4.1-mini).

The usual variables apply: OPENAI_API_KEY, OPENAI_BASE_URL for a local
OpenAI-compatible server. Example:

    COACH_LIVE_MODEL=openai:gpt-4.1-mini OPENAI_API_KEY=... .venv/bin/pytest -m live tests/test_llm_live.py
"""

from __future__ import annotations

import os

import pytest
from fake_openai import SAMPLE_ANSWER, SAMPLE_QUESTION

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not os.environ.get("COACH_LIVE_MODEL"), reason="set COACH_LIVE_MODEL to run against a model"),
]


def test_live_grade(tmp_path, monkeypatch):
    from coach.grade import grade
    from coach.llm.pipeline import agrade_detailed
    from coach.llm.session import run_sync
    from coach.settings import load_settings

    monkeypatch.setenv("COACH_HOME", str(tmp_path))
    settings = load_settings({"model": os.environ["COACH_LIVE_MODEL"], "cache": False, "timeout": 120})
    tokens: list[str] = []
    graded = run_sync(
        lambda: agrade_detailed(SAMPLE_ANSWER, question=SAMPLE_QUESTION, settings=settings, on_token=tokens.append)
    )
    result = graded.result
    assert result.parser == "llm", result.notice
    assert result.tree.north_star is not None
    for item in [*result.tree.nodes, *result.tree.links]:
        for ev in item.evidence:
            assert SAMPLE_ANSWER[ev.start : ev.end] == ev.quote
    # The verdict is the engine's on that tree.
    assert result.verdict == grade(SAMPLE_ANSWER, question=SAMPLE_QUESTION, tree=result.tree).verdict
    assert result.feedback.strip() and tokens
