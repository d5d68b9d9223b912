"""Backfilling history (`tonewatch import`): validate every row first, then store idempotently."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.analysis.base import InvalidText, clean_text
from bot.messages.inbound import (
    CONTROL_CHARACTERS,
    FUTURE_TOLERANCE,
    MAX_ACCOUNT_CHARS,
    MAX_AUTHOR_CHARS,
    MAX_ID_CHARS,
    has_control_characters,
    score_problem,
    stable_external_id,
)
from bot.messages.transcripts import TranscriptError, customer_lines
from storage.errors import UserError
from storage.inbound import InboundMessage, SourceKind
from storage.types import utcnow

#: Source names seen in exports, mapped to the kinds the core knows.
SOURCE_ALIASES = {
    "chat": SourceKind.chat,
    "slack": SourceKind.chat,
    "teams": SourceKind.chat,
    "message": SourceKind.chat,
    "email": SourceKind.email,
    "mail": SourceKind.email,
    "inbox": SourceKind.email,
    "ticket": SourceKind.ticket,
    "zendesk": SourceKind.ticket,
    "freshdesk": SourceKind.ticket,
    "intercom": SourceKind.ticket,
    "helpdesk": SourceKind.ticket,
    "support": SourceKind.ticket,
    "nps": SourceKind.nps,
    "survey": SourceKind.nps,
    "csat": SourceKind.csat,
    "call": SourceKind.call,
    "transcript": SourceKind.call,
    "": SourceKind.chat,
}

MAX_REPORTED_PROBLEMS = 5


class ImportRejected(UserError):
    pass


@dataclass
class ImportSummary:
    new: int
    already_stored: int
    accounts: int


def parse_timestamp(value: object) -> datetime:
    """An ISO 8601 date or datetime (a trailing Z allowed); naive values are taken as UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            raise ValueError("created_at is empty")
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"created_at {text[:40]!r} is not an ISO 8601 date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before the first UTC instant
        raise ValueError("created_at is out of range") from None


def _optional_score(value: object) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        raise ValueError(f"score {str(value)[:20]!r} is not a number") from None
    except OverflowError:
        raise ValueError("score is not a number in range") from None


def _plain(record: dict, field: str, limit: int, *also: str) -> str:
    """A name or id of the row: trimmed, within `limit`, no control characters (as /ingest takes it)."""
    value = next((record.get(name) for name in (field, *also) if record.get(name) not in (None, "")), "")
    text = str(value).strip()
    if has_control_characters(text):
        raise ValueError(f"{field} {CONTROL_CHARACTERS}")
    if len(text) > limit:
        raise ValueError(f"{field} has {len(text):,} characters; at most {limit}")
    return text


def _speakers(record: dict, field: str) -> list[str]:
    """Speaker labels as a JSON list or one comma-separated cell (CSV)."""
    value = record.get(field)
    if value in (None, ""):
        return []
    names = value if isinstance(value, list) else str(value).split(",")
    return [text for name in names if (text := str(name).strip())]


def inbound_from_record(record: dict, max_text_chars: int, now: datetime | None = None) -> InboundMessage:
    """One import row as an InboundMessage, or ValueError/InvalidText naming the problem.

    The same rules as POST /ingest: names and ids without control characters and within its
    lengths, NPS 0–10 and CSAT 1–5, no date more than a day ahead, and a call transcript stored and
    scored on the customer's lines only (`customer_speakers` / `agent_speakers` name them when the
    speaker labels do not).
    """
    account = " ".join(_plain(record, "account", MAX_ACCOUNT_CHARS).split())
    if not account:
        raise ValueError("account is empty")
    text = clean_text(record.get("text"), max_text_chars)
    created_at = parse_timestamp(record.get("created_at"))
    if created_at > (now or utcnow()) + FUTURE_TOLERANCE:
        raise ValueError(f"created_at {created_at:%Y-%m-%d} is in the future")
    source_name = str(record.get("source") or "").strip().lower()
    source = SOURCE_ALIASES.get(source_name, SourceKind.other)
    author = _plain(record, "author", MAX_AUTHOR_CHARS)
    external_id = _plain(record, "external_id", MAX_ID_CHARS)
    thread = _plain(record, "thread", MAX_ID_CHARS, "thread_key")
    score = _optional_score(record.get("score"))
    problem = score_problem(source, score, source_name or "chat")
    if problem:
        raise ValueError(f"score: {problem}")
    if not external_id:
        # From the row's whole text, so the id is the same whatever part of it is kept.
        external_id = stable_external_id(account.casefold(), created_at.isoformat(), author, text)
    if source is SourceKind.call:
        try:
            text = customer_lines(
                text,
                customer=_speakers(record, "customer_speakers"),
                agents=_speakers(record, "agent_speakers"),
                author=author or None,
            )
        except TranscriptError as exc:
            raise ValueError(str(exc)) from None
    return InboundMessage(
        platform="import",
        external_id=external_id,
        text=text,
        created_at=created_at,
        account=account,
        source_kind=source,
        author=author,
        is_customer=str(record.get("is_customer", "true")).strip().lower() not in ("false", "0", "no"),
        thread_key=thread or None,
        source_score=score,
    )


def validate_records(records: Iterable[dict], name: str, max_text_chars: int) -> list[InboundMessage]:
    """Every row converted, or `ImportRejected` listing the first problems (nothing is half-stored)."""
    messages: list[InboundMessage] = []
    problems: list[str] = []
    for record in records:
        try:
            messages.append(inbound_from_record(record, max_text_chars))
        except (ValueError, InvalidText) as exc:
            problems.append(f"line {record.get('_line', '?')}: {exc}")
    if problems:
        more = len(problems) - MAX_REPORTED_PROBLEMS
        listed = "; ".join(problems[:MAX_REPORTED_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")
        raise ImportRejected(f"{name}: {len(problems)} bad row(s), nothing imported — {listed}")
    return messages
