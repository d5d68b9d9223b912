"""Reading fields of Slack payloads with the types Tonewatch relies on, or saying plainly what is wrong.

Slack always sends ids and timestamps as strings and objects as objects; a
signed payload that does not (a script holding the signing secret, a proxy
that rewrote the body) must get a clear 400, not a crash deep in a listener
and a 500 that Slack would redeliver three times. Listeners read the fields
they use through these helpers; `MalformedPayload` is turned into that 400 by
`handlers/slack/http.py`, and the envelope Bolt itself routes on is checked
there before Bolt sees it (`envelope_problem`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from handlers.json_text import UNPAIRED_SURROGATE, has_unpaired_surrogate

#: A Slack message timestamp: seconds, then a fraction ("1712345678.123456"). Eleven digits keep
#: the date inside what Python's datetime can hold.
_TS = re.compile(r"\d{1,11}(\.\d{1,9})?")
#: Ids name alerts in button values and modal metadata; database ids are positive 63-bit integers.
_ALERT_ID = re.compile(r"[1-9]\d{0,17}")


class MalformedPayload(ValueError):
    """A signed Slack payload with a field Tonewatch needs missing or of the wrong type."""


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for error messages ("number", not "int")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _wrong(where: str, key: str, expected: str, value: Any) -> MalformedPayload:
    return MalformedPayload(f"{where}.{key} must be {expected}, not {json_type(value)}")


def object_field(payload: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    """An object field; {} when absent or null."""
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _wrong(where, key, "an object", value)
    return value


def text_field(payload: Mapping[str, Any], key: str, where: str) -> str:
    """A text field; "" when absent or null. NUL characters are dropped: no database stores them."""
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _wrong(where, key, "a string", value)
    return value.replace("\x00", "")


def optional_id(payload: Mapping[str, Any], key: str, where: str) -> str | None:
    """An id field (a channel, a user, an event); None when absent, null or empty."""
    value = payload.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _wrong(where, key, "a string", value)
    if len(value) > 255 or "\x00" in value:
        raise MalformedPayload(f"{where}.{key} is not a Slack id")
    return value


def required_id(payload: Mapping[str, Any], key: str, where: str) -> str:
    value = optional_id(payload, key, where)
    if value is None:
        raise MalformedPayload(f"{where}.{key} is missing")
    return value


def optional_ts(payload: Mapping[str, Any], key: str, where: str) -> str | None:
    """A message timestamp ("1712345678.123456"); None when absent, null or empty."""
    value = payload.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _wrong(where, key, "a string", value)
    if not _TS.fullmatch(value):
        raise MalformedPayload(f"{where}.{key} is not a Slack timestamp like 1712345678.123456")
    return value


def required_ts(payload: Mapping[str, Any], key: str, where: str) -> str:
    value = optional_ts(payload, key, where)
    if value is None:
        raise MalformedPayload(f"{where}.{key} is missing")
    return value


def alert_id_in(value: Any, where: str) -> int:
    """The alert id at the start of a button value or modal metadata ("42" or "42:1d")."""
    if not isinstance(value, str):
        raise MalformedPayload(f"{where} must be a string naming an alert, not {json_type(value)}")
    head = value.split(":", 1)[0]
    if not _ALERT_ID.fullmatch(head):
        raise MalformedPayload(f"{where} does not name an alert")
    return int(head)


# --- the envelope Bolt routes on -------------------------------------------------------------------

#: Top-level fields Bolt or Tonewatch read as strings while routing and building the request's
#: context (fields nobody reads, like the legacy `token`, may hold anything).
_STRING_FIELDS = (
    "type", "team_id", "user_id", "channel_id", "enterprise_id", "event_id", "command", "text", "action_id",
    "response_url", "trigger_id", "callback_id", "challenge", "context_team_id", "context_enterprise_id",
    "function_execution_id", "bot_access_token",
)  # fmt: skip
#: Fields Bolt accepts as an id string or as an object carrying the id.
_ID_OR_OBJECT_FIELDS = ("team", "user", "channel", "enterprise")
#: Fields Bolt reads as objects.
_OBJECT_FIELDS = (
    "event",
    "view",
    "container",
    "message",
    "previous_message",
    "item",
    "assistant_thread",
    "function_data",
    "state",
)
#: Fields Bolt reads as arrays of objects.
_LIST_FIELDS = ("authorizations", "actions", "response_urls")
#: Fields Bolt indexes into whenever the key is there, so null is as bad as a wrong type.
_NEVER_NULL = ("event", "view", "actions", "authorizations", "response_urls")
#: Fields Bolt's matchers index without looking, by payload type.
_REQUIRED_BY_TYPE = {
    "shortcut": "callback_id",
    "message_action": "callback_id",
    "interactive_message": "callback_id",
    "dialog_submission": "callback_id",
    "dialog_cancellation": "callback_id",
    "dialog_suggestion": "callback_id",
    "workflow_step_edit": "callback_id",
    "block_suggestion": "action_id",
}


def envelope_problem(body: Mapping[str, Any]) -> str | None:
    """What is wrong with a payload's envelope, in words; None when Bolt can route it safely."""
    if not body:
        return "the body is empty"
    problem = _types_problem(body) or _routing_problem(body)
    event = body.get("event")
    if not problem and isinstance(event, dict):
        inner = _types_problem(event)
        problem = f"event.{inner}" if inner else None
        if not problem and not isinstance(event.get("type"), str):
            problem = "event.type must be a string"
    if not problem and has_unpaired_surrogate(body):
        problem = UNPAIRED_SURROGATE
    return problem


