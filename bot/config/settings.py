"""Settings, read once from the environment and `.env` by the composition root.

Every setting is documented in the README's configuration table and in
`.env.example`. A missing or invalid setting stops start-up with a message that
names it (`load_settings` turns pydantic's errors into a `ConfigError`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.config.inboxes import InboxConfig, parse_domain_accounts, parse_domain_list, parse_inboxes
from bot.runtime.scrub import SecretScrubber, url_password
from storage.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///tonewatch.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_clock_time(value: str) -> str:
    """ "9:00" / "09:00" → "09:00", or ValueError."""
    hour, separator, minute = value.strip().partition(":")
    if (
        not separator
        or not hour.isdigit()
        or not minute.isdigit()
        or not (0 <= int(hour) <= 23 and 0 <= int(minute) <= 59)
    ):
        raise ValueError(f"{value!r} is not a time like 09:00")
    return f"{int(hour):02d}:{int(minute):02d}"


def parse_time_zone(value: str) -> str:
    """An IANA time zone name (Europe/Berlin, America/New_York, UTC), or ValueError."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = value.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a time zone name like Europe/Berlin") from None
    return value


WEBHOOK_EVENT_TYPES = (
    "alert.opened",
    "alert.resolved",
    "account.light_changed",
    "account.suppression_changed",
    "message.analyzed",
)
#: Sent unless TONEWATCH_WEBHOOK_EVENTS says otherwise; message.analyzed is opt-in (one per message).
DEFAULT_WEBHOOK_EVENTS = WEBHOOK_EVENT_TYPES[:4]


def parse_webhook_urls(value: object) -> tuple[str, ...]:
    """ "https://a.example/hook, http://127.0.0.1:9000/x" → a tuple, or ValueError naming a bad one."""
    from urllib.parse import urlsplit

    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    urls: list[str] = []
    for item in items:
        url = str(item).strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL")
        urls.append(url)
    return tuple(dict.fromkeys(urls))


CRM_FIELD_NAMES = (
    "light",
    "trend",
    "average_30d",
    "last_negative_at",
    "churn_risk",
    "suppress_outreach",
    "arr",
    "currency",
    "tier",
    "renewal_date",
)


def parse_crm_fields(value: object) -> dict[str, dict[str, str]]:
    """'{"hubspot": {"light": "health"}}' → the mapping, or ValueError naming a bad key."""
    import json

    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise ValueError('must be a JSON object like {"hubspot": {"light": "health_colour"}}')
    result: dict[str, dict[str, str]] = {}
    for system, fields in value.items():
        if system not in ("hubspot", "salesforce") or not isinstance(fields, dict):
            raise ValueError(f"{system!r}: give hubspot or salesforce, each an object of field names")
        for ours, theirs in fields.items():
            if ours not in CRM_FIELD_NAMES or not isinstance(theirs, str):
                raise ValueError(f"{system}.{ours}: fields are {', '.join(CRM_FIELD_NAMES)}, each a name")
        result[system] = dict(fields)
    return result


