"""Settings: flags over environment over the config file; the key never shows."""

from __future__ import annotations

import pytest
from fake_openai import coach_home  # noqa: F401 - fixture

from coach.errors import CoachError, DataFileError
from coach.settings import DEFAULT_MODEL, Settings, describe_settings, load_settings, redact

pytestmark = pytest.mark.usefixtures("coach_home")
KEY = "sk-secret-key-0123456789"


def write_config(coach_home, text: str):  # noqa: F811
    path = coach_home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_offline_by_default():
    s = load_settings(env={})
    assert not s.use_model
    assert s.model is None and s.timeout == 60 and s.cache


def test_an_api_key_turns_the_model_on_with_the_default_model():
    s = load_settings(env={"OPENAI_API_KEY": KEY})
    assert s.use_model and s.model == DEFAULT_MODEL
    assert s.sources["model"].startswith("default")
    assert s.sources["api_key"] == "env OPENAI_API_KEY"


def test_flags_beat_env_beat_config(coach_home):  # noqa: F811
    path = write_config(coach_home, 'model = "ollama:llama3.1"\ntimeout = 5\njobs = 3\n')
    s = load_settings(
        {"timeout": 9, "model": None},
        env={"COACH_MODEL": "openai:gpt-4.1-mini", "COACH_TIMEOUT": "7"},
    )
    assert s.timeout == 9 and s.sources["timeout"] == "flag"
    assert s.model == "openai:gpt-4.1-mini" and s.sources["model"] == "env COACH_MODEL"
    assert s.jobs == 3 and s.sources["jobs"] == f"config {path}"


def test_offline_flag_wins_over_a_configured_model():
    s = load_settings({"offline": True}, env={"OPENAI_API_KEY": KEY, "COACH_MODEL": "openai:x"})
    assert s.model == "openai:x" and not s.use_model


def test_no_cache_from_env():
    s = load_settings(env={"COACH_NO_CACHE": "1"})
    assert s.cache is False and s.sources["cache"] == "env COACH_NO_CACHE"


def test_bare_model_names_are_openai_compatible():
    s = Settings(model="llama3.1", base_url="http://localhost:11434/v1")
    assert s.model_ref == "openai:llama3.1" and s.provider == "openai" and s.model_name == "llama3.1"


def test_unknown_key_in_the_config_file_names_the_file(coach_home):  # noqa: F811
    path = write_config(coach_home, 'modle = "x"\n')
    with pytest.raises(DataFileError, match="modle") as err:
        load_settings(env={})
    assert str(path) in err.value.message


def test_malformed_toml(coach_home):  # noqa: F811
    write_config(coach_home, "model = \n")
    with pytest.raises(DataFileError, match="malformed TOML"):
        load_settings(env={})


def test_invalid_value_does_not_echo_it():
    with pytest.raises(CoachError) as err:
        load_settings({"timeout": "sk-not-a-number-0000"}, env={})
    assert "sk-not-a-number" not in err.value.message and "timeout" in err.value.message


def test_the_key_never_shows():
    s = load_settings(env={"OPENAI_API_KEY": KEY})
    rows = describe_settings(s)
    text = "\n".join(f"{r.name} {r.value} {r.source} {r.description}" for r in rows)
    assert KEY not in text and KEY not in repr(s) and KEY not in str(s) and KEY not in s.model_dump_json()
    assert next(r for r in rows if r.name == "api_key").value == "set"
    assert next(r for r in rows if r.name == "mode").value == f"model {DEFAULT_MODEL}"
    assert s.secret() == KEY


def test_redact():
    assert redact(f"bad key {KEY} and sk-proj-ABCDEF123456", KEY) == "bad key [redacted] and [redacted]"


def test_config_path_override(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.toml"
    path.write_text("max_retries = 0\n", encoding="utf-8")
    monkeypatch.setenv("COACH_CONFIG", str(path))
    s = load_settings(env={})
    assert s.max_retries == 0


def test_credentials_in_a_base_url_are_redacted() -> None:
    from coach.settings import redact

    text = redact("openai:llama@http://bob:hunter2@127.0.0.1:8000/v1 failed with sk-abcdefgh1234")
    assert "hunter2" not in text and "sk-abcdefgh1234" not in text
    assert "127.0.0.1:8000/v1" in text
