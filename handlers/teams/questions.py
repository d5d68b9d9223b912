"""Questions to Tonewatch in Teams ("how is Acme doing?"), by mention or in a 1:1 chat.

The answer is the core's (`bot.questions.service.answer_question`: Claude with
read-only tools when configured, else the grammar), the same as Slack's; this
module renders its neutral `Answer` as an Adaptive Card — title, lines, ranked
items with the customer's words, who answered — with the chart as an image
attachment, and sends it where only the asker's side reads it (`Replier`: the
thread of an internal channel, else the asker's 1:1 chat, where images show
too). Teams messages have no link without the team's group id, so quoted
messages name where they came from instead.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import Any

from microsoft_agents.activity import Activity, Attachment

from bot.config.settings import Settings
from bot.questions.answer import Answer, AnswerItem, short_day, signed
from bot.questions.grammar import Intent
from bot.questions.service import answer_question
from handlers.teams.activity import Turn
from handlers.teams.cards import ADAPTIVE, HELP_TEXT, card, clip, md, quoted, text_block
from handlers.teams.connector import message
from handlers.teams.deps import QuestionHook, TeamsDeps
from handlers.teams.poster import image_attachment
from handlers.teams.replies import Replier
from storage.db import Engine
from storage.errors import UserError

log = logging.getLogger(__name__)

LIGHT_EMOJI = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
ITEM_QUOTE_CHARS = 300
MAX_ITEMS = 25


def core_answerer(engine: Engine, settings: Settings) -> QuestionHook:
    """`TeamsDeps.questions`: the core's answer, as `bot.questions.service` gives it to every platform."""

    async def answer(question: str, asker: str, tenant: str) -> Answer:
        return await answer_question(question, engine, settings, asker=asker, tenant=tenant)

    return answer


def item_blocks(item: AnswerItem) -> list[dict[str, Any]]:
    head = f"- **{md(item.text)}**" + (f" — {md(item.detail)}" if item.detail else "")
    blocks = [text_block(head, spacing="Small")]
    if item.quote:
        blocks.append(text_block(quoted(item.quote, ITEM_QUOTE_CHARS), isSubtle=True, spacing="None"))
    meta = [
        part
        for part in (
            short_day(item.at),
            signed(item.score) if item.score is not None else "",
            f"from {md(item.ref.origin)}" if item.ref is not None else "",
        )
        if part
    ]
    if meta:
        blocks.append(text_block(" · ".join(meta), isSubtle=True, size="Small", spacing="None"))
    return blocks


def answer_card(answer: Answer, chart_follows: bool = False) -> dict[str, Any]:
    """The answer as an Adaptive Card: title, lines, one entry per item, then who answered."""
    emoji = LIGHT_EMOJI.get(answer.light or "", "")
    body = [text_block(f"{emoji} **{md(answer.title)}**".strip(), size="Medium")]
    body.extend(text_block(md(line), spacing="None") for line in answer.lines if line.strip())
    for item in answer.items[:MAX_ITEMS]:
        body.extend(item_blocks(item))
    if answer.note:
        body.append(text_block(md(answer.note), isSubtle=True))
    footer = []
    if chart_follows:
        footer.append("Weekly tone chart below.")
    if answer.answered_by.startswith("claude:"):
        footer.append(
            f"Answered by Claude ({answer.answered_by.split(':', 1)[1]}) from Tonewatch's store; "
            "[n] are the messages it cites."
        )
    elif answer.intent != Intent.help:
        footer.append("Ask me `help` to see what else I answer.")
    if footer:
        body.append(text_block(" ".join(footer), isSubtle=True, size="Small"))
    return card(body)


def help_with_commands(answer: Answer) -> Answer:
    """In Teams, the help also lists the @Tonewatch commands."""
    answer.lines = [*answer.lines, "", *HELP_TEXT.replace("**", "").splitlines()]
    return answer


async def chart_png(answer: Answer) -> bytes | None:
    chart = Path(answer.chart) if answer.chart else None
    if chart is None or not chart.is_file():
        return None
    return await asyncio.to_thread(chart.read_bytes)


def answer_activity(answer: Answer, png: bytes | None) -> Activity:
    attachments = [
        Attachment(content_type=ADAPTIVE, content=answer_card(answer, chart_follows=png is not None))
    ]
    if png is not None:
        attachments.append(image_attachment(png, f"{answer.account or 'account'}-weekly-tone.png"))
    activity = message(attachments=attachments)
    activity.summary = clip(answer.title, 200)
    return activity


class TeamsQuestions:
    def __init__(self, deps: TeamsDeps, replier: Replier) -> None:
        self.deps = deps
        self.replier = replier

    async def answer(self, turn: Turn, question: str) -> None:
        if self.deps.questions is None:
            await self.replier.reply(turn, HELP_TEXT)
            return
        try:
            answer = await self.deps.questions(question, turn.author.id, self.deps.tenant(turn))
        except UserError as exc:
            await self.replier.reply(turn, f"⛔ {exc}")
            return
        except Exception:  # noqa: BLE001 - logged with its id; the person gets the id, never the error
            error_id = uuid.uuid4().hex[:8]
            log.exception("answering a Teams question failed (error %s)", error_id)
            await self.replier.reply(turn, f"Sorry — I couldn't answer that (error {error_id}). Try `help`.")
            return
        if answer.intent == Intent.help:
            answer = help_with_commands(answer)
        await self.replier.reply(turn, answer_activity(answer, await chart_png(answer)))
