"""Reading a Teams activity: where it happened, who wrote it, what it says.

Teams puts a channel's id in `channelData.channel.id` and gives each thread
its own conversation id (`<channel>;messageid=<root>`); chats have no threads.
Message text arrives as HTML-ish markup with the bot's mention as
`<at>Name</at>`; the mention is removed and the markup flattened to text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from handlers.teams_connector import base_id, reference_of
from handlers.teams_conversations import ConversationInfo
from handlers.teams_people import Person, person_from

#: Markup tags only ("a < b > c" in a plain-text message is left alone).
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.IGNORECASE)


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    if isinstance(data, dict):
        return data
    serialize = getattr(data, "serialize", None)
    return serialize() if callable(serialize) else {}


def plain_text(markup: str | None) -> str:
    """Teams message markup as plain text (tags dropped, entities decoded, blank runs collapsed)."""
    if not markup:
        return ""
    text = _TAG.sub("", _BREAK.sub("\n", markup))
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return "\n".join(line for line in lines if line).strip()


def mentions_bot(activity: Activity) -> bool:
    recipient = activity.recipient.id if activity.recipient else None
    for mention in activity.get_mentions() or []:
        mentioned = getattr(mention, "mentioned", None)
        if mentioned is None:
            mentioned = (getattr(mention, "additional_properties", None) or {}).get("mentioned")
        mentioned_id = mentioned.get("id") if isinstance(mentioned, dict) else getattr(mentioned, "id", None)
        if recipient and mentioned_id == recipient:
            return True
    return False


@dataclass(frozen=True)
class Turn:
    """The facts of one inbound activity that the handlers act on."""

    activity_id: str
    #: The channel or chat id (a thread's `;messageid=` removed).
    conversation_id: str
    #: The thread's first post in a channel (None in chats).
    root: str | None
    kind: str
    name: str
    team_id: str | None
    tenant_id: str | None
    author: Person
    text: str
    mentioned: bool
    value: dict[str, Any] | None
    created_at: datetime


def kind_of(activity: Activity) -> str:
    conversation = activity.conversation
    kind = conversation.conversation_type if conversation else None
    if kind in ("channel", "groupChat", "personal"):
        return kind
    return "groupChat" if conversation and conversation.is_group else "personal"


def turn_of(context: TurnContext) -> Turn:
    activity = context.activity
    data = channel_data(activity)
    kind = kind_of(activity)
    conversation = activity.conversation.id if activity.conversation else ""
    channel = (data.get("channel") or {}).get("id") if kind == "channel" else None
    conversation_id = channel or base_id(conversation)
    root = None
    if kind == "channel":
        root = conversation.partition(";messageid=")[2] or activity.reply_to_id or activity.id
    mentioned = mentions_bot(activity)
    text = activity.text or ""
    if mentioned:
        text = TurnContext.remove_recipient_mention(activity) or ""
    moment = activity.timestamp or datetime.now(UTC)
    return Turn(
        activity_id=str(activity.id or ""),
        conversation_id=conversation_id,
        root=root,
        kind=kind,
        name=_name(data, activity, kind),
        team_id=(data.get("team") or {}).get("id"),
        tenant_id=(data.get("tenant") or {}).get("id") or getattr(activity.conversation, "tenant_id", None),
        author=person_from(activity.from_property) if activity.from_property else Person(id=""),
        text=plain_text(text),
        mentioned=mentioned,
        value=activity.value if isinstance(activity.value, dict) else None,
        created_at=moment if moment.tzinfo else moment.replace(tzinfo=UTC),
    )


def _name(data: dict[str, Any], activity: Activity, kind: str) -> str:
    if kind == "channel":
        channel = (data.get("channel") or {}).get("name")
        team = (data.get("team") or {}).get("name")
        if channel and team:
            return f"{team} › {channel}"
        return channel or (f"{team} › General" if team else "a Teams channel")
    if kind == "groupChat":
        return (activity.conversation.name if activity.conversation else None) or "a group chat"
    who = activity.from_property.name if activity.from_property else None
    return f"1:1 with {who}" if who else "a 1:1 chat"


def conversation_info(context: TurnContext, installed: bool = True) -> ConversationInfo:
    """What to store about the conversation an activity came from (its reference, by channel or chat id)."""
    activity = context.activity
    turn = turn_of(context)
    reference = reference_of(activity)
    conversation = dict(reference.get("conversation") or {})
    conversation["id"] = turn.conversation_id
    if turn.tenant_id:
        conversation["tenantId"] = turn.tenant_id
    reference["conversation"] = conversation
    reference.pop("activityId", None)
    return ConversationInfo(
        conversation_id=turn.conversation_id,
        kind=turn.kind,
        tenant_id=turn.tenant_id,
        team_id=turn.team_id,
        name=turn.name,
        user_id=turn.author.id if turn.kind == "personal" else None,
        service_url=str(activity.service_url or ""),
        reference=reference,
        installed=installed,
    )
