"""The demo's script: the example portfolio (examples/portfolio.jsonl) as a Slack workspace and a week.

Four weeks of history (19 Oct – 15 Nov 2026) are imported as a team would
backfill them; the last week (16–22 Nov) is played live: chats, e-mails and
tickets as messages in each customer's Slack Connect channel, survey answers
and the call transcript through POST /ingest, in time order. Our staff are
members of the home workspace, each customer's people of their own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from storage.errors import UserError

EXAMPLE_NAME = "portfolio.jsonl"
WEEK_START = datetime(2026, 11, 16, tzinfo=UTC)
#: "Now" when the week is over: Monday 09:05 UTC, just after the Monday digest is due.
DEMO_NOW = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
STAFF_DOMAIN = "@ourcompany.example"
#: Sources that are conversation (played in Slack); the others are pushed by their tools to /ingest.
SLACK_SOURCES = ("chat", "email", "ticket")

HOME_TEAM = "T_HOME"
ALERTS = "C_CS_ALERTS"
LEADS = "C_CS_LEADS"
ASKER = "U_SAM"
LEAD = "U_JORDAN"


def example_file(name: str) -> Path | None:
    """examples/NAME of this checkout, else the copy shipped in the package (bot/data/examples), or None."""
    checkout = Path(__file__).resolve().parents[2] / "examples" / name
    if checkout.is_file():
        return checkout
    shipped = resources.files("bot").joinpath("data", "examples", name)
    if shipped.is_file():
        return Path(str(shipped))
    return None


def shipped_example(path: str) -> Path | None:
    """The shipped example a missing relative `examples/NAME` path names (so the README's
    `tonewatch import examples/portfolio.jsonl` works from any folder), else None."""
    parts = Path(path).parts
    if len(parts) != 2 or parts[0] != "examples" or Path(path).exists():
        return None
    return example_file(parts[1])


def portfolio_path() -> Path:
    """The example portfolio: examples/portfolio.jsonl of this checkout, else the package's copy."""
    found = example_file(EXAMPLE_NAME)
    if found is None:
        raise UserError("the example portfolio is missing (examples/portfolio.jsonl); reinstall tonewatch")
    return found


@dataclass(frozen=True)
class Row:
    """One line of the example portfolio."""

    external_id: str
    account: str
    text: str
    created_at: datetime
    source: str
    author: str
    thread: str
    is_customer: bool
    score: float | None
    record: dict

    @property
    def in_slack(self) -> bool:
        return self.source in SLACK_SOURCES


def load_rows(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        created = datetime.fromisoformat(record["created_at"].replace("Z", "+00:00")).astimezone(UTC)
        rows.append(
            Row(
                external_id=record["external_id"],
                account=record["account"],
                text=record["text"],
                created_at=created,
                source=record.get("source") or "chat",
                author=record.get("author") or "",
                thread=record.get("thread") or record["external_id"],
                is_customer=record.get("is_customer", True) is not False,
                score=record.get("score"),
                record=record,
            )
        )
    rows.sort(key=lambda row: (row.created_at, row.external_id))
    return rows


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _id(prefix: str, text: str) -> str:
    return prefix + re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


@dataclass
class Person:
    user_id: str
    name: str
    email: str
    team_id: str


@dataclass
class CustomerSpace:
    account: str
    team_id: str
    channel_id: str
    channel_name: str


@dataclass
class DemoWorld:
    """Who is who and which channel is whose, derived from the portfolio's authors and accounts."""

    people: dict[str, Person] = field(default_factory=dict)
    spaces: dict[str, CustomerSpace] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: list[Row]) -> DemoWorld:
        world = cls()
        for row in rows:
            if row.account not in world.spaces:
                slug = _slug(row.account)
                world.spaces[row.account] = CustomerSpace(
                    row.account, _id("T_", slug), _id("C_", slug), f"{slug}-shared"
                )
            email = row.author.lower()
            if email and email not in world.people:
                local = email.split("@", 1)[0]
                name = " ".join(part.title() for part in re.split(r"[._-]+", local) if part)
                team = HOME_TEAM if email.endswith(STAFF_DOMAIN) else world.spaces[row.account].team_id
                world.people[email] = Person(_id("U_", local), name, email, team)
        return world

    def person(self, row: Row) -> Person:
        return self.people[row.author.lower()]

    def names(self) -> dict[str, str]:
        """Slack id → what people read (#channel, @name), for printing."""
        names = {p.user_id: p.name for p in self.people.values()}
        names.update({s.channel_id: s.channel_name for s in self.spaces.values()})
        names.update({ALERTS: "cs-alerts", LEADS: "cs-leads"})
        return names

    def populate(self, api) -> None:
        """Teams, people and channels in the Slack stand-in (`bot.demo.slack_standin.FakeSlackAPI`)."""
        staff = [p.user_id for p in self.people.values() if p.team_id == HOME_TEAM]
        for space in self.spaces.values():
            api.add_team(space.team_id, space.account)
        for person in self.people.values():
            api.add_user(person.user_id, team_id=person.team_id, email=person.email, name=person.name)
        for space in self.spaces.values():
            customers = [p.user_id for p in self.people.values() if p.team_id == space.team_id]
            api.add_channel(
                space.channel_id,
                space.channel_name,
                external=True,
                connected_team=space.team_id,
                members=(*staff, *customers),
            )
        api.add_channel(ALERTS, "cs-alerts", members=tuple(staff))
        api.add_channel(LEADS, "cs-leads", members=tuple(staff))
        for user in (ASKER, LEAD):
            api.channels[f"D_{user}"] = {"id": f"D_{user}", "is_im": True, "user": user}
