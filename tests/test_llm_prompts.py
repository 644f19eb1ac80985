"""Prompt files: strict, versioned, every shipped one loads."""

from __future__ import annotations

import pytest

from coach.datafiles import load_model, package_data_dir
from coach.errors import DataFileError
from coach.llm.prompts import PromptTemplate, load_prompt


def prompt_files() -> list:
    return sorted(package_data_dir("prompts").glob("*.yaml"))


@pytest.mark.parametrize("path", prompt_files(), ids=lambda p: p.name)
def test_every_shipped_prompt_loads(path):
    prompt = load_model(PromptTemplate, path)
    assert prompt.id == path.stem and prompt.version >= 1


def test_the_two_prompts_exist():
    assert {p.stem for p in prompt_files()} >= {"parse_tree", "feedback"}
    assert prompt_files()[0].parent == package_data_dir("prompts")


def test_extra_keys_are_rejected_with_file_and_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("id: p\nversion: 1\ndescription: d\ninputs: []\nsystem: s\nuser: u\ntemperature: 2\n")
    with pytest.raises(DataFileError, match=r"p.yaml.*temperature"):
        load_model(PromptTemplate, path)


def test_placeholders_must_be_declared():
    with pytest.raises(ValueError, match="not declared"):
        PromptTemplate(id="p", version=1, description="d", inputs=[], system="${x}", user="u")
    with pytest.raises(ValueError, match="never used"):
        PromptTemplate(id="p", version=1, description="d", inputs=["x"], system="s", user="u")


def test_render_leaves_braces_and_dollars_in_values_alone():
    prompt = load_prompt("parse_tree")
    messages = prompt.render(question="Q?", answer="cost is ${price} {x}", answer_open="<a>", answer_close="</a>")
    assert [role for role, _ in messages] == ["system", "user"]
    assert "cost is ${price} {x}" in messages[1][1]
    with pytest.raises(KeyError):
        prompt.render(question="Q?")
