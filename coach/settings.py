"""Settings for the model layer: from flags, then the environment, then the config file.

The config file is TOML in the platform's config directory
(``coach.locations.config_dir() / "config.toml"``, or the path in
``COACH_CONFIG``); its keys are the field names below::

    model = "openai:gpt-4.1-mini"
    timeout = 30
    base_url = "http://localhost:11434/v1"

Every value remembers where it came from (``Settings.sources``) so
``describe_settings()`` can show what is in force and why, never the API key.
This module imports neither langchain nor openai: the offline path loads it too.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from coach.errors import EXIT_USAGE, CoachError, DataFileError

DEFAULT_MODEL = "openai:gpt-4.1-mini"
StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]


class _Fields(BaseModel):
    """The settings a user can set, with their defaults. Each field's description is its documentation."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(
        default=None,
        description="The model, named as langchain's init_chat_model names it: "
        "'openai:gpt-4.1-mini', 'ollama:llama3.1'. A name without a provider is an OpenAI(-compatible) model.",
    )
    offline: bool = Field(default=False, description="Ignore any configured model and grade offline.")
    timeout: float = Field(default=60.0, gt=0, description="Seconds per request before it counts as timed out.")
    cache: bool = Field(default=True, description="Serve repeated requests from the SQLite cache.")
    jobs: int = Field(default=8, ge=1, le=256, description="Concurrent requests in a batch.")
    base_url: str | None = Field(
        default=None, description="An OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp, LM Studio ...)."
    )
    api_key: SecretStr | None = Field(default=None, description="The provider's API key. Never shown or logged.")
    max_retries: int = Field(default=3, ge=0, le=10, description="Retries after a failed or invalid reply.")
    backoff: float = Field(default=1.0, ge=0, description="First backoff delay in seconds; it doubles per retry.")
    backoff_max: float = Field(default=20.0, ge=0, description="Longest backoff delay, in seconds.")
    retry_after_max: float = Field(default=60.0, ge=0, description="Longest Retry-After the client will honour.")
    structured_output: StructuredMethod = Field(
        default="json_schema",
        description="How the tree is requested: a JSON schema (response_format), a tool call, or JSON mode.",
    )
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    poll_interval: float = Field(default=30.0, gt=0, description="Seconds between polls of a provider batch.")


FIELDS = tuple(_Fields.model_fields)

# Environment variables, by field.
ENV: dict[str, str] = {
    "model": "COACH_MODEL",
    "offline": "COACH_OFFLINE",
    "timeout": "COACH_TIMEOUT",
    "cache": "COACH_CACHE",
    "jobs": "COACH_JOBS",
    "base_url": "OPENAI_BASE_URL",
    "api_key": "OPENAI_API_KEY",
    "max_retries": "COACH_MAX_RETRIES",
    "backoff": "COACH_BACKOFF",
    "backoff_max": "COACH_BACKOFF_MAX",
    "retry_after_max": "COACH_RETRY_AFTER_MAX",
    "structured_output": "COACH_STRUCTURED_OUTPUT",
    "temperature": "COACH_TEMPERATURE",
    "poll_interval": "COACH_POLL_INTERVAL",
}
_FALSE = {"0", "false", "no", "off", ""}


