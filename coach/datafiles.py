"""Loading the shipped data folders (scenarios/, rubrics/, prompts/) and user YAML/JSON files.

Every file goes through a strict pydantic model. Errors name the file and the
line: YAML syntax errors from the parser's mark, validation errors by walking
the YAML node tree to the failing field.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from coach.errors import DataFileError

M = TypeVar("M", bound=BaseModel)


def package_data_dir(name: str) -> Path:
    """A shipped data folder, resolved from the installed package, never the working directory."""
    packaged = resources.files("coach") / "data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    # Editable installs and source checkouts keep the folders at the top level.
    return Path(__file__).resolve().parent.parent / name


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of the deepest ancestor found)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


# The C loader is ten times faster; the node tree (for line numbers) is only built when a file is invalid.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml_text(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise DataFileError(f"{where}: malformed YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise DataFileError(f"{source}: malformed YAML: {exc}") from None


def validate(model: type[M], data: Any, source: str, text: str | None = None) -> M:
    """``data`` as ``model``; on failure, the file and line of the first problem (from ``text``, the YAML)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        node = yaml.compose(text, Loader=_LOADER) if text is not None else None
        line = _line_of(node, loc) if node is not None else None
        where = f"{source}:{line}" if line else source
        field = ".".join(str(p) for p in loc) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise DataFileError(f"{where}: {field}: {first['msg']}{more}") from None


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror}") from None


def load_model(model: type[M], path: Path) -> M:
    """Load a YAML or JSON file (by extension) into ``model``."""
    text = read_text(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{path}:{exc.lineno}: malformed JSON: {exc.msg}") from None
        return validate(model, data, str(path))
    data = parse_yaml_text(text, str(path))
    return validate(model, data, str(path), text)


def dump_yaml(model: BaseModel) -> str:
    data = model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
