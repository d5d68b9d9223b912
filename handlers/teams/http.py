"""POST /api/messages: Teams' way in, and who may use it.

With TEAMS_APP_ID set, every request must carry a Bot Framework token for our
app id, checked before the activity is looked at (`handlers/teams/tokens.py`:
signature against the cloud's published keys, issuer, audience, expiry,
endorsement for the channel, and that it was issued for the activity's
service URL); anything wrong is a 401. Without an app id (TEAMS_LOCAL_DEV) no
token is checked, so only loopback callers are served (the Agents Playground
or Bot Framework Emulator, a tunnel on the same machine) and a proxied request
(X-Forwarded-For) is refused, since its real caller is unknown.

A well-formed activity goes to the Agents SDK's adapter, which runs the bot's
turn with a Bot Connector client for the activity's service URL.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ClaimsIdentity
from pydantic import BaseModel, ValidationError

from bot.config.settings import Settings
from bot.runtime.telemetry import Telemetry
from handlers.json_text import UNPAIRED_SURROGATE, has_unpaired_surrogate
from handlers.teams.activity import MalformedActivity, activity_problem
from handlers.teams.adapter import BotEndpoints, TeamsAdapter
from handlers.teams.tokens import TokenCheck

log = logging.getLogger(__name__)

PATH = "/api/messages"
NOT_AN_ACTIVITY = "expected a Bot Framework activity"

__all__ = ["PATH", "BotEndpoints", "is_loopback", "messages_route", "quiet_model_errors"]


class _ModelErrorsAnswered(logging.Filter):
    """The SDK's activity model logs every body it cannot read, traceback and quoted values included;
    the route answers such a body with a 400 naming the field, and logs that refusal itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Validation error for Activity")


def quiet_model_errors() -> None:
    """Idempotent; called when the Teams surface is built."""
    sdk = logging.getLogger("microsoft_agents.activity.activity")
    if not any(isinstance(existing, _ModelErrorsAnswered) for existing in sdk.filters):
        sdk.addFilter(_ModelErrorsAnswered())


def is_loopback(request: web.Request) -> bool:
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address((request.remote or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def messages_route(
    adapter: TeamsAdapter,
    on_turn: Callable[[Any], Awaitable[None]],
    settings: Settings,
    telemetry: Telemetry,
    tokens: TokenCheck | None,
) -> web.RouteDef:
    """The route; `tokens` checks each request's token (None only in local development mode)."""
    verified = settings.teams_mode == "verified"
    if verified and tokens is None:
        raise ValueError("a verified Teams surface needs its token check")

    def refuse(status: int, reason: str, text: str) -> web.Response:
        telemetry.refused(PATH, reason, status)
        return web.json_response({"error": text}, status=status)

    async def handle(request: web.Request) -> web.StreamResponse:
        if not verified and not is_loopback(request):
            return refuse(403, "not_loopback", "Teams local development mode serves loopback requests only")
        if request.content_type != "application/json":  # the media type itself; a charset may follow
            return refuse(415, "content_type", "expected Content-Type: application/json")
        header = request.headers.get("Authorization", "")
        if verified and not (header.startswith("Bearer ") and header.isascii()):
            return refuse(401, "no_token", "unauthorized")
        try:
            document = json.loads(await request.text())
        except web.HTTPRequestEntityTooLarge:
            size = f"{request.client_max_size:,}"
            return refuse(413, "too_large", f"the body is over {size} bytes; Teams sends far smaller ones")
        except (UnicodeDecodeError, LookupError):  # LookupError: a charset Python does not know
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: the body is not UTF-8")
        except json.JSONDecodeError as exc:
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: the body is not JSON ({exc.msg})")
        except RecursionError:
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: the JSON nests too deeply")
        except ValueError:  # an integer of more than 4,300 digits
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: a number has too many digits")
        problem = UNPAIRED_SURROGATE if has_unpaired_surrogate(document) else activity_problem(document)
        if problem:
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: {problem}")
        try:
            activity = Activity.model_validate(document)
        except Exception as exc:  # noqa: BLE001 - the SDK's model raises TypeError as well as ValidationError
            log.debug("Teams activity not readable: %s", type(exc).__name__)  # its text quotes the body
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: {wrong_field(exc)}")
        required = ("conversation", "from_property", "recipient", "service_url")
        missing = [name for name in required if not getattr(activity, name)]
        if missing:
            # Every activity Teams sends names its conversation, sender, recipient (the bot) and service URL.
            fields = ", ".join("from" if m == "from_property" else m for m in missing)
            return refuse(400, "bad_body", f"activity is missing {fields}")
        identity = ClaimsIdentity()  # anonymous: local development mode
        if tokens is not None and verified:
            try:
                identity = await tokens.claims(header, activity)
            except Exception as exc:  # noqa: BLE001 - every way a token can be wrong is a 401
                log.debug("Teams request refused: %s: %s", type(exc).__name__, exc)
                return refuse(401, "bad_token", "unauthorized")
        try:
            invoke = await adapter.process_activity(identity, activity, on_turn)
        except MalformedActivity as exc:
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: {exc}")
        except Exception:  # noqa: BLE001 - logged with an id; Teams may redeliver
            error_id = uuid.uuid4().hex[:8]
            log.exception("Teams activity %s (%s) failed, error id %s", activity.id, activity.type, error_id)
            return web.json_response({"error": f"internal error {error_id}"}, status=500)
        if invoke is not None and invoke.status == HTTPStatus.NOT_IMPLEMENTED:
            # The SDK's answer to an invoke no handler takes; Tonewatch's cards use Action.Submit.
            name = activity.name or "a card action"
            return refuse(400, "unsupported", f"Tonewatch does not handle invoke activities ({name})")
        if invoke is not None:
            body = invoke.body
            if isinstance(body, BaseModel):
                body = body.model_dump(mode="json", by_alias=True, exclude_none=True)
            return web.json_response(body, status=int(invoke.status or HTTPStatus.OK))
        return web.Response(status=201)

    return web.post(PATH, handle)


def wrong_field(error: Exception) -> str:
    """Which field the SDK's activity model refused, by its JSON path (never its value)."""
    if isinstance(error, ValidationError) and error.errors():
        path = ".".join(str(part) for part in error.errors()[0]["loc"])
        if path.isascii() and path.isprintable() and len(path) <= 100:
            return f"{path} has the wrong format"
    return "a field has the wrong format"
