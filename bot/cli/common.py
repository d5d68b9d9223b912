"""What the sub-commands share: settings, the analyzer, running a coroutine.

Imports here stay light: every sub-command module uses this one, and `tonewatch --help` loads them all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

import click

from storage.tenants import DEFAULT_TENANT

if TYPE_CHECKING:
    from bot.analysis.base import Analyzer
    from bot.config.settings import Settings

T = TypeVar("T")


def _tenant(_context: click.Context, _param: click.Parameter, value: str) -> str:
    from bot.messages.inbound import tenant_problem

    value = value.strip()
    if problem := tenant_problem(value):
        raise click.BadParameter(problem)
    return value


#: `--tenant`: whose data a command reads or writes (storage/tenants.py); the default tenant unless named.
tenant_option = click.option(
    "--tenant",
    default=DEFAULT_TENANT,
    show_default=True,
    callback=_tenant,
    metavar="TENANT",
    help="Whose data: a Slack workspace (slack:T0123), Enterprise org (slack:E0123), Teams tenant "
    "(teams:<tenant id>), or the default tenant of a single-organization install.",
)


#: The range of `--as-of`: reports look back from it (eval --team up to 3,650 days, charts 13 weeks)
#: and read it in a time zone (up to 14 hours ahead); near either end of the calendar those would
#: leave it.
EARLIEST_AS_OF = datetime(1970, 1, 1, tzinfo=UTC)
AFTER_LATEST_AS_OF = datetime(9999, 1, 1, tzinfo=UTC)


def as_of_moment(value: str | None) -> datetime:
    """`--as-of`: an ISO date or datetime (UTC if no zone) from 1970 to 9998; now when not given."""
    from bot.messages.importer import parse_timestamp
    from storage.types import utcnow

    if value is None:
        return utcnow()
    try:
        moment = parse_timestamp(value)
    except ValueError:
        moment = None
    if moment is None or not EARLIEST_AS_OF <= moment < AFTER_LATEST_AS_OF:
        raise click.BadParameter(
            f"{value[:40]!r} is not an ISO date like 2026-11-23 or 2026-11-23T09:00 "
            "from 1970-01-01 to 9998-12-31",
            param_hint="--as-of",
        )
    return moment


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
