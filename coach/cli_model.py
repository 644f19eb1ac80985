"""The model options every grading command shares, and the grader they select.

Commands declare ``model: ModelOpt = None, offline: OfflineOpt = False,
timeout: TimeoutOpt = None, no_cache: NoCacheOpt = False`` and call
``make_grader(model, offline, timeout, no_cache)``; the grader they get back
takes the same keyword arguments as ``coach.grade.grade``. Without a model
(the default) it IS ``coach.grade.grade``.

Only typer is imported at the top: the offline path must load neither
langchain nor openai, and ``coach score`` has to start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Protocol

import typer

if TYPE_CHECKING:
    from coach.result import GradeResult
    from coach.scenarios import Scenario
    from coach.settings import Settings
    from coach.tree import Tree
    from coach.vocabulary import Kind

ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        metavar="NAME",
        help="Grade with this model, named as langchain's init_chat_model names it ('openai:gpt-4.1-mini'). "
        "[default: COACH_MODEL or the config file; openai:gpt-4.1-mini when OPENAI_API_KEY is set; else offline]",
        show_default=False,
    ),
]
OfflineOpt = Annotated[
    bool,
    typer.Option("--offline", help="Grade offline even when a model or API key is configured."),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        help="Seconds per model request before it counts as timed out.  [default: 60]",
        show_default=False,
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option("--no-cache", help="Send every model request; do not answer from the cache."),
]


class Grader(Protocol):
    """What ``make_grader`` returns: ``coach.grade.grade``'s keyword signature."""

    def __call__(
        self,
        answer: str,
        *,
        question: str = "",
        scenario: Scenario | None = None,
        kind: Kind | None = None,
        ai_product: bool | None = None,
        answer_id: str | None = None,
        tree: Tree | None = None,
    ) -> GradeResult: ...


def model_settings(
    model: str | None = None,
    offline: bool = False,
    timeout: float | None = None,
    no_cache: bool = False,
    *,
    jobs: int | None = None,
) -> Settings:
    """The settings in force with these flags on top of the environment and the config file.

    A flag left at its default counts as "not given", so the environment and the config file still apply.
    """
    from coach.settings import load_settings

    return load_settings(
        {
            "model": model,
            "offline": True if offline else None,
            "timeout": timeout,
            "cache": False if no_cache else None,
            "jobs": jobs,
        }
    )


def grader_for(settings: Settings) -> Grader:
    """``coach.grade.grade`` offline; otherwise a grader through the model that falls back to offline on failure.

    Raises ``CoachError`` (exit 2) at once when the model cannot be built (unknown provider, missing package),
    so a typo in ``--model`` is an error rather than a silent offline run.
    """
    if not settings.use_model:
        from coach.grade import grade

        return grade

    from coach.llm.client import check_model

    check_model(settings)

    from functools import partial

    from coach.llm.pipeline import grade_with_model

    # grade_with_model takes grade()'s keywords plus the settings: bind them once.
    return partial(grade_with_model, settings=settings)


def make_grader(
    model: str | None = None,
    offline: bool = False,
    timeout: float | None = None,
    no_cache: bool = False,
) -> Grader:
    """The grader for these command-line flags (see ``grader_for``)."""
    return grader_for(model_settings(model, offline, timeout, no_cache))
