"""Block Kit for alerts and their modals, within Slack's limits.

Limits (docs.slack.dev/reference/block-kit/blocks): 50 blocks per message, 100
per modal, 3000 characters per section text, 150 per header, 24 per modal
title and button label, 3000 per plain-text input; the top-level `text` is the
notification and accessibility fallback and always accompanies `blocks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.alerts import view
from bot.alerts.delivery import thread_text
from bot.alerts.service import AlertCard, draft_warning
from bot.alerts.view import CardMarkup
from bot.analysis.contract import Emotion, Label, Urgency
from bot.questions.answer import MessageRef
from handlers.slack.text import escape

MAX_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_SECTION = 3000
MAX_INPUT = 3000
MAX_FALLBACK = 3000
QUOTE_CHARS = 700

ACK = "tonewatch_ack"
SNOOZE = "tonewatch_snooze"
NOT_ACCURATE = "tonewatch_not_accurate"
#: The recovery conversation happened: outreach to the account may resume (bot/accounts/suppression.py).
RECOVERED = "tonewatch_recovered"
USE_DRAFT = "tonewatch_use_draft"
CORRECTION_VIEW = "tonewatch_correction"
DRAFT_VIEW = "tonewatch_draft"

#: What an external person sees when they mention Tonewatch, message it or use its command.
REFUSAL = (
    "Sorry — Tonewatch only works for the team that installed it, so I can't help here. "
    "Your usual contact will be glad to."
)

HELP_TEXT = """*Tonewatch* reads customer messages in the channels it watches, scores them and alerts you.
• `/tonewatch watch [account]` — score the customer's messages in this channel (the account defaults to \
the Slack Connect partner's name)
• `/tonewatch unwatch` — stop watching this channel
• `/tonewatch alerts #channel` — where alerts go: an internal channel (refused if customers can read it)
• `/tonewatch status` — what Tonewatch does with this channel
• `/tonewatch digest here [mon 09:00 Europe/Paris]` — the weekly digest, in this internal channel
• `/tonewatch account Acme [owner @sam] [arr 48000] [renews 2027-01-31] [tier …] [domain …] [crm …]` — \
the account book: set an account's owner, value and renewal, or show them
• `/tonewatch recovered Acme` — the recovery conversation happened: outreach is no longer suppressed
• `/tonewatch help` — this help
Alerts, scores and drafted replies only ever appear in internal channels."""

#: Snooze choices: option value → (label, seconds).
SNOOZES = {"1h": ("1 hour", 3600), "1d": ("1 day", 86400)}

LIGHT_EMOJI = {"red": ":red_circle:", "yellow": ":large_yellow_circle:", "green": ":large_green_circle:"}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION)}]}


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    lines = clip(" ".join(text.split()) if "\n" not in text else text.strip(), limit).splitlines()
    return "\n".join(f"> {escape(line)}" for line in lines) or "> (no text)"


def source_note(ref: MessageRef | None, links: dict[int, str]) -> str:
    """ "<link|View message>" for a Slack message; where it came from otherwise ("email", "ticket")."""
    if ref is None:
        return ""
    link = links.get(ref.message_id)
    return f"<{link}|View message>" if link else f"from {escape(ref.origin)}"


def slack_date(moment: datetime) -> str:
    """A date every reader sees in their own time zone."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


#: How Slack writes the alert card's words (bot/alerts/view.py).
MARKUP = CardMarkup(
    bold=lambda text: f"*{text}*",
    escape=escape,
    evidence=lambda piece: f"\u201c{escape(clip(piece, 200))}\u201d",
    date=lambda moment: slack_date(moment),
    person=lambda user: f"<@{user}>",
    severity_emoji={
        "critical": ":red_circle:",
        "warning": ":large_orange_circle:",
        "opportunity": ":large_green_circle:",
    },
    other_severity=":large_blue_circle:",
    churn=":rotating_light:",
    competitor=":crossed_swords:",
    expansion=":seedling:",
    done=":white_check_mark:",
)


def headline(card: AlertCard) -> str:
    where = f"<#{card.source_place}>" if card.source_platform == "slack" and card.source_place else None
    return view.headline(card, MARKUP, where)


def fallback_text(card: AlertCard) -> str:
    """The notification text: severity, account and the customer's words."""
    quote = " ".join(card.quote.split())
    return clip(escape(f"{view.severity_name(card)} · {card.account}: \u201c{quote}\u201d"), MAX_FALLBACK)


