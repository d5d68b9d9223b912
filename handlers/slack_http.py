"""Bolt over our aiohttp server: /slack/events (events, commands, interactivity) and the OAuth pages."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.telemetry import Telemetry

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def bolt_routes(app: AsyncApp, telemetry: Telemetry, events_path: str = EVENTS_PATH) -> list[web.RouteDef]:
    """The routes that hand Slack's requests to Bolt (which verifies every signature)."""

    async def events(request: web.Request) -> web.Response:
        retry = request.headers.get("X-Slack-Retry-Num")
        if retry:
            log.info("Slack redelivery %s (%s)", retry, request.headers.get("X-Slack-Retry-Reason", "?"))
        try:
            bolt_request = await to_bolt_request(request)
            if not isinstance(bolt_request.body, dict):
                raise ValueError("the body is not a JSON object or a form")
        except (ValueError, TypeError, AttributeError, KeyError, UnicodeDecodeError):
            return await unreadable(request)
        response = await app.async_dispatch(bolt_request)
        if response.status >= 400:
            reason = "signature" if response.status == 401 else f"status_{response.status}"
            telemetry.requests_rejected.labels(events_path, reason).inc()
        return await to_aiohttp_response(response)

    async def unreadable(request: web.Request) -> web.Response:
        # Bolt parses before it verifies; a body it cannot parse gets the same answer it would have
        # got unsigned (401), or a clear 400 when it was signed, and Slack is told not to retry.
        body = await request.read()
        verifier = SignatureVerifier(getattr(app, "_signing_secret", "") or "")
        try:
            signed = verifier.is_valid(
                body=body,
                timestamp=request.headers.get("X-Slack-Request-Timestamp", ""),
                signature=request.headers.get("X-Slack-Signature", ""),
            )
        except (ValueError, TypeError):  # a missing or non-numeric timestamp
            signed = False
        reason = "malformed" if signed else "signature"
        telemetry.requests_rejected.labels(events_path, reason).inc()
        if not signed:
            return web.json_response({"error": "invalid request"}, status=401)
        return web.json_response(
            {"error": "malformed request body: expected Slack's JSON or form payload"},
            status=400,
            headers={"X-Slack-No-Retry": "1"},
        )

    routes = [web.post(events_path, events)]
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def oauth_redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        routes += [web.get(flow.install_path, install), web.get(flow.redirect_uri_path, oauth_redirect)]
    return routes
