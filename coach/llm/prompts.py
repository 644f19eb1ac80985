"""Versioned prompt files (prompts/*.yaml), loaded through a strict model.

A prompt names its inputs; the ``system`` and ``user`` texts refer to them as
``${name}`` (``string.Template``), so JSON examples and braces in the prompt
need no escaping. The ``version`` goes into the cache key and the call log:
bump it whenever the wording changes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coach.datafiles import load_model, package_data_dir


class PromptTemplate(BaseModel):
    """One prompt: a system message and a user message with named inputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Matches the file name without .yaml.")
    version: int = Field(ge=1, description="Bumped on every change of wording; part of the cache key.")
    description: str = Field(description="What the prompt is for, in one sentence.")
    inputs: list[str] = Field(description="The ${placeholders} the texts use, each exactly once declared.")
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)

    @model_validator(mode="after")
    def _placeholders_declared(self) -> PromptTemplate:
        used: set[str] = set()
        for text in (self.system, self.user):
            template = Template(text)
            if not template.is_valid():
                raise ValueError("invalid placeholder: write ${name}, and $$ for a dollar sign")
            used.update(template.get_identifiers())
        declared = set(self.inputs)
        if used - declared:
            raise ValueError(f"placeholders not declared in inputs: {', '.join(sorted(used - declared))}")
        if declared - used:
            raise ValueError(f"inputs never used: {', '.join(sorted(declared - used))}")
        return self

    @property
    def ref(self) -> str:
        return f"{self.id}@v{self.version}"

    def render(self, **values: str) -> list[tuple[str, str]]:
        """The messages as (role, content) pairs; every declared input must be given."""
        missing = set(self.inputs) - set(values)
        if missing:
            raise KeyError(f"prompt {self.id}: missing inputs {', '.join(sorted(missing))}")
        return [
            ("system", Template(self.system).substitute(values)),
            ("user", Template(self.user).substitute(values)),
        ]


@lru_cache(maxsize=16)
def load_prompt(name: str, folder: Path | None = None) -> PromptTemplate:
    """Load ``prompts/<name>.yaml``; errors name the file and line."""
    path = (folder or package_data_dir("prompts")) / f"{name}.yaml"
    prompt = load_model(PromptTemplate, path)
    if prompt.id != name:
        from coach.errors import DataFileError

        raise DataFileError(f"{path}: id {prompt.id!r} does not match the file name {name!r}")
    return prompt
