"""What the sub-commands share: settings, the analyzer, running a coroutine.

Imports here stay light: every sub-command module uses this one, and `tonewatch --help` loads them all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from bot.analysis.base import Analyzer
    from bot.config.settings import Settings

T = TypeVar("T")


def settings() -> Settings:
    from bot.config.settings import load_settings, secrets_of
    from bot.runtime.logs import protect

    config = load_settings()
    protect(*secrets_of(config))  # .env values too, which the environment alone did not show
    return config


def analyzer_for_cli(config: Settings) -> tuple[Analyzer, Callable[[], Awaitable[None]]]:
    """The configured analyzer, without creating a database just to look for a trained model."""
    from bot.composition import build_analyzer, build_offline_analyzer, engine_if_schema, sqlite_file_missing

    engine = None if sqlite_file_missing(config.database_url) else engine_if_schema(config)
    offline = build_offline_analyzer(config, engine)
    analyzer, closers = build_analyzer(config, offline)

    async def close() -> None:
        for closer in closers:
            await closer()
        if engine is not None:
            engine.dispose()

    return analyzer, close


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    import asyncio

    async def main() -> T:
        return await make()

    return asyncio.run(main())
