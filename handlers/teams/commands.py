"""`@Tonewatch <command>`: set Tonewatch up from Teams (the commands themselves are bot/chat/commands.py's,
the same as Slack's `/tonewatch`).

Only our own people may use them (the caller checks). Whether customers can
read the conversation is asked of Teams right then: `alerts` is refused where they
can (`PlaceRegistry.set_alert_channel`), and the answer to any command goes
where only the asker's side reads it (`Replier`).
"""

from __future__ import annotations

from bot.accounts.commands import emails_only
from bot.chat.commands import AlertTarget, ChatCommands, ChatMarkup, ChatPlace, verb_of
from handlers.teams.activity import Turn
from handlers.teams.cards import HELP_TEXT, md
from handlers.teams.connector import TeamsCalls
from handlers.teams.deps import PLATFORM, TeamsDeps
from storage.book import PersonInfo
from storage.errors import UserError
from storage.records import PlaceInfo

__all__ = ["ANSWERS", "TeamsCommands", "TeamsPlace", "teams_owners", "verb_of"]

#: How Teams writes the commands' answers (bot/chat/commands.py).
ANSWERS = ChatMarkup(
    command="@Tonewatch",
    bold=lambda text: f"**{text}**",
    escape=md,
    line_break="\n\n",
    place_noun="conversation",
    direct_noun="a 1:1 chat",
    alerts_hint="`@Tonewatch alerts` in an internal channel",
    watching="👀",
    alerts="🔔",
    calendar="📅",
    refused="⛔",
)


async def teams_owners(turn: Turn, text: str) -> list[PersonInfo]:
    """The people the owner words name: a mention (`@Sam Lee`, shown as its name in the text) or an email."""
    people: list[PersonInfo] = []
    rest = f" {text} "
    for person in turn.mentions:
        if person.name and f" {person.name} " in rest:
            rest = rest.replace(f" {person.name} ", " ", 1)
            people.append(PersonInfo(name=person.name, email=person.email, teams_user_id=person.id))
    return people + await emails_only(rest)


class TeamsPlace(ChatPlace):
    """The channel or chat a command was typed in, asked of Teams."""

    platform = PLATFORM

    def __init__(self, deps: TeamsDeps, turn: Turn) -> None:
        self.deps = deps
        self.turn = turn
        self.conversation_id = turn.conversation_id
        self.direct = turn.kind == "personal"
        self.person = f"{turn.author.name} (teams:{turn.author.id})".strip()
        self.tenant = deps.tenant(turn)

    def link(self, place: PlaceInfo | None = None) -> str:
        if place is None:
            return md(self.turn.name)
        return md(place.name or "the alert channel")

    async def name(self) -> str:
        return self.turn.name

    async def customers_can_read(self) -> bool:
        """Asked of Teams now; an unreadable roster counts as "yes"."""

        async def check(calls: TeamsCalls) -> bool:
            return not await self.deps.poster.readable_only_by_us(calls, self.conversation_id)

        try:
            return await self.deps.connector.run(self.conversation_id, check)
        except Exception:  # noqa: BLE001 - doubt is external
            return True

    def digest_key(self) -> str:
        return f"teams:{self.conversation_id}"

    async def alert_target(self, words: list[str]) -> AlertTarget:
        if self.direct:
            raise UserError("say `@Tonewatch alerts` in the internal channel that should get the alerts")
        return AlertTarget(self.conversation_id, self.turn.name, await self.customers_can_read())

    async def owners(self, text: str) -> list[PersonInfo]:
        return await teams_owners(self.turn, text)


class TeamsCommands:
    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps
        assert deps.book is not None and deps.suppression is not None
        self.chat = ChatCommands(
            deps.engine, deps.settings, deps.places, deps.alerts, deps.book, deps.suppression, HELP_TEXT
        )

    async def run(self, turn: Turn) -> str:
        return await self.chat.run(turn.text, TeamsPlace(self.deps, turn), ANSWERS)