class Settings(_Fields):
    """What is in force, and ``sources``: where each value came from ("flag", "env OPENAI_API_KEY", ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, str] = Field(default_factory=dict, repr=False)

    @property
    def use_model(self) -> bool:
        """True when grading goes through a model (a model is configured and --offline is not set)."""
        return self.model is not None and not self.offline

    @property
    def model_ref(self) -> str:
        """``provider:name``; a bare name is an OpenAI(-compatible) model."""
        if not self.model:
            return ""
        return self.model if ":" in self.model else f"openai:{self.model}"

    @property
    def provider(self) -> str:
        return self.model_ref.split(":", 1)[0]

    @property
    def model_name(self) -> str:
        return self.model_ref.split(":", 1)[1] if self.model else ""

    def secret(self) -> str | None:
        """The API key itself, for the client only."""
        return self.api_key.get_secret_value() if self.api_key else None

    def redact(self, text: str) -> str:
        """``text`` with the API key (and anything shaped like a key) blanked out."""
        return redact(text, self.secret())


def redact(text: str, secret: str | None = None) -> str:
    import re

    if secret:
        text = text.replace(secret, "[redacted]")
    # Credentials inside a URL ("http://user:pass@host") are secrets too.
    text = re.sub(r"(?<=://)[^/\s:@]+:[^/\s@]+@", "[redacted]@", text)
    return re.sub(r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-*]{6,}", "[redacted]", text)


def config_path() -> Path:
    override = os.environ.get("COACH_CONFIG")
    if override:
        return Path(override).expanduser()
    from coach.locations import config_dir

    return config_dir() / "config.toml"


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{path}: malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read: {exc}") from None
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise DataFileError(f"{path}: unknown setting(s): {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    return data


def _from_env(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, var in ENV.items():
        raw = env.get(var)
        if raw is None or (raw == "" and name not in ("offline", "cache")):
            continue
        values[name] = raw.strip().lower() not in _FALSE if name in ("offline", "cache") else raw
        sources[name] = f"env {var}"
    if "cache" not in values and env.get("COACH_NO_CACHE", "").strip().lower() not in _FALSE:
        values["cache"] = False
        sources["cache"] = "env COACH_NO_CACHE"
    return values, sources


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Flags (``None`` means "not given") win over the environment, which wins over the config file.

    Flag names are the field names: ``{"model": ..., "offline": True, "timeout": 30, "cache": False, "jobs": 16}``.
    With an API key and no model anywhere, the model is ``openai:gpt-4.1-mini``.
    """
    env = os.environ if env is None else env
    path = config_file or config_path()
    flag_values = {k: v for k, v in (flags or {}).items() if v is not None}
    unknown = sorted(set(flag_values) - set(FIELDS))
    if unknown:
        raise CoachError(f"unknown setting(s): {', '.join(unknown)}", EXIT_USAGE)
    config = _read_config(path)
    env_values, env_sources = _from_env(env)
    values: dict[str, Any] = {**config, **env_values, **flag_values}
    sources = {name: f"config {path}" for name in config}
    sources.update(env_sources)
    sources.update({name: "flag" for name in flag_values})
    if values.get("model") in ("", None) and values.get("api_key"):
        values["model"] = DEFAULT_MODEL
        sources["model"] = f"default ({sources['api_key']} is set)"
    try:
        return Settings(**values, sources=sources)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        # Never echo the value: it may be the key.
        raise CoachError(f"setting {name!r} from {sources.get(name, 'default')}: {first['msg']}", EXIT_USAGE) from None


@dataclass(frozen=True)
class SettingRow:
    name: str
    value: str
    source: str
    description: str


def describe_settings(settings: Settings | None = None) -> list[SettingRow]:
    """Each setting, its value as shown to the user and its source. The API key shows only as set / not set."""
    settings = settings or load_settings()
    rows = []
    for name, info in _Fields.model_fields.items():
        value = getattr(settings, name)
        if name == "api_key":
            shown = "set" if value is not None else "not set"
        elif value is None:
            shown = "-"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = str(value)
        rows.append(SettingRow(name, shown, settings.sources.get(name, "default"), info.description or ""))
    mode = f"model {settings.model_ref}" if settings.use_model else "offline"
    rows.append(SettingRow("mode", mode, "derived", "What `coach score` / `batch` / `grade` will use."))
    rows.append(
        SettingRow(
            "config_file",
            str(config_path()),
            "COACH_CONFIG" if "COACH_CONFIG" in os.environ else "default",
            "The TOML config file read.",
        )
    )
    return rows
