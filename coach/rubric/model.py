"""The rubric file format (rubrics/*.yaml): which rules run, how they weigh, how they read."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coach.datafiles import load_model, package_data_dir

Applies = Literal["always", "ai_product", "metric_change", "conflicting_metrics"]
CORE_IDS = ("north_star", "hierarchy", "math_vs_causal", "guardrails", "ai_layer", "rca")


class CriterionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="The id of a registered rule.")
    title: str
    core: bool = False
    applies: Applies = "always"
    weight: float = Field(gt=0)
    passes_when: str = Field(description="The bar, in one sentence, as `coach rubric` shows it.")
    fix: str = Field(description="What the candidate should do when it fails, as a coach would say it.")
    follow_up: str = Field(description="The interviewer's nudge aimed at this criterion.")
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    criteria: list[CriterionSpec]
    verdicts: dict[str, str] = Field(description="The verdict table, in words, for display.")

    @model_validator(mode="after")
    def _core_complete(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        missing = [c for c in CORE_IDS if c not in ids]
        if missing:
            raise ValueError(f"core criteria missing: {', '.join(missing)}")
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"criteria listed twice: {', '.join(dupes)}")
        return self

    def spec(self, cid: str) -> CriterionSpec:
        return next(c for c in self.criteria if c.id == cid)


@lru_cache(maxsize=8)
def load_rubric(path: Path | None = None) -> Rubric:
    return load_model(Rubric, path or package_data_dir("rubrics") / "strong_hire.yaml")
