"""Free-form questions answered by Claude, with read-only tools over the store, citing messages.

`ClaudeAnswerer` runs the Messages API tool-use loop with the prompt
`prompts/answer_question`: Claude calls `list_accounts`, `account_health`,
`search_messages` and `unanswered_messages` (each a read in its own transaction,
run in a thread), then writes the answer, citing the messages it relies on as
`[#id]`. The answer is accepted only if every cited id is one the tools
returned, and it cites at least one when the tools returned any messages.
Anything else — an API error, a timeout, a refusal, too many turns, an
uncited or over-long answer — returns None, and the caller answers with the
grammar (`bot.questions.service`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import datetime, timedelta
from typing import Any

from bot.alerts.replies import unanswered_messages
from bot.analysis.redaction import redact
from bot.health.report import account_report, quote
from bot.health.scoring import compute_health
from bot.questions.answer import Answer, AnswerItem, AnswerOptions, message_refs
from bot.questions.grammar import resolve_account
from storage.db import Engine, Transaction, transaction
from storage.queries import find_account
from storage.questions import concerns_by_message, search_messages, tenant_messages_by_id
from storage.tenants import DEFAULT_TENANT, account_names_of

log = logging.getLogger(__name__)

MAX_TURNS = 6
MAX_ANSWER_CHARS = 2500
MESSAGE_CHARS = 500
_CITATION = re.compile(r"\[\s*#\d+(?:\s*,\s*#?\d+)*\s*\]")
_ID = re.compile(r"\d+")

TOOLS: list[dict[str, Any]] = [
    {
        "name": "list_accounts",
        "description": "Every account with its traffic light (green, yellow, red), trend, risk points, "
        "7/30-day average tone, open alerts and days silent. Optionally only one colour.",
        "input_schema": {
            "type": "object",
            "properties": {"light": {"type": "string", "enum": ["green", "yellow", "red"]}},
            "additionalProperties": False,
        },
    },
    {
        "name": "account_health",
        "description": "One account in depth: light, trend, averages, baseline, top concerns, the signals "
        "behind the light with the messages that raised them (with ids), what changed, open alerts, "
        "recent messages. The name may be partial or misspelt.",
        "input_schema": {
            "type": "object",
            "properties": {"account": {"type": "string"}},
            "required": ["account"],
            "additionalProperties": False,
        },
    },
    {
        "name": "search_messages",
        "description": "Customer messages, newest first: id, account, date, score (-1..1), concerns, text. "
        "Filter by account, words that must all appear, the last N days (default 30, at most 90), a score "
        "range (negative: max_score -0.3) and a concern.",
        "input_schema": {
            "type": "object",
            "properties": {
                "account": {"type": "string"},
                "text": {"type": "string", "description": "words that must all appear"},
                "days": {"type": "integer", "minimum": 1, "maximum": 90},
                "max_score": {"type": "number", "minimum": -1, "maximum": 1},
                "min_score": {"type": "number", "minimum": -1, "maximum": 1},
                "concern": {"type": "string"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            },
            "additionalProperties": False,
        },
    },
    {
        "name": "unanswered_messages",
        "description": "Negative customer messages from the last N days (default 7) that nobody on our side "
        "has replied to yet, oldest first, with how long they have waited.",
        "input_schema": {
            "type": "object",
            "properties": {
                "days": {"type": "integer", "minimum": 1, "maximum": 90},
                "account": {"type": "string"},
            },
            "additionalProperties": False,
        },
    },
]


class ToolError(Exception):
    """A tool call Claude can correct (an unknown account); sent back as an error result."""


def _text(value: str | None) -> str:
    return redact(quote(value, MESSAGE_CHARS)).text


class StoreTools:
    """The read-only tools, against the asker's tenant's data as of `now`. Remembers every message id
    it returned (an answer may cite only those)."""

    def __init__(
        self, engine: Engine, now: datetime, options: AnswerOptions, tenant: str = DEFAULT_TENANT
    ) -> None:
        self.engine = engine
        self.now = now
        self.options = options
        self.tenant = tenant
        self.seen: set[int] = set()

    def run(self, name: str, arguments: dict[str, Any]) -> Any:
        tool = getattr(self, f"_{name}", None)
        if tool is None or name not in {t["name"] for t in TOOLS}:
            raise ToolError(f"no tool named {name}")
        with transaction(self.engine) as tx:
            return tool(tx, **(arguments or {}))

    def _account(self, tx: Transaction, written: str) -> str:
        names = account_names_of(tx, self.tenant)
        match = resolve_account(written, names)
        if match.name is None:
            hint = f" Did you mean {', '.join(match.suggestions)}?" if match.suggestions else ""
            raise ToolError(f"no account called {written!r}.{hint} Known: {', '.join(names[:30])}")
        return match.name

    def _list_accounts(self, tx: Transaction, light: str | None = None) -> list[dict]:
        healths = compute_health(tx, self.now, self.options.rules, tenant=self.tenant)
        return [
            {
                "account": h.account,
                "light": str(h.light),
                "trend": str(h.trend),
                "points": h.points,
                "average_7d": h.average_7d,
                "average_30d": h.average_30d,
                "messages_30d": h.messages_30d,
                "negative_30d": h.negative_30d,
                "open_alerts": h.open_alerts,
                "silent_days": h.silent_days,
                "reasons": [s.text for s in h.signals if s.points > 0],
            }
            for h in healths
            if light is None or str(h.light) == light
        ]

    def _account_health(self, tx: Transaction, account: str) -> dict:
        report = account_report(
            tx, self._account(tx, account), self.now, self.options.rules, self.tenant
        )
        report.pop("weekly_average", None)
        for reason in report.get("why", []):
            for message in reason.get("messages", []):
                message["quote"] = redact(message["quote"]).text
                self.seen.add(int(message["id"]))
        for message in report.get("recent", []):
            message["quote"] = redact(message["quote"]).text
            self.seen.add(int(message["id"]))
        for message in report.get("expansion", []):
            message["quote"] = redact(message["quote"]).text
            self.seen.add(int(message["id"]))
        return report

    def _search_messages(
        self,
        tx: Transaction,
        account: str | None = None,
        text: str | None = None,
        days: int = 30,
        max_score: float | None = None,
        min_score: float | None = None,
        concern: str | None = None,
        limit: int = 20,
    ) -> list[dict]:
        days = max(1, min(90, int(days)))
        rows = search_messages(
            tx,
            self.tenant,
            self.now - timedelta(days=days),
            self.now,
            account=self._account(tx, account) if account else None,
            words=(text or "").split()[:8],
            max_score=float(max_score) if max_score is not None else None,
            min_score=float(min_score) if min_score is not None else None,
            concern=concern.strip().replace(" ", "_") if concern else None,
            limit=max(1, min(50, int(limit))),
        )
        ids = [row.id for row in rows]
        concerns = concerns_by_message(tx, ids)
        self.seen.update(ids)
        return [
            {
                "id": row.id,
                "account": row.name,
                "created_at": row.created_at.isoformat(),
                "source": row.source_kind,
                "score": row.score,
                "concerns": concerns.get(row.id, []),
                "text": _text(row.text),
            }
            for row in rows
        ]

    def _unanswered_messages(self, tx: Transaction, days: int = 7, account: str | None = None) -> list[dict]:
        days = max(1, min(90, int(days)))
        account_ids = None
        if account:
            found = find_account(tx, self._account(tx, account), self.tenant)
            assert found is not None and found.id is not None  # a name of the tenant's accounts
            account_ids = [found.id]
        waiting = unanswered_messages(
            tx,
            as_of=self.now,
            created_after=self.now - timedelta(days=days),
            created_before=self.now,
            max_score=self.options.rules.warning_score,
            sla_hours=self.options.sla_hours,
            account_ids=account_ids,
            quoted=50,
            tenant=self.tenant,
        )[:50]
        self.seen.update(w.message_id for w in waiting)
        return [w.to_json(self.now) | {"id": w.message_id, "quote": redact(w.quote).text} for w in waiting]


def cited_ids(text: str) -> list[int]:
    """Message ids cited as [#12] or [#12, #15], in order of first citation."""
    found: list[int] = []
    for group in _CITATION.findall(text):
        for number in _ID.findall(group):
            if int(number) not in found:
                found.append(int(number))
    return found


class ClaudeAnswerer:
    """`await answerer(question, now)` → an `Answer` citing messages, or None (then use the grammar)."""

    def __init__(
        self,
        client: Any,
        model: str,
        engine: Engine,
        options: AnswerOptions,
        prompt: Any = None,
        tenant: str = DEFAULT_TENANT,
    ):
        self.client = client
        self.model = model
        self.engine = engine
        self.options = options
        self.tenant = tenant
        self.prompt = prompt
        self.max_tokens = 1200

    def _system(self) -> str:
        if self.prompt is None:
            from bot.analysis.prompts import load_prompt

            self.prompt = load_prompt("answer_question")
        return self.prompt.body

    async def __call__(self, question: str, now: datetime, intent: str = "free_form") -> Answer | None:
        try:
            return await self._answer(question, now, intent)
        except Exception:  # noqa: BLE001 - the grammar's answer is always there to fall back on
            log.warning("question: Claude failed; answering with the grammar", exc_info=True)
            return None

    async def _answer(self, question: str, now: datetime, intent: str) -> Answer | None:
        tools = StoreTools(self.engine, now, self.options, self.tenant)
        messages: list[dict[str, Any]] = [
            {
                "role": "user",
                "content": f"Now: {now.isoformat()}\n<question>\n{question.strip()}\n</question>",
            }
        ]
        # The prompt and tools are the same for every question: one cache breakpoint after them, and one
        # on the conversation's last turn so each tool round reads the turns before it from the cache.
        system = [{"type": "text", "text": self._system(), "cache_control": {"type": "ephemeral"}}]
        for _turn in range(MAX_TURNS):
            response = await self.client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=system,
                tools=TOOLS,
                messages=_with_last_turn_cached(messages),
            )
            if response.stop_reason == "tool_use":
                messages.append({"role": "assistant", "content": response.content})
                messages.append({"role": "user", "content": await self._run_tools(tools, response.content)})
                continue
            if response.stop_reason not in ("end_turn", "stop_sequence"):
                log.info("question: Claude stopped with %s; answering with the grammar", response.stop_reason)
                return None
            text = "".join(getattr(block, "text", "") for block in response.content).strip()
            return await asyncio.to_thread(self._accept, text, tools.seen, intent)
        log.info("question: Claude used %s turns without answering; answering with the grammar", MAX_TURNS)
        return None

    async def _run_tools(self, tools: StoreTools, content: list[Any]) -> list[dict[str, Any]]:
        results = []
        for block in content:
            if getattr(block, "type", None) != "tool_use":
                continue
            try:
                output = await asyncio.to_thread(tools.run, block.name, dict(block.input or {}))
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block.id,
                        "content": json.dumps(output, ensure_ascii=False, default=str),
                    }
                )
            except (ToolError, TypeError, ValueError) as exc:
                results.append(
                    {"type": "tool_result", "tool_use_id": block.id, "content": str(exc), "is_error": True}
                )
        return results

    def _accept(self, text: str, seen: set[int], intent: str) -> Answer | None:
        if not text or len(text) > MAX_ANSWER_CHARS:
            log.info("question: Claude's answer is empty or too long; answering with the grammar")
            return None
        cited = cited_ids(text)
        invented = [i for i in cited if i not in seen]
        if invented or (seen and not cited):
            log.info(
                "question: Claude's answer cites %s (invented: %s); answering with the grammar",
                cited,
                invented,
            )
            return None
        numbers = {message_id: n for n, message_id in enumerate(cited, start=1)}
        shown = _CITATION.sub(
            lambda m: "[" + ", ".join(str(numbers[int(i)]) for i in _ID.findall(m.group(0))) + "]", text
        )
        first, _, rest = shown.partition("\n")
        items = []
        if cited:
            with transaction(self.engine) as tx:
                refs = message_refs(tx, cited)
                rows = tenant_messages_by_id(tx, self.tenant, cited)
            for message_id in cited:
                row = rows.get(message_id)
                if row is None:
                    continue
                items.append(
                    AnswerItem(
                        text=f"[{numbers[message_id]}] {row.name or 'unknown account'}",
                        quote=quote(row.text),
                        ref=refs.get(message_id),
                        at=row.created_at,
                        score=row.score,
                    )
                )
        return Answer(
            intent,
            first.strip(),
            lines=[line.strip() for line in rest.splitlines() if line.strip()],
            items=items,
            answered_by=f"claude:{self.model}",
        )


def _with_last_turn_cached(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation with a cache breakpoint on its last turn's last block (the turns are not changed)."""
    if not messages:
        return messages
    last = dict(messages[-1])
    content = last["content"]
    if isinstance(content, str):
        blocks: list[Any] = [{"type": "text", "text": content}]
    else:
        blocks = [
            block if isinstance(block, dict) else block.model_dump(exclude_none=True) for block in content
        ]
    if blocks:
        blocks[-1] = {**blocks[-1], "cache_control": {"type": "ephemeral"}}
    last["content"] = blocks
    return [*messages[:-1], last]
