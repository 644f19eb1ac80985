"""The shipped question library: one YAML file per scenario in scenarios/."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from coach.datafiles import load_model, package_data_dir
from coach.errors import UnknownScenarioError
from coach.tree import Tree
from coach.vocabulary import Kind

Segment = Literal["consumer", "b2b_saas", "marketplace", "ecommerce"]


class Scenario(BaseModel):
    """A practice question with its reference tree and model answer."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    question: str
    context: str = Field(description="Product context shown to the candidate with the question.")
    kind: Kind
    ai_product: bool = False
    segment: Segment
    time_limit: int = Field(gt=0, description="Minutes the candidate has to answer.")
    reference_tree: Tree
    model_answer: str
    follow_ups: list[str] = Field(min_length=2, max_length=3)


def scenario_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or package_data_dir("scenarios")).glob("*.yaml"))


@lru_cache(maxsize=4)
def load_scenarios(folder: Path | None = None) -> tuple[Scenario, ...]:
    scenarios = tuple(load_model(Scenario, p) for p in scenario_files(folder))
    return tuple(sorted(scenarios, key=lambda s: s.id))


@lru_cache(maxsize=64)
def get_scenario(scenario_id: str, folder: Path | None = None) -> Scenario:
    """The scenario with this id. A file named after the id is read alone (`coach score --scenario` stays
    fast); otherwise the whole library is searched, and an unknown id lists close matches."""
    own = (folder or package_data_dir("scenarios")) / f"{scenario_id}.yaml"
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", scenario_id) and own.is_file():
        scenario = load_model(Scenario, own)
        if scenario.id == scenario_id:
            return scenario
    scenarios = {s.id: s for s in load_scenarios(folder)}
    if scenario_id in scenarios:
        return scenarios[scenario_id]
    close = difflib.get_close_matches(scenario_id, list(scenarios), n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Run `coach scenarios` for the list."
    raise UnknownScenarioError(f"unknown scenario {scenario_id!r}.{hint}")
