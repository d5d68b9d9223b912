"""The analyzer interface and the input rules every analyzer shares."""

from __future__ import annotations

import abc
import asyncio
import re
import unicodedata
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.analysis.contract import AnalysisResult
from storage.errors import UserError

T = TypeVar("T")

#: Slack allows 40,000 characters in a message; nothing a customer writes by
#: hand is that long, and scoring a wall of pasted logs is noise.
DEFAULT_MAX_TEXT_CHARS = 20_000


class InvalidText(UserError):
    """A text that cannot be analyzed, with a reason a person can act on."""


def clean_text(text: object, max_chars: int = DEFAULT_MAX_TEXT_CHARS) -> str:
    """Validate and normalize a message text, or raise `InvalidText`.

    Control characters (other than newlines and tabs) are dropped; the result
    is NFC-normalized. Empty, whitespace-only, binary and over-long texts are
    refused with a reason. The common text (no control character, already NFC,
    within the limit) only needs stripping, which C-speed checks tell; the rest
    is cleaned character by character.
    """
    if (
        isinstance(text, str)
        and len(text) <= max_chars
        and not _NEEDS_CLEANING_RE.search(text)
        and (text.isascii() or unicodedata.is_normalized("NFC", text))
    ):
        stripped = text.strip()
        if stripped:
            return stripped
    return clean_each_character(text, max_chars)


#: The characters `clean_each_character` drops or refuses: controls (Cc) but tab and newline, surrogates (Cs).
_NEEDS_CLEANING_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_each_character(text: object, max_chars: int = DEFAULT_MAX_TEXT_CHARS) -> str:
    """`clean_text` the long way, looking at every character (what its quick check stands for)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidText("text is not valid UTF-8 (binary data?)") from exc
    if not isinstance(text, str):
        raise InvalidText(f"text must be a string, not {type(text).__name__}")
    if "\x00" in text:
        raise InvalidText("text contains NUL bytes (binary data?)")
    if len(text) > max_chars:
        raise InvalidText(f"text is {len(text):,} characters; the limit is {max_chars:,}")
    cleaned = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    cleaned = unicodedata.normalize("NFC", cleaned).strip()
    if not cleaned:
        raise InvalidText("text is empty")
    return cleaned


@dataclass(frozen=True)
class AnalysisRequest:
    """One customer message to analyze, with the thread's earlier messages."""

    text: str
    context: tuple[str, ...] = ()


@dataclass
class AnalysisOutcome:
    """An analysis plus what it cost and whether it fell back."""

    result: AnalysisResult
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    fallback_reason: str | None = None
    extra: dict = field(default_factory=dict)


class Analyzer(abc.ABC):
    """Scores a customer message. Implementations: offline and Claude."""

    name: str

    @abc.abstractmethod
    async def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        """Analyze one message. Must not raise for a valid request."""

    async def analyze_many(
        self, requests: Sequence[AnalysisRequest], concurrency: int = 8
    ) -> list[AnalysisOutcome]:
        """Each request's outcome, in order: `analyze` for up to `concurrency` at a time. An analyzer
        that reads several messages faster together than one by one overrides it."""
        return await at_most(concurrency, [self.analyze(request) for request in requests])


async def at_most(concurrency: int, steps: Sequence[Awaitable[T]]) -> list[T]:
    """Each step's result, in order, with up to `concurrency` of them running at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def run(step: Awaitable[T]) -> T:
        async with gate:
            return await step

    return list(await asyncio.gather(*(run(step) for step in steps)))
