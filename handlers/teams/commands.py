"""`@Tonewatch <command>`: set Tonewatch up from Teams (the same commands as Slack's `/tonewatch`).

Only our own people may use them (the caller checks). Whether customers can
read the channel is asked of Teams right then: `alerts` is refused where they
can (`PlaceRegistry.set_alert_channel`), and the answer to any command goes
where only the asker's side reads it (`Replier`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.accounts.commands import Markup, account_verb, emails_only, recovered_verb
from bot.chat.status import place_status
from bot.config.settings import WEEKDAYS
from handlers.teams.activity import Turn
from handlers.teams.cards import HELP_TEXT, md
from handlers.teams.connector import TeamsCalls
from handlers.teams.deps import PLATFORM, TeamsDeps
from scheduler.targets import add_target
from storage.book import PersonInfo
from storage.errors import UserError

VERBS = ("watch", "unwatch", "alerts", "status", "digest", "account", "recovered", "help")
MARKUP = Markup(bold=lambda text: f"**{text}**")


def verb_of(text: str) -> str | None:
    words = text.split()
    verb = words[0].lower() if words else "help"
    return verb if verb in VERBS else None


def schedule_words(words: list[str]) -> dict[str, str | None]:
    """`[day] [time] [time zone]` in any order; `add_target` validates each and names a bad one."""
    schedule: dict[str, str | None] = {"day_of_week": None, "send_time": None, "timezone": None}
    for word in words:
        if word.lower()[:3] in WEEKDAYS and word.isalpha():
            schedule["day_of_week"] = word.lower()[:3]
        elif word[:1].isdigit():
            schedule["send_time"] = word
        else:
            schedule["timezone"] = word
    return schedule


async def teams_owners(turn: Turn, text: str) -> list[PersonInfo]:
    """The people the owner words name: a mention (`@Sam Lee`, shown as its name in the text) or an email."""
    people: list[PersonInfo] = []
    rest = f" {text} "
    for person in turn.mentions:
        if person.name and f" {person.name} " in rest:
            rest = rest.replace(f" {person.name} ", " ", 1)
            people.append(PersonInfo(name=person.name, email=person.email, teams_user_id=person.id))
    return people + await emails_only(rest)


class TeamsCommands:
    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    async def run(self, turn: Turn) -> str:
        words = turn.text.split()
        verb = verb_of(turn.text) or "help"
        handler: dict[str, Callable[[Turn, list[str]], Awaitable[str]]] = {
            "watch": self._watch,
            "unwatch": self._unwatch,
            "alerts": self._alerts,
            "status": self._status,
            "digest": self._digest,
            "account": self._account,
            "recovered": self._recovered,
        }
        try:
            return await handler[verb](turn, words[1:]) if verb in handler else HELP_TEXT
        except UserError as exc:
            return f"⛔ {md(str(exc))}"

    async def customers_can_read(self, turn: Turn) -> bool:
        """Asked of Teams now; an unreadable roster counts as "yes"."""

        async def check(calls: TeamsCalls) -> bool:
            return not await self.deps.poster.readable_only_by_us(calls, turn.conversation_id)

        try:
            return await self.deps.connector.run(turn.conversation_id, check)
        except Exception:  # noqa: BLE001 - doubt is external
            return True

    async def _watch(self, turn: Turn, words: list[str]) -> str:
        if turn.kind == "personal":
            raise UserError("say `@Tonewatch watch [account]` in the customer's channel, not in a 1:1 chat")
        account = " ".join(words)
        if not account:
            raise UserError("name the account: `@Tonewatch watch Acme Corp`")
        external = await self.customers_can_read(turn)
        tenant = self.deps.tenant(turn)
        place = await asyncio.to_thread(
            self.deps.places.watch,
            PLATFORM,
            turn.conversation_id,
            turn.name,
            account,
            external,
            tenant=tenant,
        )
        alert_channel = await asyncio.to_thread(self.deps.places.alert_channel, PLATFORM, tenant)
        where = (
            f"Alerts go to {md(alert_channel.name or 'the alert channel')}."
            if alert_channel
            else "No alert channel yet: say `@Tonewatch alerts` in an internal channel."
        )
        return (
            f"👀 Watching {md(turn.name)} for **{md(place.account or account)}**. "
            f"Customer messages there are scored; nothing about them is ever posted there. {where}"
        )

    async def _account(self, turn: Turn, words: list[str]) -> str:
        assert self.deps.book is not None

        async def owners(text: str) -> list[PersonInfo]:
            return await teams_owners(turn, text)

        return await account_verb(self.deps.book, words, owners, MARKUP, self.deps.tenant(turn))

    async def _recovered(self, turn: Turn, words: list[str]) -> str:
        assert self.deps.suppression is not None
        by = f"{turn.author.name} (teams:{turn.author.id})".strip()
        return await recovered_verb(self.deps.suppression, words, by, MARKUP, self.deps.tenant(turn))

    async def _unwatch(self, turn: Turn, words: list[str]) -> str:
        place = await asyncio.to_thread(
            self.deps.places.unwatch, PLATFORM, turn.conversation_id, self.deps.tenant(turn)
        )
        if place is None:
            return "This conversation wasn't watched."
        return (
            f"Stopped watching {md(turn.name)} for **{md(place.account or '')}**. Stored messages are kept."
        )

    async def _alerts(self, turn: Turn, words: list[str]) -> str:
        if turn.kind == "personal":
            raise UserError("say `@Tonewatch alerts` in the internal channel that should get the alerts")
        external = await self.customers_can_read(turn)
        await asyncio.to_thread(
            self.deps.places.set_alert_channel,
            PLATFORM,
            turn.conversation_id,
            turn.name,
            external,
            self.deps.tenant(turn),
        )
        return f"🔔 Alerts go to {md(turn.name)} from now on."

    async def _status(self, turn: Turn, words: list[str]) -> str:
        status = await asyncio.to_thread(
            place_status,
            self.deps.places,
            self.deps.alerts,
            PLATFORM,
            turn.conversation_id,
            self.deps.tenant(turn),
        )
        lines = []
        if status.watched:
            lines.append(
                f"{md(turn.name)} is watched for **{md(status.account)}**; open alerts: {status.open_alerts}."
            )
        elif status.is_alert_channel:
            lines.append(f"{md(turn.name)} is the alert channel.")
        else:
            lines.append(f"{md(turn.name)} is not watched. `@Tonewatch watch [account]` starts.")
        if status.alert_channel and not status.is_alert_channel:
            lines.append(f"Alerts go to {md(status.alert_channel.name or 'the alert channel')}.")
        elif not status.alert_channel:
            lines.append("No alert channel yet: `@Tonewatch alerts` in an internal channel.")
        lines.append(f"Conversations watched in all: {status.watched_count}.")
        return "\n\n".join(lines)

    async def _digest(self, turn: Turn, words: list[str]) -> str:
        if not words or words[0].lower() != "here":
            raise UserError("say where: `@Tonewatch digest here [mon 09:00 Europe/Paris]`")
        if turn.kind != "personal" and await self.customers_can_read(turn):
            raise UserError("customers can read this conversation; the digest only goes to internal ones")
        schedule = schedule_words(words[1:])
        target = await asyncio.to_thread(
            add_target,
            self.deps.engine,
            f"teams:{turn.conversation_id}",
            platform=PLATFORM,
            destination=turn.conversation_id,
            kind="channel",
            settings=self.deps.settings,
            tenant=self.deps.tenant(turn),
            **schedule,
        )
        return (
            f"📅 The digest comes here every {target.day_of_week.title()} at {target.send_time} "
            f"({target.timezone})."
        )
