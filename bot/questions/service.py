"""Questions to Tonewatch ("how is Acme doing?") and their answers, for every chat platform.

    parse_question(text, accounts) -> Question          the grammar (bot.questions.grammar)
    answer(question, engine, now, options) -> Answer    the grammar's answer, from stored history
    await answer_question(question, engine, settings)   what Slack and Teams call

`answer_question` reads the question with the grammar; with Claude configured,
every question but `help` goes to Claude with read-only tools over the store
(`bot.questions.claude`), and the answer cites the messages it relies on. Any
failure there gives the grammar's answer, which is computed alongside. An
`Answer` is neutral (title, lines, items with quotes and message refs, an
optional chart PNG); the platforms render it (handlers/slack/answers.py,
handlers/teams/questions.py) and `Answer.text` is the plain form.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.config.settings import Settings
from bot.questions.answer import Answer, AnswerItem, AnswerOptions, MessageRef, render_answer_text
from bot.questions.grammar import (
    DEFAULT_DAYS,
    GRAMMAR_LINES,
    Intent,
    Question,
    parse_question,
    resolve_account,
)
from bot.questions.lookups import (
    account_card,
    accounts_by_light,
    help_answer,
    negative_recently,
    top_frustrations,
    unanswered,
)
from storage.db import Engine, Transaction, transaction
from storage.tenants import DEFAULT_TENANT, account_names_of
from storage.types import utcnow

log = logging.getLogger(__name__)

__all__ = [
    "GRAMMAR_LINES",
    "Answer",
    "AnswerItem",
    "AnswerOptions",
    "Intent",
    "MessageRef",
    "Question",
    "answer",
    "answer_question",
    "parse_question",
    "read_question",
    "render_answer_text",
    "resolve_account",
]


def read_question(text: str, engine: Engine, tenant: str = DEFAULT_TENANT) -> Question:
    """The grammar's reading of `text`, with the tenant's account names to recognise a bare name."""
    with transaction(engine) as tx:
        return parse_question(text, account_names_of(tx, tenant))


def answer(
    question: Question,
    engine: Engine,
    now: datetime,
    options: AnswerOptions | None = None,
    tenant: str = DEFAULT_TENANT,
) -> Answer:
    """The grammar's answer to `question` as of `now`, from the tenant's data (blocking: SQL, and
    drawing a chart)."""
    options = options or AnswerOptions()
    with transaction(engine) as tx:
        result = _grammar_answer(tx, question, now, options, tenant)
    if result.pending_chart is not None:
        try:
            result.chart = str(result.pending_chart.render())
        except Exception:  # noqa: BLE001 - the answer stands without its chart
            log.warning("could not draw the chart for %s", result.account, exc_info=True)
        result.pending_chart = None
    return result


def _grammar_answer(
    tx: Transaction, question: Question, now: datetime, options: AnswerOptions, tenant: str
) -> Answer:
    days = question.days or DEFAULT_DAYS.get(question.intent.value, 7)
    if question.intent is Intent.account_status:
        return account_card(tx, question.account or "", now, options, tenant)
    if question.intent is Intent.negative_this_week:
        return negative_recently(tx, days, now, options, tenant)
    if question.intent is Intent.accounts_by_light:
        return accounts_by_light(tx, question.light, now, options, tenant)
    if question.intent is Intent.top_frustrations:
        return top_frustrations(tx, days, question.account, now, options, tenant)
    if question.intent is Intent.unanswered:
        return unanswered(tx, days, now, options, tenant)
    return help_answer(question.understood)


async def answer_question(
    question: str,
    engine: Engine,
    settings: Settings,
    asker: str | None = None,
    now: datetime | None = None,
    options: AnswerOptions | None = None,
    tenant: str = DEFAULT_TENANT,
) -> Answer:
    """Answer one of our own people's question from their tenant's data: Claude when configured (citing
    messages), else the grammar."""
    now = now or utcnow()
    options = options or AnswerOptions.from_settings(settings)
    parsed = await asyncio.to_thread(read_question, question, engine, tenant)
    if not settings.claude_configured or (parsed.intent is Intent.help and parsed.understood):
        return await asyncio.to_thread(answer, parsed, engine, now, options, tenant)
    grammar = asyncio.ensure_future(asyncio.to_thread(answer, parsed, engine, now, options, tenant))
    claude = await _ask_claude(question, engine, settings, now, options, parsed, tenant)
    fallback = await grammar
    if claude is None:
        return fallback
    if parsed.intent is Intent.account_status and fallback.account:
        claude.chart, claude.account, claude.light = fallback.chart, fallback.account, fallback.light
    log.info("question from %s answered by %s", asker or "someone", claude.answered_by)
    return claude


async def _ask_claude(
    question: str,
    engine: Engine,
    settings: Settings,
    now: datetime,
    options: AnswerOptions,
    parsed: Question,
    tenant: str,
) -> Answer | None:
    from anthropic import AsyncAnthropic

    from bot.questions.claude import ClaudeAnswerer

    assert settings.anthropic_api_key is not None
    try:
        async with AsyncAnthropic(
            api_key=settings.anthropic_api_key.get_secret_value(),
            base_url=settings.anthropic_base_url,
            timeout=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
        ) as client:
            intent = parsed.intent.value if parsed.understood else "free_form"
            return await ClaudeAnswerer(client, settings.reasoning_model, engine, options, tenant=tenant)(
                question, now, intent
            )
    except Exception:  # noqa: BLE001 - building or closing the client failed: the grammar answers
        log.warning("question: could not reach Claude; answering with the grammar", exc_info=True)
        return None
