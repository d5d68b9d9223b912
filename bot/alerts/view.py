"""The alert card's words, written once for every platform; each platform supplies only its markup.

Slack (Block Kit mrkdwn) and Teams (Adaptive Card markdown) show the same headline, signal lines,
footer and status line; they differ in how text is made bold, escaped and dated, how a person is
named, and which emoji stand for a flag (`CardMarkup`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.alerts.service import AlertCard

#: What each severity is called on a card.
SEVERITY_NAMES = {"critical": "Critical", "warning": "Needs attention", "opportunity": "Opportunity"}
#: What a card says once a person acted on the alert.
STATUS_NAMES = {"acknowledged": "Acknowledged", "snoozed": "Snoozed", "resolved": "Resolved"}


@dataclass(frozen=True)
class CardMarkup:
    """How one platform writes the card's words."""

    bold: Callable[[str], str]
    #: Text that did not come from Tonewatch's templates (account and owner names), shown as written.
    escape: Callable[[str], str]
    #: One piece of the analysis' evidence, quoted and clipped to 200 characters.
    evidence: Callable[[str], str]
    #: A moment every reader sees in their own time zone.
    date: Callable[[datetime], str]
    #: Who acknowledged or snoozed (a Slack user id, a Teams name).
    person: Callable[[str], str]
    #: Severity → emoji; `other_severity` for any other.
    severity_emoji: dict[str, str]
    other_severity: str
    churn: str
    competitor: str
    expansion: str
    done: str


def severity_name(card: AlertCard) -> str:
    return SEVERITY_NAMES.get(card.severity, card.severity.title())


def signed(score: float) -> str:
    return f"{score:+.2f}".replace("-", "−")


def words(values: list[str]) -> str:
    return ", ".join(str(v).replace("_", " ") for v in values)


def headline(card: AlertCard, markup: CardMarkup, where: str | None) -> str:
    """Severity, account, its light, where the customer wrote (already in the platform's markup), count."""
    emoji = markup.severity_emoji.get(card.severity, markup.other_severity)
    light = f" ({card.light})" if card.light else ""
    place = f" · {where}" if where else ""
    count = f" · {card.message_count} messages" if card.message_count > 1 else ""
    account = markup.bold(markup.escape(card.account))
    return f"{emoji} {markup.bold(severity_name(card))} · {account}{light}{place}{count}"


def signal_lines(card: AlertCard, markup: CardMarkup) -> list[str]:
    """Score and urgency; concerns and flags; the evidence."""
    lines = [
        f"Score {signed(card.score)} ({card.intensity})"
        + (f" · {words(card.emotions)}" if card.emotions else "")
        + f" · urgency {markup.bold(card.urgency.upper())} · confidence {card.confidence:.2f}"
    ]
    flags = [
        flag
        for flag, on in (
            (f"{markup.churn} churn risk", card.churn_risk),
            (f"{markup.competitor} competitor mentioned", card.competitor_mentioned),
            (f"{markup.expansion} expansion signal", card.expansion),
        )
        if on
    ]
    concerns = [f"Concerns: {words(card.concerns)}"] if card.concerns else []
    if concerns or flags:
        lines.append(" · ".join(concerns + flags))
    if card.evidence:
        lines.append("Why: " + " · ".join(markup.evidence(piece) for piece in card.evidence[:8]))
    return lines


def footer(card: AlertCard, markup: CardMarkup, link: str | None = None) -> str:
    """A link to the message (already in the platform's markup), the owner, the reply due, why flagged."""
    parts = [link] if link else []
    if card.owner:
        parts.append(f"owner {markup.escape(card.owner)}")
    if card.reply_due and card.severity != "opportunity":
        parts.append(f"reply due {markup.date(card.reply_due)}")
    if card.reasons:
        parts.append("flagged for " + ", ".join(card.reasons))
    return " · ".join(parts)


def status_line(card: AlertCard, markup: CardMarkup) -> str | None:
    """Acknowledged or snoozed (by whom, until when), or resolved; None while the alert is open."""
    if card.status not in STATUS_NAMES:
        return None
    line = f"{markup.done} {STATUS_NAMES[card.status]}"
    by = card.extra.get("status_by")
    if by:
        line += f" by {markup.person(str(by))}"
    until = card.extra.get("snoozed_until")
    if card.status == "snoozed" and isinstance(until, datetime):
        line += f" until {markup.date(until)}"
    return line


def joined_lead(card: AlertCard, markup: CardMarkup) -> str:
    """The start of the thread line for a message that joined the alert."""
    return f"New message on this issue ({card.message_count} in all), now {markup.bold(card.severity)}"
