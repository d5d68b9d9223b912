"""Settings: sensible defaults with no keys, and a start-up error that names the bad setting."""

from __future__ import annotations

import pytest

from bot.config.settings import DEFAULT_DATABASE_URL, LlmPolicy, load_settings
from storage.errors import ConfigError


def test_defaults_need_no_keys_and_use_a_local_sqlite_file():
    settings = load_settings(env_file=None)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.llm_policy is LlmPolicy.hybrid
    assert not settings.claude_configured
    assert settings.analysis_model.startswith("claude-haiku") and settings.reasoning_model.startswith(
        "claude-"
    )


def test_environment_and_dotenv_are_read(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("TONEWATCH_LLM_POLICY=all\nANTHROPIC_API_KEY=sk-test\n")
    monkeypatch.setenv("TONEWATCH_ANALYSIS_MODEL", "claude-any-model-id")
    settings = load_settings(env_file=tmp_path / ".env")
    assert settings.llm_policy is LlmPolicy.all
    assert settings.claude_configured
    assert settings.analysis_model == "claude-any-model-id"
    assert "sk-test" not in repr(settings)  # secrets never print


def test_postgres_urls_use_the_psycopg_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/tonewatch")
    assert load_settings(env_file=None).database_url == "postgresql+psycopg://u@db/tonewatch"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TONEWATCH_LLM_POLICY", "sometimes"),
        ("DATABASE_URL", "mysql://localhost/x"),
        ("TONEWATCH_LLM_TIMEOUT", "-3"),
        ("TONEWATCH_MAX_TEXT_CHARS", "lots"),
        ("TONEWATCH_WARNING_SCORE", "-0.9"),
    ],
)
def test_an_invalid_setting_stops_start_up_naming_it(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)
    assert name in str(error.value)
