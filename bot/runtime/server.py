"""The one aiohttp application: the probes, /metrics, and every configured surface's routes.

Probes: `GET /livez` says the process serves (it asks nothing else); `GET /readyz` (and `/healthz`,
the same) says whether requests can be served: start-up finished, the database reachable with its
schema at the newest revision, and every configured platform connected; when not, its JSON body says
why. Probes log nothing.

A surface (Slack today; Teams and /ingest later) is its routes plus optional
start and stop steps; `mount` adds one. Nothing here knows a platform SDK.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.runtime.telemetry import Telemetry
from storage.db import Engine, ping
from storage.migrate import is_up_to_date
from storage.queue import depth

log = logging.getLogger(__name__)

HEALTH_TIMEOUT_SECONDS = 3.0
#: The largest request body a route may read (aiohttp's default is 1 MiB). A 40,000-character
#: Slack message of emoji, escaped in JSON and repeated in its blocks, comes near 1 MB; /ingest
#: reads its body itself, under its own documented limit.
MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass
class Surface:
    """A way in: HTTP routes, and what must start and stop with the server (e.g. a Socket Mode link)."""

    name: str
    routes: Sequence[web.AbstractRouteDef] = ()
    start: Callable[[], Awaitable[None]] | None = None
    stop: Callable[[], Awaitable[None]] | None = None
    #: One line for the start-up banner ("http /slack/events", "socket mode").
    describe: str = ""
    #: Why the surface cannot serve right now (None: it can), for readiness.
    problem: Callable[[], str | None] | None = None


@dataclass
class ServerState:
    engine: Engine
    telemetry: Telemetry
    ready: bool = False
    surfaces: list[Surface] = field(default_factory=list)
    #: When set, GET /metrics requires `Authorization: Bearer` it (TONEWATCH_METRICS_TOKEN).
    metrics_token: bytes | None = None


STATE = web.AppKey("tonewatch_state", ServerState)


def mount(app: web.Application, surface: Surface) -> None:
    app.router.add_routes(surface.routes)
    app[STATE].surfaces.append(surface)


_BODY_HEADERS = ("content-type", "content-length")
_ROUTING_ERRORS = {404: "no such route", 405: "method not allowed on this route"}
#: aiohttp decompresses a body as it is read; one that is not what its Content-Encoding says fails then.
UNREADABLE_BODY = "the body could not be read: it is not what its Content-Encoding says, or it ended early"


def route_of(request: web.Request) -> str:
    """The route's path as declared (never the request's own path: metric labels stay few)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unknown"


@web.middleware
async def plain_errors(request: web.Request, handler) -> web.StreamResponse:
    """Every refusal and failure answers in JSON saying what happened, never an HTML error page."""
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return web.json_response({"error": f"the body is over {request.client_max_size:,} bytes"}, status=413)
    except web.RequestPayloadError:
        request.app[STATE].telemetry.refused(route_of(request), "unreadable_body", 400)
        response = web.json_response({"error": UNREADABLE_BODY}, status=400)
        response.force_close()  # the rest of the body cannot be read either
        return response
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        # aiohttp's own refusals (404, 405, …) are plain text: the same words, as JSON.
        headers = {k: v for k, v in exc.headers.items() if k.lower() not in _BODY_HEADERS}
        said = (exc.text or "").strip()
        error = said if said and not said.startswith(f"{exc.status}:") else None
        error = error or _ROUTING_ERRORS.get(exc.status) or exc.reason
        return web.json_response({"error": error}, status=exc.status, headers=headers)
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        log.exception("%s %s failed, error id %s", request.method, request.path, error_id)
        return web.json_response({"error": f"internal error {error_id}"}, status=500)


class ProtocolLog(logging.LoggerAdapter):
    """aiohttp's connection-level log (its `logger`), for `web.AppRunner(logger=...)`.

    aiohttp answers a request its parser refuses (a duplicate Content-Type, an over-long header,
    Content-Length with Transfer-Encoding, an unknown Content-Encoding) with a 400 itself, and logs
    a traceback quoting the request's bytes at ERROR, once per request; after a route refused a body
    that does not decompress, it logs the same failure again while draining it. Those become counted,
    rate-limited refusals (the error's class, never the bytes); every other record passes unchanged.
    """

    def __init__(self, logger: logging.Logger, telemetry: Telemetry) -> None:
        super().__init__(logger, {})
        self.telemetry = telemetry

    def exception(self, msg, *args, exc_info=True, **kwargs) -> None:
        if isinstance(exc_info, web.RequestPayloadError):
            # The rest of a body already refused (plain_errors counted it), or one no route read.
            self.logger.debug(msg, *args)
            return
        if isinstance(exc_info, HttpProcessingError):
            self.telemetry.refused("a request", f"malformed HTTP ({type(exc_info).__name__})", exc_info.code)
            return
        super().exception(msg, *args, exc_info=exc_info, **kwargs)


