"""The Slack surface: Bolt's AsyncApp with Tonewatch's listeners, served over HTTP or Socket Mode.

`build_slack` is called by the composition root with the core's parts; it
creates the clients and the app (nothing at import). The `Registrar` records
every event, command, action and view registered on the app, which is what the
manifest test compares `manifest.yml` against.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners

from bot.accounts.book import AccountBook
from bot.accounts.suppression import Suppression
from bot.alerts.service import AlertService
from bot.chat.inflight import Background, RecentKeys
from bot.config.settings import Settings
from bot.messages.pipeline import MessagePipeline
from bot.messages.places import PlaceRegistry
from bot.runtime.logs import silence_rejected_bodies
from bot.runtime.server import Surface
from bot.runtime.telemetry import Telemetry
from bot.secrets import SecretBox
from handlers.slack.actions import SlackActions
from handlers.slack.answers import SlackAnswers
from handlers.slack.clients import SlackClients
from handlers.slack.commands import SlackCommands
from handlers.slack.deps import SlackDeps
from handlers.slack.directory import SlackDirectory
from handlers.slack.events import SlackEvents
from handlers.slack.home import SlackHome
from handlers.slack.http import bolt_routes
from handlers.slack.oauth import DbInstallationStore, build_oauth_flow
from handlers.slack.poster import SlackPoster
from storage.db import Engine
from storage.slack_installations import ChannelTeams
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Registrar:
    """Registers listeners on the app and remembers what was registered (for the manifest test)."""

    app: AsyncApp
    events: set[str] = field(default_factory=set)
    commands: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    listeners: int = 0

    def event(self, name: str, listener: Callable, manifest_names: tuple[str, ...] = ()) -> None:
        self.app.event(name)(listener)
        self.events.update(manifest_names or (name,))
        self.listeners += 1

    def command(self, name: str, ack: Callable, lazy: list[Callable] | None = None) -> None:
        self.app.command(name)(ack=ack, lazy=lazy or [])
        self.commands.add(name)
        self.listeners += 1

    def action(self, action_id: str, listener: Callable) -> None:
        self.app.action(action_id)(listener)
        self.actions.add(action_id)
        self.listeners += 1

    def view(self, callback_id: str, listener: Callable) -> None:
        self.app.view(callback_id)(listener)
        self.views.add(callback_id)
        self.listeners += 1


@dataclass
class SlackRuntime:
    app: AsyncApp
    registrar: Registrar
    deps: SlackDeps
    #: Slack's outbound port: alerts, thread notes, digests, notices (`bot.outbound.port.Poster`).
    poster: SlackPoster
    surface: Surface


class _DropTokenNotice(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN is unused when given a client; ours carries that very token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def secret_box(settings: Settings) -> SecretBox | None:
    """What encrypts workspace tokens at rest: TONEWATCH_SECRET_KEY's keys, or nothing (said once)."""
    if settings.secret_key is None:
        log.warning(
            "Slack workspace tokens are stored unencrypted: set TONEWATCH_SECRET_KEY "
            "(make one with: tonewatch secrets new-key)"
        )
        return None
    return SecretBox(settings.secret_key.get_secret_value())


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("tonewatch.slack.bolt")
    if not any(isinstance(f, _DropTokenNotice) for f in logger.filters):
        logger.addFilter(_DropTokenNotice())
    silence_rejected_bodies(logger)
    return logger


def _register_uninstall(registrar: Registrar, installations: DbInstallationStore | None) -> None:
    """Forget a workspace's tokens when it uninstalls Tonewatch or revokes them."""
    if installations is not None:
        revocation = AsyncTokenRevocationListeners(installations)
        registrar.event("tokens_revoked", revocation.handle_tokens_revoked_events)
        registrar.event("app_uninstalled", revocation.handle_app_uninstalled_events)
        return

    async def uninstalled(event: dict, context) -> None:
        log.warning("Slack: Tonewatch was uninstalled or its tokens revoked in %s", context.team_id)

    registrar.event("tokens_revoked", uninstalled)
    registrar.event("app_uninstalled", uninstalled)


