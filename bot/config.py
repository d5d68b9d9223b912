"""Settings, read once from the environment and `.env` by the composition root.

Every setting is documented in the README's configuration table and in
`.env.example`. A missing or invalid setting stops start-up with a message that
names it (`load_settings` turns pydantic's errors into a `ConfigError`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///tonewatch.db"


class LlmPolicy(StrEnum):
    """When Claude is asked: never, only where it can change a decision, or always."""

    off = "off"
    hybrid = "hybrid"
    all = "all"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")

    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(None, validation_alias="ANTHROPIC_BASE_URL")
    analysis_model: str = Field("claude-haiku-4-5", validation_alias="TONEWATCH_ANALYSIS_MODEL")
    reasoning_model: str = Field("claude-sonnet-4-6", validation_alias="TONEWATCH_REASONING_MODEL")
    llm_policy: LlmPolicy = Field(LlmPolicy.hybrid, validation_alias="TONEWATCH_LLM_POLICY")
    llm_timeout_seconds: float = Field(20.0, gt=0, le=600, validation_alias="TONEWATCH_LLM_TIMEOUT")
    llm_max_retries: int = Field(2, ge=0, le=10, validation_alias="TONEWATCH_LLM_MAX_RETRIES")
    llm_low_confidence: float = Field(0.55, ge=0, le=1, validation_alias="TONEWATCH_LLM_LOW_CONFIDENCE")

    max_text_chars: int = Field(20_000, ge=100, le=40_000, validation_alias="TONEWATCH_MAX_TEXT_CHARS")
    critical_score: float = Field(-0.6, ge=-1, le=0, validation_alias="TONEWATCH_CRITICAL_SCORE")
    warning_score: float = Field(-0.3, ge=-1, le=0, validation_alias="TONEWATCH_WARNING_SCORE")
    reply_sla_hours: float = Field(24.0, gt=0, validation_alias="TONEWATCH_REPLY_SLA_HOURS")
    competitors: str = Field("", validation_alias="TONEWATCH_COMPETITORS")
    log_level: str = Field("INFO", validation_alias="TONEWATCH_LOG_LEVEL")

    @field_validator("database_url")
    @classmethod
    def _database_url_known(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
            raise ValueError("must start with sqlite:// or postgresql://")
        if value.startswith("postgres:"):
            value = "postgresql:" + value[len("postgres:") :]
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship (the `postgres` extra).
            value = "postgresql+psycopg://" + value[len("postgresql://") :]
        return value

    @field_validator("warning_score")
    @classmethod
    def _warning_above_critical(cls, value: float, info) -> float:
        critical = info.data.get("critical_score")
        if critical is not None and value <= critical:
            raise ValueError("must be above TONEWATCH_CRITICAL_SCORE")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def claude_configured(self) -> bool:
        return self.anthropic_api_key is not None and bool(self.anthropic_api_key.get_secret_value())

    @property
    def competitor_names(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.competitors.split(",") if name.strip())


def _setting_name(loc: tuple) -> str:
    field_name = str(loc[0]) if loc else "?"
    field = Settings.model_fields.get(field_name)
    alias = field.validation_alias if field is not None else None
    return str(alias) if alias else field_name.upper()


def load_settings(env_file: str | Path | None = ".env", **overrides) -> Settings:
    """Read settings, or raise `ConfigError` naming each bad setting."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = "; ".join(f"{_setting_name(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"invalid configuration — {problems}") from None
