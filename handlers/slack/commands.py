"""`/tonewatch`: set Tonewatch up from chat (the commands themselves are bot/chat/commands.py's).

The command is acknowledged at once (empty body, so Slack shows nothing) and
run as a lazy listener; the answer goes back through `respond`, which Slack
shows only to the person who typed the command. Only our own people may use
it; anyone else gets the polite refusal.
"""

from __future__ import annotations

import re

from slack_sdk.web.async_client import AsyncWebClient

from bot.accounts.commands import emails_only
from bot.chat.commands import AlertTarget, ChatCommands, ChatMarkup, ChatPlace
from handlers.slack.blocks import HELP_TEXT, REFUSAL
from handlers.slack.clients import Home
from handlers.slack.deps import PLATFORM, SlackDeps, home_of
from handlers.slack.directory import is_external_user
from handlers.slack.payload import MalformedPayload, required_id, text_field
from handlers.slack.text import channel_id_in, defuse, escape
from storage.book import PersonInfo
from storage.errors import UserError
from storage.records import PlaceInfo

COMMAND = "/tonewatch"
#: `<@U123>` or `<@U123|sam>` (a mention, as Slack escapes it), or `<mailto:a@b.c|a@b.c>`.
_MENTION = re.compile(r"<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>")
_MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")


def person_label(user: dict) -> str:
    """Who did something, for the record: their Slack name and id."""
    profile = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or user.get("name") or ""
    return f"{name} (slack:{user.get('id', '')})".strip()


async def slack_owners(deps: SlackDeps, client: AsyncWebClient, text: str) -> list[PersonInfo]:
    """The people `text` names: mentions (looked up for their name and email) and email addresses."""
    people: list[PersonInfo] = []
    for user_id in _MENTION.findall(text):
        user = await deps.directory.user(client, user_id)
        if user.get("is_stranger") or user.get("deleted"):
            raise UserError(f"<@{user_id}> is not someone in this workspace")
        if user.get("is_bot"):
            raise UserError("a bot cannot own an account")
        profile = user.get("profile") or {}
        people.append(
            PersonInfo(
                name=profile.get("real_name") or user.get("real_name") or user.get("name") or "",
                email=(profile.get("email") or None),
                slack_user_id=user_id,
            )
        )
    rest = _MENTION.sub(" ", _MAILTO.sub(lambda m: f" {m.group(1)} ", text))
    if rest.strip().startswith("@"):
        raise UserError("mention the owner so Slack links them (pick `@sam` from the list), or an email")
    people += await emails_only(rest)
    return people


#: How Slack writes the commands' answers (bot/chat/commands.py).
ANSWERS = ChatMarkup(
    command=COMMAND,
    bold=lambda text: f"*{text}*",
    escape=escape,
    line_break="\n",
    place_noun="channel",
    direct_noun="a direct message",
    alerts_hint="`/tonewatch alerts #channel`",
    watching=":eyes:",
    alerts=":bell:",
    calendar=":calendar:",
    refused=":no_entry:",
)


class SlackPlace(ChatPlace):
    """The channel (or DM) a command was typed in, asked of Slack."""

    platform = PLATFORM

    def __init__(
        self, deps: SlackDeps, client: AsyncWebClient, channel: str, home: Home, user: dict
    ) -> None:
        self.deps = deps
        self.client = client
        self.quick = deps.quick(client)
        self.conversation_id = channel
        self.home = home
        self.direct = channel.startswith("D")
        self.person = person_label(user)
        self.tenant = deps.tenant(home)

    def link(self, place: PlaceInfo | None = None) -> str:
        return f"<#{place.external_id if place is not None else self.conversation_id}>"

    async def name(self) -> str:
        info = await self.deps.directory.channel(self.client, self.conversation_id)
        return info.get("name") or self.conversation_id

    async def customers_can_read(self) -> bool:
        return await self.deps.directory.customers_can_read(self.client, self.conversation_id, self.home)

    async def default_account(self) -> str | None:
        directory = self.deps.directory
        partner = await directory.partner_team(self.client, self.conversation_id, self.home)
        return (await directory.team_name(self.client, partner) or None) if partner else None

    def digest_key(self) -> str:
        return f"slack:{self.home.team_id or '-'}:{self.conversation_id}"

    async def alert_target(self, words: list[str]) -> AlertTarget:
        target = channel_id_in(" ".join(words)) if words else self.conversation_id
        if target is None:
            raise UserError("name the channel as a link: `/tonewatch alerts #cs-alerts`")
        info = await self.deps.directory.channel(self.client, target)
        external = await self.deps.directory.customers_can_read(self.client, target, self.home)
        await self.deps.remember_channel(target, self.home)
        invite = (
            ""
            if info.get("is_member", True)
            else f" Invite me there first: `/invite @Tonewatch` in <#{target}>."
        )
        return AlertTarget(target, info.get("name") or target, external, invite)

    async def owners(self, text: str) -> list[PersonInfo]:
        return await slack_owners(self.deps, self.quick, text)


def _read(command: dict) -> tuple[str, str, str]:
    """Who typed the command, where, and what they typed."""
    return (
        required_id(command, "user_id", "command"),
        required_id(command, "channel_id", "command"),
        text_field(command, "text", "command"),
    )


class SlackCommands:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps
        assert deps.book is not None and deps.suppression is not None
        self.chat = ChatCommands(
            deps.engine, deps.settings, deps.places, deps.alerts, deps.book, deps.suppression, HELP_TEXT
        )

    def register(self, registrar) -> None:
        registrar.command(COMMAND, ack=self.acknowledge, lazy=[self.run])

    async def acknowledge(self, ack, command: dict) -> None:
        _read(command)  # a command without its user or channel gets a 400 naming the field
        await ack()

    async def run(self, command: dict, context, client: AsyncWebClient, respond) -> None:
        try:
            user_id, channel, text = _read(command)
        except MalformedPayload:
            return  # refused already by `acknowledge`; Bolt starts the lazy listener anyway
        home = home_of(context)
        user = await self.deps.directory.user(self.deps.quick(client), user_id)
        if is_external_user(user, home):
            await respond(text=REFUSAL, response_type="ephemeral")
            return
        await self.deps.remember_channel(channel, home)
        place = SlackPlace(self.deps, client, channel, home, user)
        answer = await self.chat.run(text, place, ANSWERS)
        await respond(text=defuse(answer), response_type="ephemeral")