def parse_webhook_events(value: object) -> tuple[str, ...]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_WEBHOOK_EVENTS
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    names = [str(item).strip().lower() for item in items if str(item).strip()]
    if names in (["all"], ["*"]):
        return WEBHOOK_EVENT_TYPES
    for name in names:
        if name not in WEBHOOK_EVENT_TYPES:
            raise ValueError(f"{name!r} is not an event; choose from {', '.join(WEBHOOK_EVENT_TYPES)} or all")
    return tuple(dict.fromkeys(names))


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
    #: Migrate a schema that is behind when a command starts, instead of refusing (single-node installs).
    auto_migrate: bool = Field(False, validation_alias="TONEWATCH_AUTO_MIGRATE")

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
    #: "text" for people, "json" for log pipelines (one object per line); see bot/runtime/logs.py.
    log_format: str = Field("text", validation_alias="TONEWATCH_LOG_FORMAT")
    #: Work items run at once; analysis mostly waits on Claude, so this can be far above the core count.
    worker_concurrency: int = Field(32, ge=1, le=1000, validation_alias="TONEWATCH_WORKER_CONCURRENCY")
    #: A work item held by a process that died is taken over this long after its last heartbeat.
    work_lease_seconds: float = Field(30.0, ge=1, le=3600, validation_alias="TONEWATCH_WORK_LEASE_SECONDS")
    #: A request's headers, and then its body, must arrive within this; an idle connection closes after it.
    http_read_timeout: float = Field(30.0, ge=0.1, le=600, validation_alias="TONEWATCH_HTTP_READ_TIMEOUT")
    #: Connections served at once; one more is closed at once (each stalled one is closed by the timeout).
    http_max_connections: int = Field(
        1000, ge=1, le=100_000, validation_alias="TONEWATCH_HTTP_MAX_CONNECTIONS"
    )

    # Slack: one workspace (bot token + signing secret), many (OAuth: client id + secret + signing
    # secret), or Socket Mode (an app-level token beside the bot token; no public URL needed).
    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(None, validation_alias="SLACK_CLIENT_SECRET")
    slack_redirect_uri: str | None = Field(None, validation_alias="SLACK_REDIRECT_URI")
    slack_api_url: str = Field(DEFAULT_SLACK_API_URL, validation_alias="SLACK_API_URL")
    slack_rate_limit_retries: int = Field(3, ge=0, le=10, validation_alias="SLACK_RATE_LIMIT_RETRIES")

    # Microsoft Teams (docs: platform brief §2). With TEAMS_APP_ID every request's token is verified;
    # TEAMS_LOCAL_DEV serves /api/messages without an app id, to loopback callers only (Emulator, tunnels).
    teams_app_id: str | None = Field(None, validation_alias="TEAMS_APP_ID")
    teams_app_password: SecretStr | None = Field(None, validation_alias="TEAMS_APP_PASSWORD")
    #: Our Entra tenant: the bot is single-tenant, and members of any other tenant are customers.
    teams_tenant_id: str | None = Field(None, validation_alias="TEAMS_TENANT_ID")
    teams_local_dev: bool = Field(False, validation_alias="TEAMS_LOCAL_DEV")

    # Digests and schedules (docs/health.md). Defaults for new digest targets; each target keeps its own.
    digest_day: str = Field("mon", validation_alias="TONEWATCH_DIGEST_DAY")
    digest_time: str = Field("09:00", validation_alias="TONEWATCH_DIGEST_TIME")
    digest_timezone: str = Field("UTC", validation_alias="TONEWATCH_DIGEST_TIMEZONE")
    #: Local time of the daily attention list for new targets; "off" for none.
    attention_time: str = Field("09:00", validation_alias="TONEWATCH_ATTENTION_TIME")
    #: A JSON file overriding health rule thresholds (see bot/health/rules.py).
    health_rules_file: str | None = Field(None, validation_alias="TONEWATCH_HEALTH_RULES")
    chart_dir: str = Field("charts", validation_alias="TONEWATCH_CHART_DIR")
    incident_window_hours: float = Field(4.0, gt=0, le=48, validation_alias="TONEWATCH_INCIDENT_WINDOW_HOURS")
    incident_min_accounts: int = Field(3, ge=2, le=1000, validation_alias="TONEWATCH_INCIDENT_MIN_ACCOUNTS")
    sla_check_minutes: int = Field(15, ge=1, le=1440, validation_alias="TONEWATCH_SLA_CHECK_MINUTES")
    #: SLA breaches older than this are not escalated any more (keeps an import of old history quiet).
    sla_lookback_hours: float = Field(24.0, gt=0, le=24 * 30, validation_alias="TONEWATCH_SLA_LOOKBACK_HOURS")
    #: A claimed scheduled run not finished after this long is taken over (the claimer crashed).
    run_lease_minutes: float = Field(10.0, gt=0, le=24 * 60, validation_alias="TONEWATCH_RUN_LEASE_MINUTES")
    #: Ask Claude for the digest's opening paragraph when Claude is configured (template otherwise).
    digest_narrative: bool = Field(True, validation_alias="TONEWATCH_DIGEST_NARRATIVE")

    # Connected inboxes and the inbound webhook (docs/ingest.md).
    #: The bearer token POST /ingest requires; the route is served only when it is set.
    ingest_token: SecretStr | None = Field(None, validation_alias="TONEWATCH_INGEST_TOKEN")
    #: With it, GET /metrics requires `Authorization: Bearer` this token.
    metrics_token: SecretStr | None = Field(None, validation_alias="TONEWATCH_METRICS_TOKEN")
    #: Fernet key(s) encrypting workspace tokens at rest; comma-separated, the first encrypts, all decrypt.
    secret_key: SecretStr | None = Field(None, validation_alias="TONEWATCH_SECRET_KEY")
    #: IMAP inboxes: a JSON list of inbox objects, or the path of a JSON/YAML file with it.
    inboxes: Annotated[list[InboxConfig], NoDecode] = Field(
        default_factory=list, validation_alias="TONEWATCH_INBOXES"
    )
    #: Our own mail domains: their senders are staff, never customers.
    our_domains: Annotated[tuple[str, ...], NoDecode] = Field((), validation_alias="TONEWATCH_OUR_DOMAINS")
    #: Sender domain (or address) → account name, for domains that do not name the account by themselves.
    domain_accounts: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias="TONEWATCH_DOMAIN_ACCOUNTS"
    )
    inbox_poll_seconds: float = Field(60.0, ge=5, le=86_400, validation_alias="TONEWATCH_INBOX_POLL_SECONDS")

    #: Customer text older than this many days is erased daily (scores stay); 0 keeps it
    #: (bot/privacy/erasure.py).
    retention_days: int = Field(0, ge=0, le=36_500, validation_alias="TONEWATCH_RETENTION_DAYS")

    # Signed outbound webhooks (docs/webhooks.md).
    #: Endpoints that receive every enabled event (comma-separated http(s) URLs).
    webhook_urls: Annotated[tuple[str, ...], NoDecode] = Field((), validation_alias="TONEWATCH_WEBHOOK_URLS")
    #: The HMAC-SHA256 key of X-Tonewatch-Signature; required with TONEWATCH_WEBHOOK_URLS.
    webhook_secret: SecretStr | None = Field(None, validation_alias="TONEWATCH_WEBHOOK_SECRET")
    #: Which events are sent (comma-separated); message.analyzed only when listed here.
    webhook_events: Annotated[tuple[str, ...], NoDecode] = Field(
        DEFAULT_WEBHOOK_EVENTS, validation_alias="TONEWATCH_WEBHOOK_EVENTS"
    )
    #: Seconds a receiver has to answer before the delivery is retried.
    webhook_timeout: float = Field(10.0, gt=0, le=120, validation_alias="TONEWATCH_WEBHOOK_TIMEOUT")

    # CRM sync (docs/crm.md).
    hubspot_token: SecretStr | None = Field(None, validation_alias="TONEWATCH_HUBSPOT_TOKEN")
    hubspot_url: str = Field("https://api.hubapi.com", validation_alias="TONEWATCH_HUBSPOT_URL")
    salesforce_url: str | None = Field(None, validation_alias="TONEWATCH_SALESFORCE_URL")
    salesforce_token: SecretStr | None = Field(None, validation_alias="TONEWATCH_SALESFORCE_TOKEN")
    #: Per CRM, our field → its property: {"hubspot": {"light": "health_colour"}, "salesforce": {…}}.
    crm_fields: Annotated[dict[str, dict[str, str]], NoDecode] = Field(
        default_factory=dict, validation_alias="TONEWATCH_CRM_FIELDS"
    )
    crm_sync_minutes: int = Field(60, ge=5, le=24 * 60, validation_alias="TONEWATCH_CRM_SYNC_MINUTES")

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

    @field_validator(
        "slack_bot_token", "slack_signing_secret", "slack_app_token", "slack_client_secret", mode="before"
    )
    @classmethod
    def _blank_secret_is_unset(cls, value):
        # `SLACK_BOT_TOKEN=` in a copied .env.example means "not set", not "an empty token".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_client_id", "slack_redirect_uri", mode="before")
    @classmethod
    def _blank_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_kind(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token (starts with xoxb-)")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_kind(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token (starts with xapp-) with connections:write")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _slack_complete(self) -> Settings:
        """A half-configured Slack stops start-up, naming what is missing."""
        if (self.slack_client_id is None) != (self.slack_client_secret is None):
            raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (OAuth, many workspaces)")
        oauth = self.slack_client_id is not None
        if oauth and self.slack_signing_secret is None:
            raise ValueError("SLACK_SIGNING_SECRET is required with SLACK_CLIENT_ID (OAuth runs over HTTP)")
        if self.slack_app_token is not None and self.slack_bot_token is None:
            raise ValueError("SLACK_APP_TOKEN (Socket Mode) needs SLACK_BOT_TOKEN as well")
        socket = self.slack_app_token is not None
        if self.slack_bot_token is not None and not (oauth or socket) and self.slack_signing_secret is None:
            raise ValueError(
                "SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN: Socket Mode)"
            )
        if self.slack_signing_secret is not None and self.slack_bot_token is None and not oauth:
            raise ValueError("SLACK_SIGNING_SECRET is set but neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID is")
        return self

    @field_validator("teams_app_id", "teams_tenant_id", "teams_app_password", mode="before")
    @classmethod
    def _blank_teams_setting_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("teams_app_id", "teams_tenant_id")
    @classmethod
    def _teams_guid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if not _GUID.fullmatch(value):
            raise ValueError("must be a GUID like 00000000-0000-0000-0000-000000000000 (the Azure Bot's ids)")
        return value

    @model_validator(mode="after")
    def _teams_complete(self) -> Settings:
        """A half-configured Teams stops start-up, naming what is missing."""
        if self.teams_app_id is not None and self.teams_app_password is None:
            raise ValueError("TEAMS_APP_PASSWORD is required with TEAMS_APP_ID (the app's client secret)")
        if self.teams_app_password is not None and self.teams_app_id is None:
            raise ValueError("TEAMS_APP_PASSWORD is set but TEAMS_APP_ID is not")
        if self.teams_app_id is not None and self.teams_local_dev:
            raise ValueError("TEAMS_LOCAL_DEV turns token checks off; unset it when TEAMS_APP_ID is set")
        return self

    @field_validator("warning_score")
    @classmethod
    def _warning_above_critical(cls, value: float, info) -> float:
        critical = info.data.get("critical_score")
        if critical is not None and value <= critical:
            raise ValueError("must be above TONEWATCH_CRITICAL_SCORE")
        return value

    @field_validator("digest_day")
    @classmethod
    def _weekday(cls, value: str) -> str:
        value = value.strip().lower()[:3]
        if value not in WEEKDAYS:
            raise ValueError("must be a weekday: mon, tue, wed, thu, fri, sat or sun")
        return value

    @field_validator("digest_time", "attention_time")
    @classmethod
    def _clock_time(cls, value: str, info) -> str:
        value = value.strip().lower()
        if info.field_name == "attention_time" and value in ("off", "none", ""):
            return "off"
        return parse_clock_time(value)

    @field_validator("digest_timezone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        return parse_time_zone(value)

    @field_validator("secret_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from bot.secrets import SecretBox

            try:
                SecretBox(value.get_secret_value())
            except ConfigError as exc:
                raise ValueError(str(exc).removeprefix("TONEWATCH_SECRET_KEY ")) from None
        return value

    @field_validator("ingest_token", mode="before")
    @classmethod
    def _blank_ingest_token_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("ingest_token")
    @classmethod
    def _ingest_token_strong(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 16:
            raise ValueError(
                "must be at least 16 characters; generate one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @field_validator("inboxes", mode="before")
    @classmethod
    def _inboxes(cls, value: object) -> list[InboxConfig]:
        return parse_inboxes(value)

    @field_validator("our_domains", mode="before")
    @classmethod
    def _our_domains(cls, value: object) -> tuple[str, ...]:
        return parse_domain_list(value)

    @field_validator("domain_accounts", mode="before")
    @classmethod
    def _domain_accounts(cls, value: object) -> dict[str, str]:
        return parse_domain_accounts(value)

    @field_validator("webhook_urls", mode="before")
    @classmethod
    def _webhook_urls(cls, value: object) -> tuple[str, ...]:
        return parse_webhook_urls(value)

    @field_validator("webhook_events", mode="before")
    @classmethod
    def _webhook_events(cls, value: object) -> tuple[str, ...]:
        return parse_webhook_events(value)

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _blank_webhook_secret_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("hubspot_token", "salesforce_token", "salesforce_url", mode="before")
    @classmethod
    def _blank_crm_setting_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("crm_fields", mode="before")
    @classmethod
    def _crm_fields(cls, value: object) -> dict[str, dict[str, str]]:
        return parse_crm_fields(value)

    @model_validator(mode="after")
    def _salesforce_complete(self) -> Settings:
        if (self.salesforce_url is None) != (self.salesforce_token is None):
            raise ValueError("TONEWATCH_SALESFORCE_URL and TONEWATCH_SALESFORCE_TOKEN go together")
        return self

    @property
    def crm_systems(self) -> tuple[str, ...]:
        systems = ("hubspot",) if self.hubspot_token is not None else ()
        return systems + (("salesforce",) if self.salesforce_token is not None else ())

    @model_validator(mode="after")
    def _webhooks_signed(self) -> Settings:
        if self.webhook_urls and self.webhook_secret is None:
            raise ValueError(
                "TONEWATCH_WEBHOOK_SECRET is required with TONEWATCH_WEBHOOK_URLS (every event is signed)"
            )
        return self

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ("text", "json"):
            raise ValueError("must be text or json")
        return value

    @property
    def claude_configured(self) -> bool:
        return self.anthropic_api_key is not None and bool(self.anthropic_api_key.get_secret_value())

    @property
    def slack_mode(self) -> str | None:
        """How Slack is served: "oauth" (many workspaces), "socket" (Socket Mode), "http", or None."""
        if self.slack_client_id is not None:
            return "oauth"
        if self.slack_bot_token is not None:
            return "socket" if self.slack_app_token is not None else "http"
        return None

    @property
    def slack_configured(self) -> bool:
        return self.slack_mode is not None

    @property
    def teams_mode(self) -> str | None:
        """How Teams is served: "verified" (tokens checked), "local" (loopback only, no checks), or None."""
        if self.teams_app_id is not None:
            return "verified"
        return "local" if self.teams_local_dev else None

    @property
    def teams_configured(self) -> bool:
        return self.teams_mode is not None

    @property
    def competitor_names(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.competitors.split(",") if name.strip())


def _setting_name(loc: tuple) -> str:
    field_name = str(loc[0]) if loc else "?"
    field = Settings.model_fields.get(field_name)
    alias = field.validation_alias if field is not None else None
    return str(alias) if alias else field_name.upper()


def _problem(err) -> str:
    if not err["loc"]:  # a rule across settings; its message names them
        return str(err["msg"]).removeprefix("Value error, ")
    return f"{_setting_name(err['loc'])}: {err['msg']}"


def _file_settings(env_file: str | Path | None, overrides: Mapping[str, Any]) -> dict[str, str]:
    """Secrets given as NAME_FILE (a Docker or Kubernetes secret mounted as a file): NAME read from it."""
    from_file = {}
    given = _given(env_file)
    for name in (*secret_setting_names(), "DATABASE_URL"):
        path = overrides.get(f"{name}_FILE") or given.get(f"{name}_FILE")
        if not path:
            continue
        if overrides.get(name) or given.get(name):
            raise ConfigError(f"invalid configuration — set {name} or {name}_FILE, not both")
        try:
            value = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise ConfigError(f"invalid configuration — {name}_FILE: cannot read {path} ({reason})") from None
        if not value:
            raise ConfigError(f"invalid configuration — {name}_FILE: {path} is empty")
        from_file[name] = value
    return from_file


def _given(env_file: str | Path | None) -> dict[str, str]:
    """Every variable set in the environment or the env file (the environment wins), names upper-cased."""
    given: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        from dotenv import dotenv_values

        given.update({k.upper(): v for k, v in dotenv_values(env_file).items() if v is not None})
    given.update({k.upper(): v for k, v in os.environ.items()})
    return given


def known_setting_names() -> set[str]:
    names = {str(field.validation_alias) for field in Settings.model_fields.values()}
    return names | {f"{name}_FILE" for name in (*secret_setting_names(), "DATABASE_URL")}


#: TONEWATCH_* variables read by something other than the settings (the test suite's own).
_NOT_SETTINGS = ("TONEWATCH_TEST_",)


def unknown_settings(env_file: str | Path | None = ".env") -> list[str]:
    """A warning for each TONEWATCH_* variable no setting reads, naming the closest known one."""
    import difflib

    known = sorted(known_setting_names())
    prefix = "TONEWATCH_"
    # Compared without the prefix every candidate shares, which would make anything look close.
    tails = {name.removeprefix(prefix): name for name in known if name.startswith(prefix)}
    warnings = []
    for name in sorted(_given(env_file)):
        if not name.startswith(prefix) or name in known or name.startswith(_NOT_SETTINGS):
            continue
        close = difflib.get_close_matches(name.removeprefix(prefix), list(tails), n=1, cutoff=0.75)
        hint = f"; did you mean {tails[close[0]]}?" if close else ""
        warnings.append(f"{name} is not a Tonewatch setting and is ignored{hint}")
    return warnings


def load_settings(env_file: str | Path | None = ".env", **overrides) -> Settings:
    """Read settings, or raise `ConfigError` naming each bad setting (and echoing no secret)."""
    overrides = {**_file_settings(env_file, overrides), **overrides}
    overrides = {k: v for k, v in overrides.items() if not k.endswith("_FILE")}
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        problems = "; ".join(_problem(err) for err in exc.errors())
        known = [*secrets_in_environment(), *secrets_in_env_file(env_file), *_secret_inputs(exc)]
        scrubber = SecretScrubber(known)
        raise ConfigError(f"invalid configuration — {scrubber.scrub(problems)}") from None


# --- which settings are secrets ---------------------------------------------------------------------


def _holds_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in get_args(annotation)


def secret_setting_names() -> tuple[str, ...]:
    """The environment names of the settings that hold secrets (every `SecretStr` setting)."""
    return tuple(
        str(field.validation_alias)
        for field in Settings.model_fields.values()
        if _holds_secret(field.annotation)
    )


def secrets_of(settings: Settings) -> list[str]:
    """Every secret the settings hold: tokens, keys, the database password, inbox passwords."""
    values: list[str | None] = [
        value.get_secret_value()
        for name, field in Settings.model_fields.items()
        if _holds_secret(field.annotation) and (value := getattr(settings, name)) is not None
    ]
    values.append(url_password(settings.database_url))
    values.extend(inbox.secret() for inbox in settings.inboxes)
    return [value for value in values if value]


def secrets_in_environment(environ: Mapping[str, str] | None = None) -> list[str]:
    """The secrets set in the environment, known before (or without) reading the settings."""
    environ = os.environ if environ is None else environ
    names = set(secret_setting_names())
    values = [value for key, value in environ.items() if key.upper() in names]
    values.append(url_password(environ.get("DATABASE_URL")) or "")
    return [value for value in values if value]


def early_logging(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """TONEWATCH_LOG_LEVEL and TONEWATCH_LOG_FORMAT as the environment sets them: the logging in force
    before a command reads the settings (`run` then applies the settings' own, .env included)."""
    environ = os.environ if environ is None else environ
    level = environ.get("TONEWATCH_LOG_LEVEL", "WARNING")
    return level, environ.get("TONEWATCH_LOG_FORMAT", "text").strip().lower()


def debug_tracebacks(environ: Mapping[str, str] | None = None) -> bool:
    """TONEWATCH_DEBUG set: an unexpected error in a command prints its traceback."""
    environ = os.environ if environ is None else environ
    return bool(environ.get("TONEWATCH_DEBUG"))


def secrets_in_env_file(env_file: str | Path | None) -> list[str]:
    """The secrets an env file sets (they reach the settings without passing through the environment)."""
    if env_file is None or not Path(env_file).is_file():
        return []
    from dotenv import dotenv_values

    return secrets_in_environment({key: value for key, value in dotenv_values(env_file).items() if value})


def _secret_inputs(exc: ValidationError) -> list[str]:
    """The secret values among what failed validation (from the environment, .env or overrides)."""
    names = set(secret_setting_names())
    found: list[str] = []

    def take(name: object, value: object) -> None:
        if not isinstance(value, str):
            return
        if str(name).upper() in names:
            found.append(value)
        elif str(name).upper() == "DATABASE_URL":
            found.append(url_password(value) or "")

    for err in exc.errors():
        given = err.get("input")
        if err["loc"]:
            take(err["loc"][0], given)
        elif isinstance(given, Mapping):  # a rule across settings gets every given value
            for key, value in given.items():
                take(key, value)
    return found
