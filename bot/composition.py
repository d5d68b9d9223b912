"""The composition root: the one place that builds clients, stores and analyzers from settings.

Nothing is created at import time anywhere else; handlers, the CLI and the
scheduler receive what they need from here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from bot.analysis.base import Analyzer
from bot.analysis.offline import OfflineAnalyzer
from bot.config import LlmPolicy, Settings
from bot.pipeline import MessagePipeline
from storage.db import create_db_engine, session_scope
from storage.migrate import is_up_to_date, upgrade
from storage.queries import active_trained_model

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything platform-free the process needs, built once."""

    settings: Settings
    engine: Engine
    offline: OfflineAnalyzer
    analyzer: Analyzer
    pipeline: MessagePipeline
    closers: list = field(default_factory=list)

    async def aclose(self) -> None:
        for close in self.closers:
            await close()
        self.engine.dispose()


def sqlite_file_missing(url: str) -> bool:
    if not url.startswith("sqlite") or url in ("sqlite://", "sqlite:///:memory:"):
        return False
    return not Path(url.split(":///", 1)[-1]).expanduser().exists()


def build_engine(settings: Settings, migrate: bool = True) -> Engine:
    """The database engine, with the schema brought up to date when `migrate` is set."""
    engine = create_db_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return engine


def build_offline_analyzer(settings: Settings, engine: Engine | None) -> OfflineAnalyzer:
    """The offline analyzer, using the active model from `tonewatch train` when there is one."""
    learned = None
    if engine is not None and is_up_to_date(engine):
        from bot.analysis.learned import LearnedModel

        with session_scope(engine) as session:
            stored = active_trained_model(session)
            if stored is not None:
                learned = LearnedModel.from_bytes(stored.blob)
                learned.model_id = stored.id
    return OfflineAnalyzer(learned=learned, competitors=settings.competitor_names)


def build_analyzer(settings: Settings, offline: OfflineAnalyzer) -> tuple[Analyzer, list]:
    """The analyzer the policy asks for: offline only, or offline with Claude (hybrid / all)."""
    if settings.llm_policy == LlmPolicy.off or not settings.claude_configured:
        return offline, []
    from anthropic import AsyncAnthropic

    from bot.analysis.claude import ClaudeAnalyzer
    from bot.analysis.policy import PolicyAnalyzer
    from bot.analysis.prompts import load_prompt

    assert settings.anthropic_api_key is not None
    client = AsyncAnthropic(
        api_key=settings.anthropic_api_key.get_secret_value(),
        base_url=settings.anthropic_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )
    claude = ClaudeAnalyzer(
        client=client,
        model=settings.analysis_model,
        prompt=load_prompt("analyze_message"),
        offline=offline,
        max_text_chars=settings.max_text_chars,
    )
    policy = PolicyAnalyzer(
        policy=settings.llm_policy.value,
        offline=offline,
        claude=claude,
        low_confidence=settings.llm_low_confidence,
    )
    return policy, [client.close]


def build_core(settings: Settings, migrate: bool = True) -> Core:
    engine = build_engine(settings, migrate=migrate)
    offline = build_offline_analyzer(settings, engine)
    analyzer, closers = build_analyzer(settings, offline)
    pipeline = MessagePipeline(engine, analyzer, max_text_chars=settings.max_text_chars)
    return Core(settings, engine, offline, analyzer, pipeline, closers)
