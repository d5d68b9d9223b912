"""Adaptive Cards and texts for Teams: alerts with their buttons and forms, thread notes, digests, notices.

Plain dictionaries (no SDK types), version 1.5 as Teams renders it. Buttons
are `Action.Submit`: Teams delivers a press as a message activity whose
`value` carries the button's `data` merged with the form's inputs, which is
what `handlers/teams/actions.py` reads. The two forms ("Not accurate" and
"Use draft") open inside the card (`Action.ShowCard`), so nothing is sent until
a person presses the form's own button. Texts are clipped to stay well under
Teams' message size limit (about 28 KB).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.alerts import view
from bot.alerts.service import AlertCard, draft_warning
from bot.alerts.view import CardMarkup
from bot.analysis.contract import Emotion, Label, Urgency
from bot.outbound.port import AlertNotice

CARD_VERSION = "1.5"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
QUOTE_CHARS = 700
MAX_TEXT = 4000
MAX_DRAFT = 4000

#: The `tonewatch` field of a button's data: which action was pressed.
ACK, SNOOZE, CORRECT, SEND_DRAFT = "ack", "snooze", "correct", "send_draft"
#: The recovery conversation happened: outreach to the account may resume (bot/accounts/suppression.py).
RECOVERED = "recovered"
#: Snooze choices: data value → (label, seconds).
SNOOZES = {"1h": ("1 hour", 3600), "1d": ("1 day", 86400)}

#: What an external person gets when they talk to Tonewatch (it says nothing about anything).
REFUSAL = (
    "Sorry — Tonewatch only works for the team that installed it, so I can't help here. "
    "Your usual contact will be glad to."
)

HELP_TEXT = """**Tonewatch** reads customer messages in the channels it watches, scores them and alerts you.
- `@Tonewatch watch Acme Corp` — score the customer's messages in this channel or chat
- `@Tonewatch unwatch` — stop watching it
- `@Tonewatch alerts` — make this channel the alert channel (refused where customers can read)
- `@Tonewatch status` — what Tonewatch does here
- `@Tonewatch digest here [mon 09:00 Europe/Paris]` — the weekly digest, in this internal channel
- `@Tonewatch how is Acme doing?` — ask about an account (here, or in a 1:1 chat with me)
- `@Tonewatch account Acme owner @Sam arr 48000 renews 2027-01-31` — the account book (also currency, \
tier, domain, crm); `@Tonewatch account Acme` shows it
- `@Tonewatch recovered Acme` — the recovery conversation happened: outreach is no longer suppressed

