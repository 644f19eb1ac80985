"""The model layer: better reading of messy answers and coach-quality feedback, never at the offline path's cost.

Importing this package imports neither langchain nor openai; only a request
that actually goes out does (``coach.llm.client.LangchainClient``). Public
entry points, loaded lazily:

- ``grade_with_model`` / ``agrade_with_model`` / ``ModelRunner`` (``coach.llm.pipeline``)
- ``iter_grade_many`` / ``agrade_many`` / ``GradeRequest`` (``coach.llm.batch``)
- ``tree_parser`` / ``feedback_writer`` and the ``TreeParser`` / ``FeedbackWriter`` protocols (``coach.llm.interface``)
- ``run_provider_batch`` (``coach.llm.provider_batch``): the OpenAI Batch API path, resumable
- ``check_model`` (``coach.llm.client``): fail fast on an unusable ``--model``
- ``list_calls`` / ``totals_by_model`` (``coach.llm.store``): for ``coach log``
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "grade_with_model": "coach.llm.pipeline",
    "agrade_with_model": "coach.llm.pipeline",
    "agrade_detailed": "coach.llm.pipeline",
    "ModelGrade": "coach.llm.pipeline",
    "ModelRunner": "coach.llm.pipeline",
    "iter_grade_many": "coach.llm.batch",
    "agrade_many": "coach.llm.batch",
    "GradeRequest": "coach.llm.batch",
    "RequestOutcome": "coach.llm.batch",
    "RunStats": "coach.llm.session",
    "ModelSession": "coach.llm.session",
    "TreeParser": "coach.llm.interface",
    "FeedbackWriter": "coach.llm.interface",
    "tree_parser": "coach.llm.interface",
    "feedback_writer": "coach.llm.interface",
    "check_model": "coach.llm.client",
    "run_provider_batch": "coach.llm.provider_batch",
    "arun_provider_batch": "coach.llm.provider_batch",
    "BatchEvent": "coach.llm.provider_batch",
    "list_calls": "coach.llm.store",
    "totals_by_model": "coach.llm.store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coach.llm' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
