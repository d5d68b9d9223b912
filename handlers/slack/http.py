"""Bolt over our aiohttp server: /slack/events (events, commands, interactivity) and the OAuth pages."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.runtime.telemetry import Telemetry
from handlers.slack.payload import MalformedPayload, envelope_problem

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
#: Told to Slack with every refusal of a signed but malformed payload: sending it again won't help.
NO_RETRY = {"X-Slack-No-Retry": "1"}
#: How old (or new) a signed request's timestamp may be, as slack_sdk's verifier allows.
MAX_CLOCK_SKEW_SECONDS = 5 * 60
#: A Unix time in seconds has 10 digits until the year 2286.
MAX_TIMESTAMP_DIGITS = 12


def plausible_signing_headers(timestamp: str | None, signature: str | None) -> bool:
    """Headers Bolt's verifier can read without failing (a 500): a short decimal timestamp, an
    ASCII signature. Missing ones are Bolt's to refuse."""
    if timestamp is not None and not (
        timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS
    ):
        return False
    return signature is None or signature.isascii()


def is_signed(body: bytes, timestamp: str, signature: str, secret: str) -> bool:
    """Slack's v0 signature over the raw bytes, and a timestamp within five minutes.

    slack_sdk's `SignatureVerifier` decodes the body as UTF-8 first, so it cannot
    tell a signed body that is not UTF-8 from a forged one; this is the same
    check on the bytes, only to choose between "malformed" (400) and "unsigned" (401).
    """
    if not secret or not timestamp or not plausible_signing_headers(timestamp, signature):
        return False
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


def answer_malformed_payloads(app: AsyncApp) -> None:
    """A listener's `MalformedPayload` becomes a 400 naming the field; any other error stays a 500.

    A 500 makes Slack redeliver, which is right for a failure on our side (the
    database, a Slack API call) and useless for a payload that will never parse.
    """

    async def on_error(error: Exception) -> BoltResponse | None:
        if isinstance(error, MalformedPayload):
            # Said at DEBUG only: the refusal is counted and logged, rate-limited, by the route.
            log.debug("Slack payload refused: %s", error)
            return BoltResponse(
                status=400,
                body=json.dumps({"error": f"malformed Slack payload: {error}"}),
                headers={"content-type": "application/json", **{k.lower(): v for k, v in NO_RETRY.items()}},
            )
        log.error("Slack listener failed: %s: %s", type(error).__name__, error, exc_info=error)
        return None

    app.error(on_error)


def bolt_routes(app: AsyncApp, telemetry: Telemetry, events_path: str = EVENTS_PATH) -> list[web.RouteDef]:
    """The routes that hand Slack's requests to Bolt (which verifies every signature)."""
    answer_malformed_payloads(app)

    async def events(request: web.Request) -> web.Response:
        stamp = request.headers.get("X-Slack-Request-Timestamp")
        if not plausible_signing_headers(stamp, request.headers.get("X-Slack-Signature")):
            # Bolt's verifier would fail on them with a 500 (int() of 310 digits, non-ASCII bytes).
            telemetry.refused(events_path, "signature", 401)
            return web.json_response({"error": "invalid request"}, status=401)
        retry = request.headers.get("X-Slack-Retry-Num")
        if retry:
            log.info(
                "Slack redelivery %r (%r)", retry[:10], request.headers.get("X-Slack-Retry-Reason", "?")[:40]
            )
        try:
            bolt_request = await to_bolt_request(request)
        except (UnicodeDecodeError, LookupError):  # LookupError: a charset Python does not know
            return await unreadable(request, "the body is not UTF-8")
        except RecursionError:
            return await unreadable(request, "the JSON nests too deeply")
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            return await unreadable(request, "expected Slack's JSON or form payload")
        if not isinstance(bolt_request.body, dict):
            return await unreadable(request, "expected Slack's JSON or form payload")
        problem = envelope_problem(bolt_request.body)
        if problem:
            return await unreadable(request, problem)
        response = await app.async_dispatch(bolt_request)
        if response.status >= 400:
            reason = {401: "signature", 400: "malformed"}.get(response.status, f"status_{response.status}")
            telemetry.refused(events_path, reason, response.status)
        return await to_aiohttp_response(response)

    async def unreadable(request: web.Request, problem: str) -> web.Response:
        # Bolt parses before it verifies; a body it cannot parse or route gets the same answer it
        # would have got unsigned (401), or a clear 400 when it was signed, and Slack is told not to retry.
        signed = is_signed(
            await request.read(),
            request.headers.get("X-Slack-Request-Timestamp", ""),
            request.headers.get("X-Slack-Signature", ""),
            getattr(app, "_signing_secret", "") or "",
        )
        reason = "malformed" if signed else "signature"
        telemetry.refused(events_path, reason, 400 if signed else 401)
        if not signed:
            return web.json_response({"error": "invalid request"}, status=401)
        error = {"error": f"malformed request body: {problem}"}
        return web.json_response(error, status=400, headers=NO_RETRY)

    routes = [web.post(events_path, events)]
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def oauth_redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        routes += [web.get(flow.install_path, install), web.get(flow.redirect_uri_path, oauth_redirect)]
    return routes
