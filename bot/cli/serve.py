"""`tonewatch run`: serve every configured surface from one process."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from bot.cli.common import settings
from bot.runtime.logs import announce, configure_logging
from storage.errors import UserError

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config.settings import Settings

log = logging.getLogger(__name__)

NOTHING_CONFIGURED = (
    "nothing to serve: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (one workspace), "
    "or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET (OAuth), "
    "or TEAMS_APP_ID/TEAMS_APP_PASSWORD/TEAMS_TENANT_ID, or TONEWATCH_INGEST_TOKEN for POST /ingest. "
    "To see Tonewatch work with no keys at all, run: tonewatch demo"
)

SHUTDOWN_SECONDS = 15.0


def keep_start_up_objects_out_of_collections() -> None:
    """Everything built at start-up (modules, the analyzer's lexicons, SQLAlchemy's and pydantic's
    models) lives as long as the process. Left in the collector's oldest generation, every full
    collection walks all of it on the event loop: under 50 events/s those pauses were the slowest
    acknowledgements (p99 195 ms; 59 ms once frozen, docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()


def limit_connections(runner: web.AppRunner, most: int, refused: Callable[[], None]) -> None:
    """Close a new connection at once while `most` are open (the stalled ones time out)."""
    server = runner.server
    assert server is not None
    accept = server.connection_made

    def connection_made(handler, transport) -> None:
        accept(handler, transport)
        if len(server.connections) > most:
            refused()
            transport.close()

    # aiohttp has no hook for a new connection: its method is wrapped on this one server.
    server.connection_made = connection_made  # type: ignore[method-assign]


def url_host(host: str) -> str:
    """The host as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=3000, show_default=True, type=int, help="0 picks a free port.")
def run_command(host: str, port: int) -> None:
    """Serve Slack, Teams, inboxes and the ingest webhook — whichever are configured."""
    from bot.composition import configured_surfaces, require_platform_libraries
    from bot.config.settings import secrets_of, unknown_settings

    config = settings()
    configure_logging(config.log_level, config.log_format, secrets=secrets_of(config))
    for warning in unknown_settings():
        log.warning(warning)
    if not configured_surfaces(config):
        raise UserError(NOTHING_CONFIGURED)
    require_platform_libraries(config)
    asyncio.run(serve(config, host, port))


async def serve(config: Settings, host: str, port: int, stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set), then finish in-flight work and close everything."""
    from aiohttp import web

    from bot.composition import build_core, build_runtime, build_scheduler
    from bot.runtime.server import ProtocolLog, build_web_app, mark_ready

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    core = build_core(config)
    runtime = build_runtime(core)
    app = build_web_app(
        core.engine,
        core.telemetry,
        runtime.surfaces,
        read_timeout=config.http_read_timeout,
        metrics_token=config.metrics_token.get_secret_value() if config.metrics_token else None,
    )
    # keepalive_timeout also closes a connection whose request headers have not all arrived by then.
    # lingering_time: how long a refused body is still read before closing (aiohttp's 10 s by default).
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        keepalive_timeout=config.http_read_timeout,
        lingering_time=min(1.0, config.http_read_timeout),
        logger=ProtocolLog(logging.getLogger("aiohttp.server"), core.telemetry),
    )
    await runner.setup()
    limit_connections(
        runner,
        config.http_max_connections,
        lambda: core.telemetry.refusals("a connection", "TONEWATCH_HTTP_MAX_CONNECTIONS open", 503),
    )
    site = web.TCPSite(runner, host, port)
    await site.start()
    worker_task = asyncio.create_task(runtime.worker.run_forever(), name="tonewatch-worker")
    scheduler = None
    started = []
    try:

        async def start_surfaces() -> None:
            for surface in runtime.surfaces:
                started.append(surface)  # stopped on the way out, even if its start is cut short
                if surface.start is not None:
                    await surface.start()

        # A start-up that hangs (a platform unreachable) gives way to SIGTERM/SIGINT at any moment.
        starting = asyncio.create_task(start_surfaces(), name="tonewatch-start")
        stopping = asyncio.create_task(stop.wait(), name="tonewatch-stop")
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            announce("tonewatch stopping (during start-up)")
            return
        stopping.cancel()
        starting.result()  # a start-up failure is raised here
        scheduler = build_scheduler(runtime)
        if scheduler is not None:
            scheduler.start()
        claude = getattr(core.analyzer, "claude", None)
        if claude is not None:
            # A prompt below the model's cache minimum bills its whole prefix on every call: say so once.
            cache_check = asyncio.create_task(claude.check_prompt_cache(), name="tonewatch-cache-check")  # noqa: F841
        keep_start_up_objects_out_of_collections()
        mark_ready(app)
        bound = runner.addresses[0][1] if runner.addresses else port
        url = f"http://{url_host(host)}:{bound}"
        announce(f"tonewatch listening on {url}", url=url)
        for surface in runtime.surfaces:
            announce(f"  {surface.describe or surface.name}", surface=surface.name)
        await stop.wait()
        announce("tonewatch stopping")
    finally:
        mark_ready(app, False)
        if scheduler is not None:
            with contextlib.suppress(Exception):
                scheduler.shutdown(wait=False)
        for surface in reversed(started):
            if surface.stop is not None:
                try:
                    await asyncio.wait_for(surface.stop(), SHUTDOWN_SECONDS)
                except Exception:  # noqa: BLE001 - keep closing the rest
                    log.warning("stopping %s failed", surface.name, exc_info=True)
        runtime.worker.stop()
        try:
            await asyncio.wait_for(worker_task, SHUTDOWN_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            worker_task.cancel()
        await runner.cleanup()
        await core.aclose()
