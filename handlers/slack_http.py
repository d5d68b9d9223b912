"""Bolt over our aiohttp server: /slack/events (events, commands, interactivity) and the OAuth pages."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.telemetry import Telemetry

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def bolt_routes(app: AsyncApp, telemetry: Telemetry, events_path: str = EVENTS_PATH) -> list[web.RouteDef]:
    """The routes that hand Slack's requests to Bolt (which verifies every signature)."""

    async def events(request: web.Request) -> web.Response:
        retry = request.headers.get("X-Slack-Retry-Num")
        if retry:
            log.info("Slack redelivery %s (%s)", retry, request.headers.get("X-Slack-Retry-Reason", "?"))
        response = await app.async_dispatch(await to_bolt_request(request))
        if response.status >= 400:
            reason = "signature" if response.status == 401 else f"status_{response.status}"
            telemetry.requests_rejected.labels(events_path, reason).inc()
        return await to_aiohttp_response(response)

    routes = [web.post(events_path, events)]
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def oauth_redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        routes += [web.get(flow.install_path, install), web.get(flow.redirect_uri_path, oauth_redirect)]
    return routes
