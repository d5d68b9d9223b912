"""Slack's message markup in and out: plain text for the analyzer, escaped text for Block Kit."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

_USER = re.compile(r"<@([UW][A-Z0-9_]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9_]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def plain_text(text: str) -> str:
    """What a person reads in Slack, as plain text: mentions, channels and links turned into words."""
    text = _USER.sub(lambda m: "@" + (m.group(2) or "someone"), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or "channel"), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _SUBTEAM.sub(lambda m: m.group(1) or "@team", text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    return html.unescape(text)


def escape(text: str) -> str:
    """Text shown in mrkdwn as written: Slack's three control characters escaped.

    THE rule for Slack: every piece of text that did not come from Tonewatch's own templates (customer
    words, account names, authors, analysis text, people's input) goes through this before it is put
    in mrkdwn, the top-level `text` of a message included. Escaped, `<!channel>`, `<@U…>`, `<#C…>`,
    `<!subteam^…>` and `<https://x|label>` are shown as typed: nobody is mentioned, nothing is linked.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: Markup Tonewatch itself never writes: a broadcast or group mention.
_BROADCAST = re.compile(r"<(?=!(?:here|channel|everyone|subteam\^))", re.IGNORECASE)


def defuse(text: str) -> str:
    """The last line of defence, applied by `SlackPoster` to everything it sends: broadcast and
    group mentions shown as typed whatever their origin (Tonewatch's templates never contain one)."""
    return _BROADCAST.sub("&lt;", text)


def defuse_blocks(node: Any) -> Any:
    """`defuse` applied to every text of a Block Kit structure (a copy; the input is not changed)."""
    if isinstance(node, str):
        return defuse(node)
    if isinstance(node, list):
        return [defuse_blocks(item) for item in node]
    if isinstance(node, dict):
        return {key: value if key in _VERBATIM_KEYS else defuse_blocks(value) for key, value in node.items()}
    return node


#: Block Kit fields that are identifiers, never shown as mrkdwn.
_VERBATIM_KEYS = frozenset({"action_id", "block_id", "value", "callback_id", "private_metadata", "url"})


def channel_id_in(text: str) -> str | None:
    """The channel a command argument names (`<#C123|name>` once Slack escaped it)."""
    match = _CHANNEL.search(text)
    return match.group(1) if match else None


def ts_to_datetime(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)
