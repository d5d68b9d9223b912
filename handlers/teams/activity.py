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
from urllib.parse import urlsplit

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext

from handlers.teams.connector import base_id, reference_of
from handlers.teams.people import Person, person_from
from storage.teams_conversations import ConversationInfo

#: Markup tags only ("a < b > c" in a plain-text message is left alone).
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.IGNORECASE)


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for error messages ("number", not "int")."""
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


#: The activity fields Tonewatch reads, with the JSON type Teams sends them as. The raw JSON is
#: checked before the SDK's model reads it, so a wrong one is refused naming the field.
_STRINGS = ("type", "id", "text", "replyToId", "serviceUrl", "channelId", "timestamp", "action", "locale")
_ACCOUNTS = ("from", "recipient", "conversation")
_ACCOUNT_STRINGS = ("id", "name", "aadObjectId", "role", "conversationType", "tenantId")
_CHANNEL_DATA_OBJECTS = ("channel", "team", "tenant")
_LISTS = ("entities", "membersAdded", "membersRemoved")
#: Longest accepted value, by field: what the database columns hold (storage/models.py). Teams' own
#: ids, names and URLs are far shorter; only the message text may be long.
_LIMITS = {
    "text": None,
    "serviceUrl": 500,
    "tenantId": 100,
    "channelData.tenant.id": 100,
    "conversation.id": 350,  # a thread's id: the channel's, then ";messageid=<root>"
}
_DEFAULT_LIMIT = 300


def _string_problem(value: Any, where: str, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return f"{where} must be a string, not {json_type(value)}"
    limit = _LIMITS.get(where, _LIMITS.get(field, _DEFAULT_LIMIT))
    if limit is not None and len(value) > limit:
        return f"{where} is longer than {limit} characters"
    if (field == "id" or field.endswith("Id") or field == "serviceUrl") and not (
        value.isascii() and value.isprintable()
    ):
        # Teams ids and URLs are ASCII; they go into Bot Connector URLs as they are.
        return f"{where} must be printable ASCII"
    return None


def activity_problem(document: Any) -> str | None:
    """What is wrong with an inbound activity's JSON, in words; None when it has the expected shape."""
    if not isinstance(document, dict):
        return f"expected a JSON object, not {json_type(document)}"
    problems = [_string_problem(document.get(key), key, key) for key in _STRINGS]
    if not document.get("type"):
        problems.append("type is missing")
    for key in _ACCOUNTS:
        account = document.get(key)
        if account is None:
            continue
        if not isinstance(account, dict):
            return f"{key} must be an object, not {json_type(account)}"
        for inner in _ACCOUNT_STRINGS:
            problems.append(_string_problem(account.get(inner), f"{key}.{inner}", inner))
        if key != "recipient" and not account.get("id"):
            problems.append(f"{key}.id is missing")
    service_url = document.get("serviceUrl")
    if isinstance(service_url, str):
        parsed = urlsplit(service_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            problems.append("serviceUrl must be an http(s) URL")
    data = document.get("channelData")
    if data is not None:
        if not isinstance(data, dict):
            return f"channelData must be an object, not {json_type(data)}"
        for key in _CHANNEL_DATA_OBJECTS:
            part = data.get(key)
            if part is not None and not isinstance(part, dict):
                return f"channelData.{key} must be an object, not {json_type(part)}"
            for field in ("id", "name"):
                where = f"channelData.{key}.{field}"
                problems.append(_string_problem((part or {}).get(field), where, field))
        problems.append(_string_problem(data.get("eventType"), "channelData.eventType", "eventType"))
    for key in _LISTS:
        items = document.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return f"{key} must be an array of objects"
        problems += [_string_problem(item.get("id"), f"{key}[{n}].id", "id") for n, item in enumerate(items)]
    return next((problem for problem in problems if problem), None)


class MalformedActivity(ValueError):
    """An activity whose content cannot be what Teams sends; answered with a 400 naming the field."""


#: What a press of Tonewatch's own card submits (handlers/teams/cards.py): the card's data, and its inputs
#: as text.
_CARD_TEXTS = ("tonewatch", "for", "label", "urgency", "emotions", "note", "draft")
_MAX_ID = 2**63 - 1


def card_submission(value: dict[str, Any]) -> dict[str, Any]:
    """The data of a press on a Tonewatch card, checked; `MalformedActivity` when it cannot be one."""
    for key in _CARD_TEXTS:
        if value.get(key) is not None and not isinstance(value[key], str):
            raise MalformedActivity(f"value.{key} must be a string, not {json_type(value[key])}")
    alert = value.get("alert")
    if isinstance(alert, str) and alert.isascii() and alert.isdigit():
        alert = int(alert) if len(alert) <= 19 else None
    if not isinstance(alert, int) or isinstance(alert, bool) or not 0 < alert <= _MAX_ID:
        raise MalformedActivity("value.alert must name an alert")
    return value


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def plain_text(markup: str | None) -> str:
    """Teams message markup as plain text (tags dropped, entities decoded, blank runs collapsed).

    NUL characters are dropped too: no database stores them, and they are never what someone typed.
    """
    if not markup:
        return ""
    text = _TAG.sub("", _BREAK.sub("\n", markup.replace("\x00", "")))
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return "\n".join(line for line in lines if line).strip()


def mentions_bot(activity: Activity) -> bool:
    recipient = activity.recipient.id if activity.recipient else None
    return bool(recipient) and any(mentioned.id == recipient for mentioned, _ in _mentions(activity))


def _mentions(activity: Activity) -> list[tuple[Any, str]]:
    """Each mention's account and its text (`<at>Name</at>`)."""
    return [
        (mention.mentioned, mention.text or "")
        for mention in activity.get_mentions()
        if mention.mentioned is not None and mention.mentioned.id
    ]


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
    #: People mentioned besides the bot (name, Teams user id), for commands that name someone.
    mentions: tuple[Person, ...] = ()


def others_mentioned(activity: Activity) -> tuple[Person, ...]:
    """Everyone an activity mentions except its recipient (the bot)."""
    recipient = activity.recipient.id if activity.recipient else None
    return tuple(
        Person(id=str(mentioned.id), name=str(mentioned.name or ""))
        for mentioned, _ in _mentions(activity)
        if mentioned.id != recipient
    )


def without_bot_mention(activity: Activity) -> str:
    """The text with the bot's mention (`<at>Tonewatch</at>`) taken out; the activity is left as it is."""
    recipient = activity.recipient.id if activity.recipient else None
    text = activity.text or ""
    for mentioned, markup in _mentions(activity):
        if mentioned.id == recipient:
            text = text.replace(markup or f"<at>{mentioned.name}</at>", "")
    return text.strip()


def kind_of(activity: Activity) -> str:
    conversation = activity.conversation
    kind = conversation.conversation_type if conversation else None
    if str(getattr(conversation, "id", None) or "").startswith("19:"):
        # Channel and group chat ids start "19:", a bot's 1:1 chat ids never do. An activity that
        # says otherwise is not believed: a "personal" answer (the refusal) must not reach a channel.
        return "channel" if kind == "channel" or channel_data(activity).get("channel") else "groupChat"
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
    text = without_bot_mention(activity) if mentioned else activity.text or ""
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
        mentions=others_mentioned(activity),
    )


#: What a Teams channel is called when its activity names neither it nor its team.
UNNAMED_CHANNEL = "a Teams channel"


def _name(data: dict[str, Any], activity: Activity, kind: str) -> str:
    if kind == "channel":
        channel_data, team_data = data.get("channel") or {}, data.get("team") or {}
        channel, team = channel_data.get("name"), team_data.get("name")
        if channel and team:
            return f"{team} › {channel}"
        if channel:
            return channel
        # Teams leaves the name out for a team's General channel, whose id is the team's id.
        general = bool(team_data.get("id")) and base_id(str(channel_data.get("id") or "")) == base_id(
            str(team_data.get("id"))
        )
        if team:
            return f"{team} › General" if general else f"{team} › a channel"
        return "a team's General channel" if general else UNNAMED_CHANNEL
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
