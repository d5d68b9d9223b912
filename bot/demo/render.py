"""What Slack would show, as terminal text: Block Kit messages recorded by the Slack stand-in.

`SlackTranscript` reads `FakeSlackAPI`'s recorded calls: the messages posted
in a channel (with their latest edit), their thread replies, and the files
shared; `render_blocks` turns Block Kit and mrkdwn into plain lines.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

from bot.demo.slack_standin import Call, FakeSlackAPI

EMOJI = {
    "red_circle": "🔴",
    "large_orange_circle": "🟠",
    "large_yellow_circle": "🟡",
    "large_green_circle": "🟢",
    "large_blue_circle": "🔵",
    "rotating_light": "🚨",
    "seedling": "🌱",
    "crossed_swords": "⚔️",
    "white_check_mark": "✅",
    "bell": "🔔",
    "no_entry": "⛔",
    "eyes": "👀",
    "calendar": "📅",
    "warning": "⚠️",
}
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_CHANNEL = re.compile(r"<#([A-Z0-9_]+)(?:\|([^>]*))?>")
_USER = re.compile(r"<@([A-Z0-9_]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")


def mrkdwn(text: str, names: dict[str, str]) -> str:
    """Slack mrkdwn as a terminal shows it: dates, channels, people and links in words, no markup."""
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or names.get(m.group(1), m.group(1))), text)
    text = _USER.sub(lambda m: "@" + (m.group(2) or names.get(m.group(1), m.group(1))), text)
    text = _LINK.sub(lambda m: f"[{m.group(2) or 'link'} ↗]", text)
    text = _BOLD.sub(lambda m: m.group(1), text)
    text = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    return html.unescape(text)


def _element_text(element: dict[str, Any], names: dict[str, str]) -> str:
    text = element.get("text")
    if isinstance(text, dict):
        text = text.get("text", "")
    return mrkdwn(str(text or ""), names)


def render_blocks(
    blocks: list[dict[str, Any]] | None, names: dict[str, str], fallback: str = ""
) -> list[str]:
    """Block Kit blocks as lines (the fallback text when there are none)."""
    if not blocks:
        return mrkdwn(fallback, names).splitlines()
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("section", "header"):
            text = _element_text(block, names)
            lines.extend(text.upper().splitlines() if kind == "header" else text.splitlines())
        elif kind == "context":
            lines.append("  " + " ".join(_element_text(e, names) for e in block.get("elements", [])))
        elif kind == "actions":
            buttons = []
            for element in block.get("elements", []):
                label = element.get("text") or element.get("placeholder") or {}
                caret = " ▾" if element.get("type", "").endswith("select") else ""
                buttons.append(f"[{label.get('text', '')}{caret}]")
            lines.append(" ".join(buttons))
        elif kind == "divider":
            lines.append("─" * 40)
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
    return lines


def indent(lines: list[str], prefix: str = "  ", width: int = 110) -> str:
    out: list[str] = []
    for line in lines:
        wrapped = textwrap.wrap(line, width - len(prefix), subsequent_indent="  ") or [""]
        out.extend(prefix + piece for piece in wrapped)
    return "\n".join(out)


@dataclass
class Posted:
    """A message as it stands now in a channel: its latest blocks, its thread and the files shared in it."""

    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    replies: list[Posted] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    edits: int = 0


class SlackTranscript:
    def __init__(self, api: FakeSlackAPI) -> None:
        self.api = api

    def channel(self, channel: str) -> list[Posted]:
        """Top-level messages of `channel`, oldest first, each with its thread replies."""
        posts = [c for c in self.api.posts(channel) if c.ok]
        stored = list(self.api.messages.get(channel, []))
        messages = [
            Posted(stored_message["ts"], call.text, call.json_arg("blocks"), call.args.get("thread_ts"))
            for call, stored_message in zip(posts, stored, strict=False)
        ]
        by_ts = {m.ts: m for m in messages}
        for call in self.api.calls_to("chat.update"):
            target = by_ts.get(str(call.args.get("ts")))
            if call.ok and call.channel == channel and target is not None:
                target.text, target.blocks = call.text, call.json_arg("blocks")
                target.edits += 1
        roots = [m for m in messages if not m.thread_ts]
        for message in messages:
            if message.thread_ts and message.thread_ts in by_ts:
                by_ts[message.thread_ts].replies.append(message)
            elif message.thread_ts:
                roots.append(message)  # a reply under someone else's message (a question asked by mention)
        for call in self.api.calls_to("files.completeUploadExternal"):
            if call.ok and (call.args.get("channel_id") == channel or call.args.get("channels") == channel):
                titles = [f.get("title") or f.get("id") for f in call.json_arg("files") or []]
                parent = by_ts.get(str(call.args.get("thread_ts") or ""))
                (parent.files if parent else roots[-1].files if roots else []).extend(titles)
        return roots

    def files_in(self, channel: str) -> list[str]:
        return [
            str(f.get("title") or f.get("id"))
            for call in self.api.calls_to("files.completeUploadExternal")
            if call.ok and call.args.get("channel_id") == channel
            for f in call.json_arg("files") or []
        ]

    def ephemeral(self, channel: str) -> list[Call]:
        return [c for c in self.api.calls_to("chat.postEphemeral") if c.ok and c.channel == channel]