def build_slack(
    settings: Settings,
    engine: Engine,
    pipeline: MessagePipeline,
    places: PlaceRegistry,
    alerts: AlertService,
    telemetry: Telemetry,
    wake: Callable[[], None],
    book: AccountBook | None = None,
    suppression: Suppression | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> SlackRuntime:
    """The Slack surface; `clock` is what "now" is for answers and the App Home (the demo plays a week
    in the past)."""
    mode = settings.slack_mode
    if mode is None:
        raise ValueError("Slack is not configured")
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    installations: DbInstallationStore | None = None
    channel_teams: ChannelTeams | None = None
    if mode == "oauth":
        assert settings.slack_client_id and settings.slack_client_secret
        channel_teams = ChannelTeams(engine)
        installations = DbInstallationStore(engine, settings.slack_client_id, secret_box(settings))
        clients = SlackClients(
            settings.slack_api_url,
            settings.slack_rate_limit_retries,
            installations=installations,
            channel_teams=channel_teams,
            telemetry=telemetry,
        )
        flow = build_oauth_flow(
            engine,
            clients.app_client,
            installations,
            settings.slack_client_secret.get_secret_value(),
            settings.slack_redirect_uri,
        )
        app = AsyncApp(
            client=clients.app_client,
            signing_secret=signing_secret,
            oauth_flow=flow,
            process_before_response=True,
            logger=_bolt_logger(),
        )
    else:
        assert settings.slack_bot_token is not None
        clients = SlackClients(
            settings.slack_api_url,
            settings.slack_rate_limit_retries,
            token=settings.slack_bot_token.get_secret_value(),
            telemetry=telemetry,
        )
        app = AsyncApp(
            client=clients.app_client,
            signing_secret=signing_secret,
            process_before_response=True,
            # Socket Mode requests are not signed; Bolt skips the check for them by itself.
            logger=_bolt_logger(),
        )
    directory = SlackDirectory()
    poster = SlackPoster(clients, directory, places, engine)
    deps = SlackDeps(
        settings=settings,
        engine=engine,
        pipeline=pipeline,
        places=places,
        alerts=alerts,
        telemetry=telemetry,
        clients=clients,
        directory=directory,
        poster=poster,
        recent=RecentKeys(),
        background=Background("Slack"),
        wake=wake,
        channel_teams=channel_teams,
        book=book or AccountBook(engine),
        suppression=suppression or Suppression(engine),
    )
    registrar = Registrar(app)
    questions, home_view = SlackAnswers(deps, clock), SlackHome(deps, clock)
    SlackEvents(deps, questions=questions, home_view=home_view).register(registrar)
    SlackCommands(deps).register(registrar)
    SlackActions(deps).register(registrar)
    _register_uninstall(registrar, installations)
    surface = _surface(settings, app, clients, deps)
    return SlackRuntime(app, registrar, deps, poster, surface)


def _surface(settings: Settings, app: AsyncApp, clients: SlackClients, deps: SlackDeps) -> Surface:
    if settings.slack_mode != "socket":
        return Surface(
            name="slack",
            routes=bolt_routes(app, deps.telemetry),
            stop=deps.background.drain,
            describe=f"Slack over HTTP at /slack/events ({settings.slack_mode})",
        )
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    assert settings.slack_app_token is not None
    handler = AsyncSocketModeHandler(
        app, settings.slack_app_token.get_secret_value(), web_client=clients.build(None)
    )

    client = handler.client
    last_error: list[str] = []
    issue_url = client.issue_new_wss_url

    async def issue_new_wss_url() -> str:
        try:
            url = await issue_url()
        except Exception as exc:
            last_error[:] = [f"{type(exc).__name__}: {str(exc)[:200]}"]
            raise
        last_error.clear()
        return url

    # The Socket Mode client has no hook for a failed URL request: its method is wrapped on this client.
    client.issue_new_wss_url = issue_new_wss_url  # type: ignore[method-assign]
    connecting: list[asyncio.Task] = []

    async def start() -> None:
        # slack_sdk retries the connection forever while Slack cannot be reached: in the background,
        # so start-up finishes, SIGTERM stops it at any moment, and readiness says what is wrong.
        connecting.append(asyncio.create_task(handler.connect_async(), name="slack-socket-mode-connect"))

    def problem() -> str | None:
        tx = client.current_session
        if not client.closed and tx is not None and not tx.closed:
            return None
        why = f" (last error: {last_error[0]})" if last_error else ""
        return f"not connected to Slack in Socket Mode yet{why}"

    async def stop() -> None:
        for task in connecting:
            task.cancel()
        await asyncio.gather(*connecting, return_exceptions=True)
        await handler.close_async()
        await deps.background.drain()

    return Surface(name="slack", start=start, stop=stop, describe="Slack in Socket Mode", problem=problem)
