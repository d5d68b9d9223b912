"""The `/tonewatch` (Slack) and `@Tonewatch` (Teams) commands: parsed, run and worded once.

A platform hands over what was typed, the conversation it was typed in (`ChatPlace`: what only the
platform can tell, such as whether customers can read it) and its markup (`ChatMarkup`); the answer
comes back as text in that markup. Only our own people reach these (each platform refuses anyone
else first).

    watch [account] · unwatch · alerts [#channel] · status · digest here [day] [time] [time zone]
    account … · recovered ACCOUNT · help
"""

from __future__ import annotations

import abc
import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.accounts.book import AccountBook
from bot.accounts.commands import Markup, OwnerResolver, account_verb, recovered_verb
from bot.accounts.suppression import Suppression
from bot.alerts.service import AlertService
from bot.chat.status import place_status
from bot.config.settings import Settings
from bot.messages.places import PlaceRegistry
from scheduler.targets import add_target
from storage.db import Engine
from storage.errors import UserError
from storage.records import PlaceInfo

VERBS = ("watch", "unwatch", "alerts", "status", "digest", "account", "recovered", "help")
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
class Command:
    verb: str
    words: list[str]


def verb_of(text: str) -> str | None:
    """The command's verb, or None when the text is not a command (a question, in Teams)."""
    words = text.split()
    verb = words[0].lower() if words else "help"
    return verb if verb in VERBS else None


def parse_command(text: str) -> Command:
    """The verb (`help` for nothing or an unknown word) and the words after it."""
    words = text.split()
    return Command(verb_of(text) or "help", words[1:])


@dataclass(frozen=True)
class DigestSchedule:
    """What the command said; None leaves the setting's default (TONEWATCH_DIGEST_DAY/TIME/TIMEZONE)."""

    day_of_week: str | None = None
    send_time: str | None = None
    timezone: str | None = None


def parse_schedule(words: list[str]) -> DigestSchedule:
    """`[day] [time] [tz]` in any order, e.g. `mon 09:00 Europe/Paris` or `monday 9am`."""
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


@dataclass(frozen=True)
class ChatMarkup:
    """How one platform writes the answers."""

    #: How the command is typed: "/tonewatch", "@Tonewatch".
    command: str
    bold: Callable[[str], str]
    #: Text that did not come from Tonewatch's templates (account names), shown as written.
    escape: Callable[[str], str]
    #: Between the lines of a longer answer.
    line_break: str
    #: What a conversation is called ("channel", "conversation") and a private one ("a direct message").
    place_noun: str
    direct_noun: str
    #: How to make a channel the alert channel, e.g. "`/tonewatch alerts #channel`".
    alerts_hint: str
    watching: str
    alerts: str
    calendar: str
    refused: str

    @property
    def accounts(self) -> Markup:
        return Markup(bold=self.bold, escape=self.escape)


@dataclass(frozen=True)
class AlertTarget:
    """The conversation `alerts` names, as the platform found it."""

    external_id: str
    name: str
    customers_can_read: bool
    #: What to add to the answer (e.g. "invite me there first").
    note: str = ""


class ChatPlace(abc.ABC):
    """The conversation a command was typed in, as only its platform can tell."""

    platform: str
    conversation_id: str
    #: A DM or a 1:1 chat with Tonewatch.
    direct: bool
    #: Who typed the command, for the record ("Sam Lee (slack:U123)").
    person: str
    #: Whose data the command reads and changes (storage/tenants.py): the asker's workspace or Teams tenant.
    tenant: str

    @abc.abstractmethod
    def link(self, place: PlaceInfo | None = None) -> str:
        """How the answer names this conversation (or another stored place)."""

    @abc.abstractmethod
    async def name(self) -> str:
        """The name stored for this conversation."""

    @abc.abstractmethod
    async def customers_can_read(self) -> bool:
        """Asked of the platform now; any doubt is yes."""

    async def default_account(self) -> str | None:
        """The account a bare `watch` means (Slack: the Slack Connect partner's name), if any."""
        return None

    @abc.abstractmethod
    def digest_key(self) -> str:
        """The digest target's key for this conversation."""

    @abc.abstractmethod
    async def alert_target(self, words: list[str]) -> AlertTarget:
        """The conversation `alerts [words]` makes the alert channel (raise UserError when none)."""

    @abc.abstractmethod
    async def owners(self, text: str) -> list:
        """The people the owner words of `account` name (an `OwnerResolver`)."""


