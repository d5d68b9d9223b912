"""`/tonewatch`: set Tonewatch up from chat.

The command is acknowledged at once (empty body, so Slack shows nothing) and
run as a lazy listener; the answer goes back through `respond`, which Slack
shows only to the person who typed the command. Only our own people may use
it; anyone else gets the polite refusal.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.web.async_client import AsyncWebClient

from bot.accounts.commands import Markup, account_verb, emails_only, recovered_verb
from bot.chat.status import place_status
from handlers.slack.blocks import HELP_TEXT, REFUSAL
from handlers.slack.clients import Home
from handlers.slack.deps import PLATFORM, SlackDeps, home_of
from handlers.slack.directory import is_external_user
from handlers.slack.payload import MalformedPayload, required_id, text_field
from handlers.slack.text import channel_id_in, defuse, escape
from scheduler.targets import add_target
from storage.book import PersonInfo
from storage.errors import UserError
from storage.models import DigestTarget
from storage.tenants import DEFAULT_TENANT

COMMAND = "/tonewatch"
MARKUP = Markup(bold=lambda text: f"*{text}*", escape=escape)
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
#: Account names are stored in a column this wide (storage/models.py Account.name).
MAX_ACCOUNT_NAME = 200

FULL_DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_DAY_NAMES = {name: day for day, full in FULL_DAYS.items() for name in (day, full.lower())}
_DAY_NAMES.update(tues="tue", thur="thu", thurs="thu")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


@dataclass(frozen=True)
class DigestSchedule:
    """What the command said; None leaves the setting's default (TONEWATCH_DIGEST_DAY/TIME/TIMEZONE)."""

    day_of_week: str | None = None
    send_time: str | None = None
    timezone: str | None = None


def parse_schedule(words: list[str]) -> DigestSchedule:
    """`[day] [time] [tz]` in any order, e.g. `mon 09:00 Europe/Paris`."""
    day = at = zone = None
    for word in words:
        lowered = word.lower()
        if lowered in _DAY_NAMES:
            day = _DAY_NAMES[lowered]
        elif match := _TIME.match(word):
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            meridiem = (match.group(3) or "").lower()
            if meridiem:
                if not 1 <= hour <= 12:
                    raise UserError(f"`{word}` is not a time; try 09:00 or 9am")
                hour = hour % 12 + (12 if meridiem == "pm" else 0)
            if hour > 23 or minute > 59:
                raise UserError(f"`{word}` is not a time; try 09:00 or 9am")
            at = f"{hour:02d}:{minute:02d}"
        else:
            try:
                ZoneInfo(word)
            except (ZoneInfoNotFoundError, ValueError):
                raise UserError(
                    f"I don't understand `{word}`: give a day (mon…sun), a time (09:00) "
                    "and a time zone (Europe/Paris)"
                ) from None
            zone = word
    return DigestSchedule(day, at, zone)