def body_read_within(seconds: float):
    """A middleware reading each request's body first, within `seconds`: a client that stalls
    mid-body gets a 408 and its connection closed, and no handler waits on it."""

    @web.middleware
    async def read_body(request: web.Request, handler) -> web.StreamResponse:
        if request.body_exists:
            try:
                await asyncio.wait_for(request.read(), seconds)  # kept: handlers read it from memory
            except TimeoutError:
                response = web.json_response(
                    {"error": f"the body did not arrive within {seconds:g} seconds"}, status=408
                )
                response.force_close()
                return response
            except ConnectionResetError:
                # The client hung up before its body arrived: nobody is left to answer, nothing failed.
                log.debug("%s %s: the client left before its body arrived", request.method, request.path)
                gone = {"error": "the connection closed before the body arrived"}
                response = web.json_response(gone, status=400)
                response.force_close()
                return response
        return await handler(request)

    return read_body


def build_web_app(
    engine: Engine,
    telemetry: Telemetry,
    surfaces: Iterable[Surface] = (),
    read_timeout: float | None = None,
    metrics_token: str | None = None,
) -> web.Application:
    middlewares = [plain_errors] + ([body_read_within(read_timeout)] if read_timeout else [])
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=middlewares)
    app[STATE] = ServerState(engine, telemetry)
    app[STATE].metrics_token = metrics_token.encode() if metrics_token else None
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/healthz", readyz)
    app.router.add_get("/metrics", metrics)
    for surface in surfaces:
        mount(app, surface)
    return app


def mark_ready(app: web.Application, ready: bool = True) -> None:
    """/healthz answers 200 from now on (while the database is reachable and migrated)."""
    app[STATE].ready = ready


def _database_ok(engine: Engine) -> str | None:
    try:
        ping(engine)
        if not is_up_to_date(engine):
            return "database schema is not at the newest revision (run: tonewatch db upgrade)"
    except Exception as exc:  # noqa: BLE001 - any failure is "not healthy", said plainly
        return f"database unreachable: {type(exc).__name__}"
    return None


async def livez(request: web.Request) -> web.Response:
    """The process is alive and its event loop answers; nothing else is asked."""
    return web.json_response({"status": "alive"})


def _surface_problems(state: ServerState) -> list[str]:
    problems = []
    for surface in state.surfaces:
        if surface.problem is None:
            continue
        try:
            problem = surface.problem()
        except Exception as exc:  # noqa: BLE001 - a probe that fails is a reason, said plainly
            problem = f"readiness check failed ({type(exc).__name__})"
        if problem:
            problems.append(f"{surface.name}: {problem}")
    return problems


async def readyz(request: web.Request) -> web.Response:
    """Ready to serve: started, the database reachable and migrated, every platform connected."""
    state = request.app[STATE]
    surfaces = _surface_problems(state)
    if not state.ready:
        reason = "; ".join(surfaces) or "starting the configured surfaces"
        return web.json_response({"status": "starting", "reason": reason}, status=503)
    try:
        problem = await asyncio.wait_for(
            asyncio.to_thread(_database_ok, state.engine), HEALTH_TIMEOUT_SECONDS
        )
    except TimeoutError:
        problem = "database check timed out"
    problems = ([problem] if problem else []) + surfaces
    if problems:
        return web.json_response({"status": "unhealthy", "reason": "; ".join(problems)}, status=503)
    return web.json_response({"status": "ok", "surfaces": [s.name for s in state.surfaces]})


async def metrics(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.metrics_token is not None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        sent = token.strip().encode("utf-8", "surrogateescape")
        if scheme.lower() != "bearer" or not hmac.compare_digest(sent, state.metrics_token):
            state.telemetry.refused("/metrics", "auth", 401)
            return web.json_response(
                {"error": "missing or wrong bearer token"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="tonewatch-metrics"'},
            )
    try:
        counts = await asyncio.to_thread(depth, state.engine)
        for status in ("pending", "running", "failed"):
            state.telemetry.queue_depth.labels(status).set(counts.get(status, 0))
    except Exception:  # noqa: BLE001 - metrics still answer when the database does not
        log.warning("queue depth unavailable", exc_info=True)
    body = generate_latest(state.telemetry.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
