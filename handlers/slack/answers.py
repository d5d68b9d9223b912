"""Answers to questions in Slack ("how is Acme doing?"): the core's `Answer` as Block Kit, with links.

`SlackAnswers` is the `SlackEvents.questions` hook. It asks `bot.questions.service`
(Claude with read-only tools when configured, else the grammar), turns each
cited or quoted message into a link (chat.getPermalink for Slack messages;
the source kind for e-mail, tickets and surveys), and answers through the
`AnswerPlace` the listener chose: a DM, a thread in an internal channel, or —
where customers can read — an ephemeral message only the asker sees (and no
chart, since a file cannot be shown to one person).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.questions.answer import Answer, AnswerItem, short_day, signed
from bot.questions.grammar import Intent
from bot.questions.service import answer_question
from handlers.slack.blocks import (
    HELP_TEXT,
    LIGHT_EMOJI,
    MAX_BLOCKS,
    clip,
    context,
    quoted,
    section,
    source_note,
)
from handlers.slack.deps import AnswerPlace, SlackDeps
from handlers.slack.text import escape
from storage.errors import UserError
from storage.types import utcnow

log = logging.getLogger(__name__)

ITEM_QUOTE_CHARS = 300


def item_text(item: AnswerItem, links: dict[int, str]) -> str:
    head = f"• *{escape(item.text)}*" + (f" — {escape(item.detail)}" if item.detail else "")
    parts = [head]
    if item.quote:
        parts.append(quoted(item.quote, ITEM_QUOTE_CHARS))
    meta = [
        part
        for part in (
            short_day(item.at),
            signed(item.score) if item.score is not None else "",
            source_note(item.ref, links),
        )
        if part
    ]
    if meta:
        parts.append(" · ".join(meta))
    return "\n".join(parts)


def answer_blocks(answer: Answer, links: dict[int, str], chart_follows: bool = False) -> list[dict[str, Any]]:
    """The answer as Block Kit: title, lines, one section per item, then who answered."""
    emoji = LIGHT_EMOJI.get(answer.light or "", "")
    blocks = [section(f"{emoji} *{escape(answer.title)}*".strip())]
    if answer.lines:
        blocks.append(section("\n".join(escape(line) for line in answer.lines)))
    room = MAX_BLOCKS - len(blocks) - 3
    blocks.extend(section(item_text(item, links)) for item in answer.items[:room])
    if answer.note:
        blocks.append(context(escape(answer.note)))
    footer = []
    if chart_follows:
        footer.append("Weekly tone chart below.")
    if answer.answered_by.startswith("claude:"):
        footer.append(
            f"Answered by Claude ({escape(answer.answered_by.split(':', 1)[1])}) from Tonewatch's store; "
            "[n] are the messages it cites."
        )
    elif answer.intent != Intent.help:
        footer.append("Ask me `help` to see what else I answer.")
    if footer:
        blocks.append(context(" ".join(footer)))
    return blocks[:MAX_BLOCKS]


def fallback_text(answer: Answer) -> str:
    """The notification text (and what screen readers read): the whole answer as plain text."""
    return clip(escape(answer.text), 3000)


def help_with_commands(answer: Answer) -> Answer:
    """In Slack, the help also lists the /tonewatch commands."""
    answer.lines = [*answer.lines, "", *HELP_TEXT.replace("*", "").splitlines()]
    return answer


class SlackAnswers:
    """`SlackEvents.questions`: answer, render, post through the listener's `AnswerPlace`."""

    def __init__(self, deps: SlackDeps, clock: Callable[[], datetime] = utcnow) -> None:
        self.deps = deps
        #: What "now" is for answers (the demo plays a week in the past).
        self.clock = clock

    async def __call__(self, question: str, user: str, place: AnswerPlace) -> None:
        try:
            answer = await answer_question(
                question,
                self.deps.engine,
                self.deps.settings,
                asker=user,
                now=self.clock(),
                tenant=place.tenant,
            )
        except UserError as exc:
            await place.say(f":no_entry: {escape(str(exc))}")
            return
        except Exception:  # noqa: BLE001 - logged with its id; the person gets the id, never the error
            error_id = uuid.uuid4().hex[:8]
            log.exception("answering a question failed (error %s)", error_id)
            await place.say(f"Sorry — I couldn't answer that (error {error_id}). Try again, or ask `help`.")
            return
        if answer.intent == Intent.help:
            answer = help_with_commands(answer)
        links = await self.deps.poster.permalinks(answer.refs)
        chart = Path(answer.chart) if answer.chart and place.shows_images else None
        if chart is not None and not chart.is_file():
            chart = None
        await place.say(fallback_text(answer), answer_blocks(answer, links, chart_follows=chart is not None))
        if chart is not None:
            png = await asyncio.to_thread(chart.read_bytes)
            try:
                await place.image(png, chart.name, f"{answer.account or 'Account'}: weekly tone")
            except Exception:  # noqa: BLE001 - the answer is out; the chart is a bonus
                log.warning("could not share the chart %s", chart.name, exc_info=True)