class ChatCommands:
    """Runs one command for one of our own people and returns the answer in the platform's markup."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        places: PlaceRegistry,
        alerts: AlertService,
        book: AccountBook,
        suppression: Suppression,
        help_text: str,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.places = places
        self.alerts = alerts
        self.book = book
        self.suppression = suppression
        self.help_text = help_text

    async def run(self, text: str, place: ChatPlace, markup: ChatMarkup) -> str:
        command = parse_command(text)
        try:
            if command.verb == "account":
                owners: OwnerResolver = place.owners
                return await account_verb(self.book, command.words, owners, markup.accounts, place.tenant)
            if command.verb == "recovered":
                return await recovered_verb(
                    self.suppression, command.words, place.person, markup.accounts, place.tenant
                )
            verb = {
                "watch": self.watch,
                "unwatch": self.unwatch,
                "alerts": self.alert_channel,
                "status": self.status,
                "digest": self.digest,
            }.get(command.verb)
            return await verb(command.words, place, markup) if verb else self.help_text
        except UserError as exc:
            return f"{markup.refused} {markup.escape(str(exc))}"

    async def watch(self, words: list[str], place: ChatPlace, markup: ChatMarkup) -> str:
        c = markup.command
        if place.direct:
            raise UserError(
                f"say `{c} watch [account]` in the customer's channel, not in {markup.direct_noun}"
            )
        account = " ".join(words) or await place.default_account() or ""
        if not account:
            raise UserError(f"name the account: `{c} watch Acme Corp`")
        if len(account) > MAX_ACCOUNT_NAME:
            raise UserError(f"an account name has at most {MAX_ACCOUNT_NAME} characters")
        external = await place.customers_can_read()
        name = await place.name()
        watched = await asyncio.to_thread(
            partial(self.places.watch, tenant=place.tenant),
            place.platform,
            place.conversation_id,
            name,
            account,
            external,
        )
        alert_channel = await asyncio.to_thread(self.places.alert_channel, place.platform, place.tenant)
        where = (
            f"Alerts go to {place.link(alert_channel)}."
            if alert_channel
            else f"No alert channel yet: {markup.alerts_hint}."
        )
        shown = markup.bold(markup.escape(watched.account or account))
        return (
            f"{markup.watching} Watching {place.link()} for {shown}. "
            f"Customer messages here are scored; nothing about them is ever posted here. {where}"
        )

    async def unwatch(self, words: list[str], place: ChatPlace, markup: ChatMarkup) -> str:
        unwatched = await asyncio.to_thread(
            self.places.unwatch, place.platform, place.conversation_id, place.tenant
        )
        if unwatched is None:
            return f"This {markup.place_noun} wasn't watched."
        account = markup.bold(markup.escape(unwatched.account or ""))
        return f"Stopped watching {place.link()} for {account}. Stored messages are kept."

    async def alert_channel(self, words: list[str], place: ChatPlace, markup: ChatMarkup) -> str:
        target = await place.alert_target(words)
        chosen = await asyncio.to_thread(
            self.places.set_alert_channel,
            place.platform,
            target.external_id,
            target.name,
            target.customers_can_read,
            place.tenant,
        )
        return f"{markup.alerts} Alerts go to {place.link(chosen)} from now on.{target.note}"

    async def status(self, words: list[str], place: ChatPlace, markup: ChatMarkup) -> str:
        status = await asyncio.to_thread(
            place_status, self.places, self.alerts, place.platform, place.conversation_id, place.tenant
        )
        here = place.link()
        lines = []
        if status.watched and status.place is not None:
            lines.append(f"{here} is watched for {markup.bold(markup.escape(status.place.account or ''))}.")
            lines.append(f"Open alerts for this account: {status.open_alerts}.")
        elif status.is_alert_channel:
            lines.append(f"{here} is the alert channel.")
        else:
            lines.append(f"{here} is not watched. `{markup.command} watch [account]` starts.")
        if status.alert_channel and not status.is_alert_channel:
            lines.append(f"Alerts go to {place.link(status.alert_channel)}.")
        elif not status.alert_channel:
            lines.append(f"No alert channel yet: {markup.alerts_hint}.")
        lines.append(f"{markup.place_noun.capitalize()}s watched in all: {status.watched_count}.")
        return markup.line_break.join(lines)

    async def digest(self, words: list[str], place: ChatPlace, markup: ChatMarkup) -> str:
        if not words or words[0].lower() != "here":
            raise UserError(f"say where: `{markup.command} digest here [mon 09:00 Europe/Paris]`")
        schedule = parse_schedule(words[1:])
        if await place.customers_can_read():
            raise UserError(
                f"customers can read this {markup.place_noun}; the digest only goes to internal ones"
            )
        target = await asyncio.to_thread(
            add_target,
            self.engine,
            place.digest_key(),
            platform=place.platform,
            destination=place.conversation_id,
            kind="channel",
            timezone=schedule.timezone,
            day_of_week=schedule.day_of_week,
            send_time=schedule.send_time,
            settings=self.settings,
            tenant=place.tenant,
        )
        day = FULL_DAYS.get(target.day_of_week, target.day_of_week)
        when = f"every {day} at {target.send_time} ({target.timezone})"
        return f"{markup.calendar} The digest comes here {when}."
