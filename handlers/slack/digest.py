"""Digests, daily attention lists and notices in Slack: the `bot.outbound.port.Poster` the scheduler
posts through.

`SlackDigestPoster` renders the core's `Digest` as Block Kit and shares its
chart with files_upload_v2, using `SlackPoster`'s guarded methods: every post
and upload is refused where customers can read. A target is a channel, or a
CSM's DM (`owner_dm`, the address being their Slack user id). The scheduler
claims each (target, period) once; a chart that fails to upload is logged,
not retried, so it never makes the digest post twice.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from bot.alerts.delivery import NotInternal
from bot.digest.build import Digest
from bot.digest.render import change_words, portfolio_line, value_note
from bot.messages.places import PlaceRegistry
from bot.outbound.port import AlertNotice, Destination, Poster, PostReceipt
from bot.questions.answer import message_refs
from handlers.slack.answers import LIGHT_EMOJI, permalinks, source_note
from handlers.slack.blocks import MAX_BLOCKS, clip, context, plain, quoted, section
from handlers.slack.poster import SlackPoster
from handlers.slack.text import escape
from storage.db import Engine, session_scope
from storage.tenants import DEFAULT_TENANT

log = logging.getLogger(__name__)

PLATFORM = "slack"
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


class SlackDigestPoster(Poster):
    """The `bot.outbound.port.Poster` for Slack; see the module docstring."""

    name = PLATFORM

    def __init__(self, poster: SlackPoster, places: PlaceRegistry, engine: Engine) -> None:
        self.poster = poster
        self.places = places
        self.engine = engine

    async def _channel(self, target: Destination | None, tenant: str = DEFAULT_TENANT) -> str:
        if target is None:
            place = await asyncio.to_thread(self.places.alert_channel, PLATFORM, tenant)
            if place is None or place.platform != PLATFORM:
                raise NotInternal("no Slack alert channel yet (`/tonewatch alerts #channel` sets one)")
            return place.external_id
        if target.kind == "owner_dm":
            return await self.poster.open_dm(target.address)
        return target.address

    async def _links(self, message_ids: list[int]) -> tuple[dict[int, str], dict[int, Any]]:
        def read() -> dict[int, Any]:
            with session_scope(self.engine) as session:
                return message_refs(session, message_ids)

        refs = await asyncio.to_thread(read) if message_ids else {}
        return await permalinks(self.poster, refs.values()), refs

    async def post_digest(self, target: Destination, digest: Digest) -> PostReceipt:
        from bot.digest.render import render_digest_text

        channel = await self._channel(target)
        links, refs = await self._links(digest_message_ids(digest))
        fallback = clip(escape(render_digest_text(digest)), 3000)
        ts = await self.poster.post_message(channel, fallback, digest_blocks(digest, links, refs))
        chart = Path(digest.chart) if digest.chart else None
        if chart is not None and chart.is_file():
            try:
                png = await asyncio.to_thread(chart.read_bytes)
                await self.poster.upload_image(
                    channel, png, chart.name, f"Customer sentiment · {digest.period.label}"
                )
            except Exception:  # noqa: BLE001 - the digest is posted; re-posting it for a chart would double it
                log.warning("digest %s posted without its chart", digest.period.key, exc_info=True)
        return PostReceipt(self.name, ts)

    async def post_alert(self, alert: AlertNotice, target: Destination | None = None) -> PostReceipt:
        channel = await self._channel(target, alert.tenant)
        links, refs = await self._links(list(alert.message_ids[:10]))
        blocks = notice_blocks(alert, links, refs)
        ts = await self.poster.post_message(channel, escape(alert.render_text()), blocks)
        return PostReceipt(self.name, ts)
