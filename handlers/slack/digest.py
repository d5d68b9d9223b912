"""Digests, daily attention lists and notices as Block Kit (posted by `SlackPoster.post_digest` and
`post_notice`, behind its audience check)."""

from __future__ import annotations

from typing import Any

from bot.digest.build import Digest
from bot.digest.render import change_words, portfolio_line, value_note
from bot.outbound.port import AlertNotice
from handlers.slack.blocks import LIGHT_EMOJI, MAX_BLOCKS, clip, context, plain, quoted, section, source_note
from handlers.slack.text import escape

NOTICE_EMOJI = {"critical": ":rotating_light:", "warning": ":large_orange_circle:"}


def _day(moment) -> str:
    return f"{moment:%b} {moment.day}"


def digest_message_ids(digest: Digest) -> list[int]:
    ids = [a.quote.message_id for a in digest.attention if a.quote is not None]
    ids += [w.message_id for w in digest.unanswered]
    ids += [o.message_id for o in digest.opportunities]
    return ids


def digest_blocks(digest: Digest, links: dict[int, str], refs: dict[int, Any]) -> list[dict[str, Any]]:
    """The digest as Block Kit (sketch 3 of docs: portfolio, needs attention, systemic, opportunities…)."""
    audience = f" · {digest.owner}'s accounts" if digest.owner else ""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(f"Customer sentiment · {digest.period.label}{audience}", 150)},
        section(escape(digest.headline)),
    ]
    if digest.empty:
        return blocks
    blocks.append(section(escape(portfolio_line(digest))))
    if digest.value_at_risk is not None:
        blocks.append(section(f":moneybag: *{escape(digest.value_at_risk.line)}*"))
    if digest.attention:
        blocks.append(section("*Needs attention*"))
        for item in digest.attention:
            was = f", was {item.was}" if item.was != item.light else ""
            reasons = "; ".join(item.reasons) or "several small signals"
            value = f" ({escape(value_note(item))})" if value_note(item) else ""
            lines = [
                f"{LIGHT_EMOJI.get(str(item.light), '')} *{escape(item.account)}*{value} — {item.light}, "
                f"{item.trend}{was}: {escape(reasons)}."
            ]
            if item.top_concerns:
                concerns = ", ".join(f"{c.replace('_', ' ')} ({n})" for c, n in item.top_concerns)
                lines.append(f"Top concerns: {escape(concerns)}")
            if item.quote is not None:
                lines.append(quoted(item.quote.quote, 300))
                note = source_note(refs.get(item.quote.message_id), links)
                lines.append(f"{_day(item.quote.created_at)}" + (f" · {note}" if note else ""))
            blocks.append(section("\n".join(lines)))
        more = digest.attention_total - len(digest.attention)
        if more > 0:
            blocks.append(context(f"and {more} more account{'s' if more > 1 else ''} need attention"))
    better = [c for c in digest.changes if not c.worse]
    if better:
        shown = ", ".join(f"{escape(c.account)} ({c.from_light} → {c.to_light})" for c in better[:6])
        blocks.append(section(f"*Improved:* {shown}"))
    if digest.unanswered_total:
        lines = [f"*Unanswered past the reply SLA:* {digest.unanswered_total}"]
        for waiting in digest.unanswered:
            hours = waiting.hours_waiting(digest.as_of)
            age = f"{hours / 24:.0f} days" if hours >= 48 else f"{hours:.0f} h"
            note = source_note(refs.get(waiting.message_id), links)
            lines.append(
                f"• *{escape(waiting.account)}* — waiting {age}: \u201c{escape(waiting.quote)}\u201d"
                + (f" {note}" if note else "")
            )
        blocks.append(section("\n".join(lines)))
    if digest.silent:
        shown = ", ".join(f"{escape(s.account)} ({s.days // 7} weeks)" for s in digest.silent)
        blocks.append(section(f"*Gone silent:* {shown}"))
    for incident in digest.incidents:
        from zoneinfo import ZoneInfo

        names = ", ".join(incident.accounts[:8]) + (" …" if len(incident.accounts) > 8 else "")
        described = incident.describe(ZoneInfo(digest.period.zone))
        blocks.append(section(f":rotating_light: *Systemic:* {escape(described)} ({escape(names)})."))
    if digest.opportunities:
        shown = " · ".join(
            f"*{escape(o.account)}*: \u201c{escape(o.text)}\u201d"
            if o.kind == "expansion"
            else f"*{escape(o.account)}* {escape(o.text)}"
            for o in digest.opportunities
        )
        blocks.append(section(f":seedling: *Opportunities:* {shown}"))
    if digest.top_concerns:
        shown = " · ".join(
            f"{c.concern.replace('_', ' ')} {c.count} ({change_words(c.change)})" for c in digest.top_concerns
        )
        blocks.append(section(f"*Top concerns:* {escape(shown)}"))
    precision = digest.precision
    if precision.alerts:
        blocks.append(context(escape(precision.describe())))
    return blocks[:MAX_BLOCKS]


def notice_blocks(notice: AlertNotice, links: dict[int, str], refs: dict[int, Any]) -> list[dict[str, Any]]:
    emoji = NOTICE_EMOJI.get(notice.severity, ":bell:")
    lines = [f"{emoji} *{escape(notice.title)}*"]
    lines += [f"• {escape(line)}" for line in notice.lines[:30]]
    notes = [source_note(refs.get(i), links) for i in notice.message_ids[:10]]
    notes = [n for n in notes if n.startswith("<")]
    if notes:
        lines.append(" · ".join(notes))
    return [section(clip("\n".join(lines), 3000))]