def _actions(card: AlertCard) -> dict[str, Any]:
    value = str(card.alert_id)
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": ACK,
            "text": plain("Acknowledge"),
            "value": value,
            "style": "primary",
        },
        {
            "type": "static_select",
            "action_id": SNOOZE,
            "placeholder": plain("Snooze"),
            "options": [
                {"text": plain(label), "value": f"{value}:{key}"} for key, (label, _s) in SNOOZES.items()
            ],
        },
    ]
    if card.draft_reply:
        elements.append(
            {"type": "button", "action_id": USE_DRAFT, "text": plain("Use draft"), "value": value}
        )
    elements.append(
        {"type": "button", "action_id": NOT_ACCURATE, "text": plain("Not accurate"), "value": value}
    )
    if card.severity != "opportunity":
        elements.append(
            {"type": "button", "action_id": RECOVERED, "text": plain("Recovered"), "value": value}
        )
    return {"type": "actions", "block_id": f"alert:{value}", "elements": elements}


def alert_blocks(card: AlertCard, permalink: str | None) -> list[dict[str, Any]]:
    """The alert's root message."""
    blocks = [section(headline(card)), section(quoted(card.quote))]
    blocks.extend(section(line) for line in view.signal_lines(card, MARKUP))
    footer = view.footer(card, MARKUP, f"<{permalink}|View message>" if permalink else None)
    if footer:
        blocks.append(context(footer))
    status = view.status_line(card, MARKUP)
    if status:
        blocks.append(context(status))
    blocks.append(_actions(card))
    return blocks[:MAX_BLOCKS]


def chunks(text: str, size: int) -> list[str]:
    """Pieces of at most `size` characters, cut at line ends where possible."""
    pieces: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > size // 2 else size
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


def thread_blocks(card: AlertCard) -> list[dict[str, Any]]:
    """The alert's thread reply: what to do, and the draft to edit before sending."""
    blocks: list[dict[str, Any]] = []
    if card.recommended_response:
        blocks.append(section(f"*Recommended:* {escape(card.recommended_response)}"))
    if card.draft_reply:
        blocks.append(section("*Draft reply* (edit before sending — press *Use draft* on the alert):"))
        blocks.extend(section(piece) for piece in chunks(quoted(card.draft_reply, 20_000), MAX_SECTION - 10))
        if warning := draft_warning(card.draft_flags):
            blocks.append(section(f":warning: *{warning}*"))
    if not blocks:
        blocks.append(section("No draft for this one."))
    return blocks[:MAX_BLOCKS]


def thread_fallback(card: AlertCard) -> str:
    return clip(escape(thread_text(card)), MAX_FALLBACK)


def joined_text(card: AlertCard, quote: str | None) -> str:
    return clip(f"{view.joined_lead(card, MARKUP)}:\n{quoted(quote or card.quote)}", MAX_SECTION)


def _option(value: str) -> dict[str, Any]:
    return {"text": plain(value.replace("_", " ")), "value": value}


def correction_modal(card: AlertCard) -> dict[str, Any]:
    """ "Not accurate": what the analysis should have said (stored as a Correction)."""
    urgency = {"initial_option": _option(card.urgency)} if card.urgency in set(Urgency) else {}
    known = [e for e in card.emotions if e in set(Emotion)]
    emotions = {"initial_options": [_option(e) for e in known]} if known else {}
    return {
        "type": "modal",
        "callback_id": CORRECTION_VIEW,
        "private_metadata": str(card.alert_id),
        "title": plain("Not accurate", 24),
        "submit": plain("Save correction", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            section(f"What should Tonewatch have read in this message?\n{quoted(card.quote)}"),
            {
                "type": "input",
                "block_id": "label",
                "label": plain("Sentiment"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": [_option(label) for label in Label],
                },
            },
            {
                "type": "input",
                "block_id": "urgency",
                "label": plain("Urgency"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": [_option(u) for u in Urgency],
                    **urgency,
                },
            },
            {
                "type": "input",
                "block_id": "emotions",
                "optional": True,
                "label": plain("Emotions"),
                "element": {
                    "type": "multi_static_select",
                    "action_id": "value",
                    "options": [_option(e) for e in Emotion],
                    **emotions,
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": plain("Anything else?"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 2000,
                },
            },
        ],
    }


def draft_modal(card: AlertCard, channel_name: str) -> dict[str, Any]:
    """ "Use draft": the reply, editable; only the person's submit sends it to the customer."""
    return {
        "type": "modal",
        "callback_id": DRAFT_VIEW,
        "private_metadata": str(card.alert_id),
        "title": plain("Reply to the customer", 24),
        "submit": plain("Send to customer", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            context(
                f":warning: This is posted in the customer's thread in {escape(channel_name)}: "
                f"*{escape(card.account)}* will read it. Edit it first."
            ),
            section(f"Replying to:\n{quoted(card.quote, 500)}"),
            {
                "type": "input",
                "block_id": "draft",
                "label": plain("Your reply"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": MAX_INPUT,
                    "initial_value": clip(card.draft_reply, MAX_INPUT),
                },
            },
        ],
    }