def save_digest_target(
    deps: SlackDeps, team_id: str | None, channel: str, schedule: DigestSchedule, tenant: str = DEFAULT_TENANT
) -> DigestTarget:
    """The channel's digest target (`slack:<team>:<channel>`) of the tenant, through the scheduler's own
    validation."""
    return add_target(
        deps.engine,
        f"slack:{team_id or '-'}:{channel}",
        platform=PLATFORM,
        destination=channel,
        kind="channel",
        timezone=schedule.timezone,
        day_of_week=schedule.day_of_week,
        send_time=schedule.send_time,
        settings=deps.settings,
        tenant=tenant,
    )


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
        quick = self.deps.quick(client)
        user = await self.deps.directory.user(quick, user_id)
        if is_external_user(user, home):
            await respond(text=REFUSAL, response_type="ephemeral")
            return
        words = text.split()
        verb = words[0].lower() if words else "help"
        await self.deps.remember_channel(channel, home)
        handler = {
            "watch": self._watch,
            "unwatch": self._unwatch,
            "alerts": self._alerts,
            "status": self._status,
            "digest": self._digest,
        }.get(verb)
        try:
            if verb == "account":
                text = await self._account(words[1:], quick, self.deps.tenant(home))
            elif verb == "recovered":
                text = await self._recovered(words[1:], user, self.deps.tenant(home))
            else:
                text = await handler(words[1:], channel, home, client) if handler else HELP_TEXT
        except UserError as exc:
            text = f":no_entry: {escape(str(exc))}"
        await respond(text=defuse(text), response_type="ephemeral")

    async def _account(self, words: list[str], client: AsyncWebClient, tenant: str) -> str:
        assert self.deps.book is not None

        async def owners(text: str) -> list[PersonInfo]:
            return await slack_owners(self.deps, client, text)

        return await account_verb(self.deps.book, words, owners, MARKUP, tenant)

    async def _recovered(self, words: list[str], user: dict, tenant: str) -> str:
        assert self.deps.suppression is not None
        return await recovered_verb(self.deps.suppression, words, person_label(user), MARKUP, tenant)

    async def _is_external(self, client: AsyncWebClient, channel: str, home: Home) -> bool:
        return await self.deps.directory.customers_can_read(client, channel, home)

    async def _watch(self, words: list[str], channel: str, home: Home, client: AsyncWebClient) -> str:
        if channel.startswith("D"):
            raise UserError("run `/tonewatch watch` in the customer's channel, not in a direct message")
        account = " ".join(words)
        info = await self.deps.directory.channel(client, channel)
        if not account:
            partner = await self.deps.directory.partner_team(client, channel, home)
            account = (await self.deps.directory.team_name(client, partner) or "") if partner else ""
        if not account:
            raise UserError("name the account: `/tonewatch watch Acme Corp`")
        if len(account) > MAX_ACCOUNT_NAME:
            raise UserError(f"an account name has at most {MAX_ACCOUNT_NAME} characters")
        external = await self._is_external(client, channel, home)
        tenant = self.deps.tenant(home)
        place = await asyncio.to_thread(
            self.deps.places.watch,
            PLATFORM,
            channel,
            info.get("name") or channel,
            account,
            external,
            tenant=tenant,
        )
        alert_channel = await asyncio.to_thread(self.deps.places.alert_channel, PLATFORM, tenant)
        where = (
            f"Alerts go to <#{alert_channel.external_id}>."
            if alert_channel
            else "No alert channel yet: choose an internal one with `/tonewatch alerts #channel`."
        )
        return (
            f":eyes: Watching <#{channel}> for *{escape(place.account or account)}*. "
            f"Customer messages here are scored; nothing about them is ever posted here. {where}"
        )

    async def _unwatch(self, words: list[str], channel: str, home: Home, client: AsyncWebClient) -> str:
        place = await asyncio.to_thread(self.deps.places.unwatch, PLATFORM, channel, self.deps.tenant(home))
        if place is None:
            return "This channel wasn't watched."
        return f"Stopped watching <#{channel}> for *{escape(place.account or '')}*. Stored messages are kept."

    async def _alerts(self, words: list[str], channel: str, home: Home, client: AsyncWebClient) -> str:
        target = channel_id_in(" ".join(words)) if words else channel
        if target is None:
            raise UserError("name the channel as a link: `/tonewatch alerts #cs-alerts`")
        info = await self.deps.directory.channel(client, target)
        external = await self._is_external(client, target, home)
        await self.deps.remember_channel(target, home)
        await asyncio.to_thread(
            self.deps.places.set_alert_channel,
            PLATFORM,
            target,
            info.get("name") or target,
            external,
            self.deps.tenant(home),
        )
        invite = (
            ""
            if info.get("is_member", True)
            else f" Invite me there first: `/invite @Tonewatch` in <#{target}>."
        )
        return f":bell: Alerts go to <#{target}> from now on.{invite}"

    async def _status(self, words: list[str], channel: str, home: Home, client: AsyncWebClient) -> str:
        status = await asyncio.to_thread(
            place_status, self.deps.places, self.deps.alerts, PLATFORM, channel, self.deps.tenant(home)
        )
        lines = []
        if status.watched:
            lines.append(f"<#{channel}> is watched for *{escape(status.account)}*.")
            lines.append(f"Open alerts for this account: {status.open_alerts}.")
        elif status.is_alert_channel:
            lines.append(f"<#{channel}> is the alert channel.")
        else:
            lines.append(f"<#{channel}> is not watched. `/tonewatch watch [account]` starts.")
        if status.alert_channel and not status.is_alert_channel:
            lines.append(f"Alerts go to <#{status.alert_channel.external_id}>.")
        elif not status.alert_channel:
            lines.append("No alert channel yet: `/tonewatch alerts #channel`.")
        lines.append(f"Channels watched in all: {status.watched_count}.")
        return "\n".join(lines)

    async def _digest(self, words: list[str], channel: str, home: Home, client: AsyncWebClient) -> str:
        if not words or words[0].lower() != "here":
            raise UserError("say where: `/tonewatch digest here [mon 09:00 Europe/Paris]`")
        if await self._is_external(client, channel, home):
            raise UserError("customers can read this channel; the digest only goes to internal channels")
        schedule = parse_schedule(words[1:])
        target = await asyncio.to_thread(
            save_digest_target, self.deps, home.team_id, channel, schedule, self.deps.tenant(home)
        )
        day = FULL_DAYS.get(target.day_of_week, target.day_of_week)
        return f":calendar: The digest comes here every {day} at {target.send_time} ({target.timezone})."
