"""The graded-answer object: the output contract of ../shared/RUBRIC.md, plus provenance."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from coach.tree import Tree
from coach.vocabulary import Verdict

Status = Literal["pass", "fail", "not_applicable"]


class CriterionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    status: Status
    evidence: list[str] = Field(default_factory=list, description="Verbatim quotes from the answer.")
    message: str = ""
    core: bool = False
    source: Literal["auto", "coach"] = "auto"
    note: str | None = Field(default=None, description="The coach's note when the status was overridden.")
    auto_status: Status | None = Field(
        default=None, description="What the grader decided, when a coach's override (source 'coach') replaced it."
    )
    prompted: bool = Field(default=False, description="Met only after an interviewer's follow-up.")


class GradeResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    verdict: Verdict
    score: int = Field(ge=0, le=100)
    criteria: list[CriterionResult]
    tree: Tree
    feedback: str
    question: str = ""
    scenario: str | None = None
    kind: str = "measure_success"
    ai_product: bool = False
    parser: str = "offline"
    notice: str | None = None
    label: Any = Field(default=None, description="A coach's label carried through from batch input.")

    def criterion(self, cid: str) -> CriterionResult | None:
        return next((c for c in self.criteria if c.id == cid), None)

    def to_json_dict(self) -> dict[str, Any]:
        """The contract object; empty optional fields are left out so the output stays stable."""
        data = self.model_dump(mode="json", exclude_none=True)
        return data
