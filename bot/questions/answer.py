"""An answer to a question, as a neutral structure each platform renders (Block Kit, Adaptive Cards, text).

An `Answer` has a title, plain lines, and ranked items; an item may quote a
customer message and carry a `MessageRef` (platform, place, external id) so a
platform can link to it (Slack asks chat.getPermalink). `text` is the plain
rendering the terminal and Teams use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config.settings import Settings
from bot.health.rules import HealthRules, load_health_rules
from storage.db import Transaction
from storage.questions import message_places


@dataclass(frozen=True)
class MessageRef:
    """Where a stored message lives on its platform (enough to build a link to it)."""

    message_id: int
    platform: str
    place: str
    external_id: str
    source_kind: str = "chat"

    @property
    def origin(self) -> str:
        """How people know where it came from, when there is no link ("email", "ticket", "Slack")."""
        if self.platform == "slack":
            return "Slack"
        if self.platform == "teams":
            return "Teams"
        return self.source_kind


@dataclass
class AnswerItem:
    """One entry of a ranked answer: a line, an optional detail, and the customer's words behind it."""

    text: str
    detail: str = ""
    quote: str | None = None
    ref: MessageRef | None = None
    at: datetime | None = None
    score: float | None = None


@dataclass
class Answer:
    intent: str
    title: str
    lines: list[str] = field(default_factory=list)
    items: list[AnswerItem] = field(default_factory=list)
    #: A closing line ("and 4 more", how to ask differently).
    note: str | None = None
    #: A PNG to show with the answer (a file path), if any.
    chart: str | None = None
    #: For an account card: the account and its colour.
    account: str | None = None
    light: str | None = None
    #: Who answered: "grammar" or "claude:<model>".
    answered_by: str = "grammar"
    #: A chart still to draw (`bot.questions.chart.AccountChart`); `bot.questions.service.answer` draws it.
    pending_chart: Any = None

    @property
    def refs(self) -> list[MessageRef]:
        return [item.ref for item in self.items if item.ref is not None]

    @property
    def text(self) -> str:
        return render_answer_text(self)


def signed(score: float | None) -> str:
    return "—" if score is None else f"{score:+.2f}".replace("-", "−")


def short_day(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%b} {moment.day}"


def render_answer_text(answer: Answer) -> str:
    """The answer as plain text (terminal, Teams, logs)."""
    lines = [answer.title, *answer.lines]
    for item in answer.items:
        lines.append(f" • {item.text}" + (f" — {item.detail}" if item.detail else ""))
        if item.quote:
            meta = ", ".join(
                part
                for part in (short_day(item.at), signed(item.score) if item.score is not None else "")
                if part
            )
            lines.append(f'   "{item.quote}"' + (f" ({meta})" if meta else ""))
    if answer.note:
        lines.append(answer.note)
    return "\n".join(line for line in lines if line)


def message_refs(tx: Transaction, message_ids: Iterable[int]) -> dict[int, MessageRef]:
    """Where each of these messages lives, for links."""
    return {
        row.id: MessageRef(row.id, row.platform, row.place_key, row.external_id, row.source_kind)
        for row in message_places(tx, message_ids)
    }


@dataclass
class AnswerOptions:
    """What answers depend on besides the question: health rules, the reply SLA, where charts go."""

    rules: HealthRules = field(default_factory=HealthRules)
    sla_hours: float = 24.0
    #: Where the account trend chart PNG is written; None: no chart.
    chart_dir: Path | None = None
    #: How many items a ranked answer lists before "and N more".
    list_limit: int = 8

    @classmethod
    def from_settings(cls, settings: Settings) -> AnswerOptions:
        return cls(
            rules=load_health_rules(
                settings.health_rules_file, settings.critical_score, settings.warning_score
            ),
            sla_hours=settings.reply_sla_hours,
            chart_dir=Path(settings.chart_dir),
        )