Alerts, scores and drafted replies only ever appear in internal channels."""

GREETING = (
    "Thanks for adding me. Link a customer's channel with `@Tonewatch watch [account]` there, "
    "and make an internal channel the alert channel with `@Tonewatch alerts`. "
    "`@Tonewatch help` shows the rest."
)

#: The container style of each severity's card.
_STYLE = {"critical": "attention", "warning": "warning", "opportunity": "good"}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: What makes emphasis, code, a link or an inline tag in a TextBlock: shown as typed once escaped.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>~])")


def md(text: str) -> str:
    """Text shown in an Adaptive Card's markdown as written: every markdown character escaped.

    THE rule for Teams: every piece of text that did not come from Tonewatch's own templates
    (customer words, account names, authors, analysis text) goes through this before it is put in a
    TextBlock, so `[label](https://x)` is never a link, `**x**` never bold, `<at>x</at>` never a mention.
    """
    return _MARKDOWN.sub(r"\\\1", text)


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": clip(text, MAX_TEXT), "wrap": True, **style}


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return content


def teams_date(moment: datetime) -> str:
    """A date and time every reader sees in their own time zone (Adaptive Cards' DATE/TIME functions)."""
    iso = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{{{{DATE({iso}, SHORT)}}}} {{{{TIME({iso})}}}}"


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return f"\u201c{md(clip(flat, limit))}\u201d" if flat else "(no text)"


# --- alerts -----------------------------------------------------------------------------------------


#: How Teams writes the alert card's words (bot/alerts/view.py).
MARKUP = CardMarkup(
    bold=lambda text: f"**{text}**",
    escape=md,
    evidence=lambda piece: quoted(piece, 200),
    date=lambda moment: teams_date(moment),
    person=md,
    severity_emoji={"critical": "🔴", "warning": "🟠", "opportunity": "🟢"},
    other_severity="🔵",
    churn="🚨",
    competitor="⚔️",
    expansion="🌱",
    done="✅",
)


def headline(alert: AlertCard, where: str | None) -> str:
    return view.headline(alert, MARKUP, md(where) if where else None)


def fallback_text(alert: AlertCard) -> str:
    """The notification text: severity, account and the customer's words."""
    return clip(f"{view.severity_name(alert)} · {alert.account}: {quoted(alert.quote, 200)}", 300)


def _choices(values: list[str]) -> list[dict[str, str]]:
    return [{"title": value.replace("_", " "), "value": value} for value in values]


def correction_form(alert: AlertCard) -> dict[str, Any]:
    """ "Not accurate": what the analysis should have said (stored as a Correction)."""
    known_emotions = [e for e in alert.emotions if e in set(Emotion)]
    body = [
        text_block("What should Tonewatch have read in this message?", weight="Bolder"),
        {
            "type": "Input.ChoiceSet",
            "id": "label",
            "label": "Sentiment",
            "isRequired": True,
            "errorMessage": "Choose the sentiment",
            "choices": _choices([str(label) for label in Label]),
        },
        {
            "type": "Input.ChoiceSet",
            "id": "urgency",
            "label": "Urgency",
            "value": alert.urgency if alert.urgency in set(Urgency) else None,
            "choices": _choices([str(u) for u in Urgency]),
        },
        {
            "type": "Input.ChoiceSet",
            "id": "emotions",
            "label": "Emotions",
            "isMultiSelect": True,
            "value": ",".join(known_emotions) or None,
            "choices": _choices([str(e) for e in Emotion]),
        },
        {
            "type": "Input.Text",
            "id": "note",
            "label": "Anything else?",
            "isMultiline": True,
            "maxLength": 2000,
        },
    ]
    for element in body:
        if element.get("value") is None:
            element.pop("value", None)
    return card(
        body,
        [
            {
                "type": "Action.Submit",
                "title": "Save correction",
                "data": {"tonewatch": CORRECT, "alert": alert.alert_id},
            }
        ],
    )


def draft_form(alert: AlertCard, where: str) -> dict[str, Any]:
    """ "Use draft": the reply, editable; only pressing "Send to customer" sends it."""
    return card(
        [
            text_block(
                f"⚠️ This is posted in the customer's conversation ({md(where)}): "
                f"**{md(alert.account)}** will read it. Edit it first.",
                color="Attention",
            ),
            text_block(f"Replying to: {quoted(alert.quote, 500)}", isSubtle=True),
            {
                "type": "Input.Text",
                "id": "draft",
                "label": "Your reply",
                "isMultiline": True,
                "isRequired": True,
                "errorMessage": "Write the reply first",
                "maxLength": MAX_DRAFT,
                "value": clip(alert.draft_reply, MAX_DRAFT),
            },
        ],
        [
            {
                "type": "Action.Submit",
                "title": "Send to customer",
                "style": "destructive",
                "data": {"tonewatch": SEND_DRAFT, "alert": alert.alert_id},
            }
        ],
    )


def alert_actions(alert: AlertCard, where: str) -> list[dict[str, Any]]:
    alert_id = alert.alert_id
    actions: list[dict[str, Any]] = [
        {
            "type": "Action.Submit",
            "title": "Acknowledge",
            "style": "positive",
            "data": {"tonewatch": ACK, "alert": alert_id},
        },
    ]
    actions.extend(
        {
            "type": "Action.Submit",
            "title": f"Snooze {label}",
            "data": {"tonewatch": SNOOZE, "for": key, "alert": alert_id},
        }
        for key, (label, _seconds) in SNOOZES.items()
    )
    if alert.draft_reply and alert.source_platform == "teams":
        actions.append({"type": "Action.ShowCard", "title": "Use draft", "card": draft_form(alert, where)})
    actions.append({"type": "Action.ShowCard", "title": "Not accurate", "card": correction_form(alert)})
    if alert.severity != "opportunity":
        actions.append(
            {
                "type": "Action.Submit",
                "title": "Recovered",
                "data": {"tonewatch": RECOVERED, "alert": alert_id},
            }
        )
    return actions


def alert_card(alert: AlertCard, where: str | None = None) -> dict[str, Any]:
    """The alert's root post."""
    style = _STYLE.get(alert.severity, "default")
    items = [text_block(headline(alert, where), size="Medium"), text_block(quoted(alert.quote))]
    items.extend(text_block(line) for line in view.signal_lines(alert, MARKUP))
    end = view.footer(alert, MARKUP)
    if end:
        items.append(text_block(end, isSubtle=True, size="Small"))
    status = view.status_line(alert, MARKUP)
    if status:
        items.append(text_block(status, weight="Bolder", color="Good"))
    body = [{"type": "Container", "style": style, "bleed": True, "items": items}]
    return card(body, alert_actions(alert, where or "the customer's channel"))


def thread_card(alert: AlertCard) -> dict[str, Any]:
    """The alert's thread reply: what to do, and the draft to edit before sending."""
    body: list[dict[str, Any]] = []
    if alert.recommended_response:
        body.append(text_block(f"**Recommended:** {md(alert.recommended_response)}"))
    if alert.draft_reply:
        hint = " — press **Use draft** on the alert" if alert.source_platform == "teams" else ""
        body.append(text_block(f"**Draft reply** (edit before sending{hint}):"))
        body.append(
            {
                "type": "Container",
                "style": "emphasis",
                "items": [text_block(md(clip(alert.draft_reply, MAX_DRAFT)))],
            }
        )
        if warning := draft_warning(alert.draft_flags):
            body.append(text_block(f"⚠️ **{warning}**"))
    if not body:
        body.append(text_block("No draft for this one."))
    return card(body)


def joined_text(alert: AlertCard, quote: str | None) -> str:
    return f"{view.joined_lead(alert, MARKUP)}: {quoted(quote or alert.quote)}"


# --- digests and notices ------------------------------------------------------------------------------


def lines_card(title: str, lines: list[str], subtitle: str | None = None) -> dict[str, Any]:
    """A title, an optional subtitle, and lines (" • x" lines become bullets), all plain text."""
    body = [text_block(md(title), size="Large", weight="Bolder")]
    if subtitle:
        body.append(text_block(md(subtitle), weight="Bolder"))
    for line in lines:
        if not line.strip():
            continue
        stripped = line.strip()
        if stripped.startswith("• "):
            body.append(text_block("- " + md(stripped[2:]), spacing="None"))
        elif line.startswith("   "):
            body.append(text_block(md(stripped), isSubtle=True, spacing="None"))
        else:
            body.append(text_block(md(stripped), spacing="Medium"))
    return card(body[:120])


def notice_card(notice: AlertNotice) -> dict[str, Any]:
    icon = {"critical": "🔴", "warning": "🟠"}.get(notice.severity, "🔵")
    return lines_card(f"{icon} {notice.title}", [f" • {line}" for line in notice.lines])