def _types_problem(body: Mapping[str, Any]) -> str | None:
    """A field Bolt reads whose JSON type is not the one it assumes."""
    for key in _NEVER_NULL:
        if key in body and body[key] is None:
            return f"{key} must not be null"
    for key in _STRING_FIELDS:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            return f"{key} must be a string, not {json_type(value)}"
    for key in _ID_OR_OBJECT_FIELDS:
        value = body.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict):
            return f"{key} must be an id or an object, not {json_type(value)}"
        for inner in ("id", "team_id", "enterprise_id"):
            if value.get(inner) is not None and not isinstance(value[inner], str):
                return f"{key}.{inner} must be a string, not {json_type(value[inner])}"
    for key in _OBJECT_FIELDS:
        value = body.get(key)
        if value is not None and not isinstance(value, dict):
            return f"{key} must be an object, not {json_type(value)}"
    for key in _LIST_FIELDS:
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            return f"{key} must be an array of objects"
        for index, item in enumerate(value):
            for inner, inner_value in item.items():
                if inner.endswith("_id") and inner_value is not None and not isinstance(inner_value, str):
                    return f"{key}[{index}].{inner} must be a string, not {json_type(inner_value)}"
    return None


def _routing_problem(body: Mapping[str, Any]) -> str | None:
    """A field Bolt's matchers index without looking, for this payload's type, missing."""
    kind = body.get("type")
    required = _REQUIRED_BY_TYPE.get(kind) if isinstance(kind, str) else None
    if required and not isinstance(body.get(required), str):
        return f"a {kind} payload needs a {required} string"
    actions = body.get("actions") or []  # a list of objects: _types_problem checked
    if kind == "block_actions" and not actions:
        return "a block_actions payload needs at least one action"
    if kind == "block_actions" and not isinstance(actions[0].get("action_id"), str):
        return "actions[0].action_id must be a string"
    view = body.get("view")
    if isinstance(view, dict):
        for key in ("callback_id", "type", "private_metadata", "team_id", "app_installed_team_id"):
            if view.get(key) is not None and not isinstance(view[key], str):
                return f"view.{key} must be a string, not {json_type(view[key])}"
        if kind == "view_submission" and "callback_id" in view and "type" not in view:
            return "view.type is missing"
    return None
