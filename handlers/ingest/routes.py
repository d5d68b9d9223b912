"""`POST /ingest`: tickets, survey answers (NPS, CSAT), chats and call transcripts pushed by other tools.

The contract (docs/ingest.md has the payloads):

- `Authorization: Bearer <TONEWATCH_INGEST_TOKEN>`, compared in constant time; 401 otherwise.
- `Content-Type: application/json` (415 otherwise), at most `max_body_bytes` (413), valid JSON (400).
- One object, or a list of them (a batch). Every item is validated before anything is stored; a
  bad item fails the whole request with 422 naming the item and field, and nothing is stored.
- Idempotent on (source, external_id): a retry answers 200 with the stored id and `"duplicate": true`;
  a new message answers 201. Storing is one transaction, so a batch is stored whole or not at all.
- Stored messages are analyzed by the worker like any other; an NPS detractor (0–6) opens a
  critical recovery alert, and NPS/CSAT scores feed account health (`source_score`).
- Call transcripts with speaker labels are stored and scored on the customer's lines only.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from bot.accounts.book import AccountBook
from bot.accounts.entry import BookEntry, parse_arr, parse_currency, parse_email, parse_renewal_date
from bot.analysis.base import InvalidText, clean_text
from bot.messages.inbound import (
    CONTROL_CHARACTERS,
    FUTURE_TOLERANCE,
    MAX_ACCOUNT_CHARS,
    MAX_AUTHOR_CHARS,
    MAX_ID_CHARS,
    SCORE_RANGES,
    has_control_characters,
    score_problem,
    stable_external_id,
)
from bot.messages.pipeline import MessagePipeline, StoredMessage
from bot.messages.transcripts import TranscriptError, customer_lines
from handlers.json_text import UNPAIRED_SURROGATE, has_unpaired_surrogate
from storage.book import PersonInfo
from storage.inbound import InboundMessage, SourceKind
from storage.types import utcnow

log = logging.getLogger(__name__)

PATH = "/ingest"
PLATFORM = "ingest"
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_BATCH = 500

#: Accepted `source` values → the kind of message. Tool names are accepted for convenience and
#: keep their own id space: ("zendesk", "123") and ("freshdesk", "123") are different messages.
SOURCES: dict[str, SourceKind] = {
    "ticket": SourceKind.ticket,
    "zendesk": SourceKind.ticket,
    "freshdesk": SourceKind.ticket,
    "intercom": SourceKind.ticket,
    "helpdesk": SourceKind.ticket,
    "support": SourceKind.ticket,
    "nps": SourceKind.nps,
    "survey": SourceKind.nps,
    "csat": SourceKind.csat,
    "chat": SourceKind.chat,
    "call": SourceKind.call,
    "transcript": SourceKind.call,
}


class IngestItem(BaseModel):
    """One pushed message. Unknown fields are ignored, so a tool's whole payload can be forwarded."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    # Field order matters: `score` and `text` are checked against the fields declared above them.
    source: str
    account: str = Field(min_length=1, max_length=MAX_ACCOUNT_CHARS)
    score: float | None = None
    customer_speakers: list[str] = Field(default_factory=list, max_length=20)
    agent_speakers: list[str] = Field(default_factory=list, max_length=20)
    author: str = Field("", max_length=MAX_AUTHOR_CHARS)
    author_email: str | None = Field(None, max_length=MAX_AUTHOR_CHARS)
    text: str | None = Field(None, validate_default=True)
    external_id: str | None = Field(None, max_length=MAX_ID_CHARS)
    created_at: datetime | None = None
    thread: str | None = Field(None, max_length=MAX_ID_CHARS)
    is_customer: bool = True
    # The account book (bot/accounts): set on the account when given.
    owner_email: str | None = None
    arr: float | str | None = None
    currency: str | None = None
    renewal_date: str | None = None

    @field_validator("owner_email", mode="before")
    @classmethod
    def _owner_email(cls, value: Any) -> Any:
        return None if value is None or value == "" else parse_email(value)

    @field_validator("arr", mode="before")
    @classmethod
    def _arr(cls, value: Any) -> Any:
        return None if value is None or value == "" else parse_arr(value)[0]

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> Any:
        return None if value is None or value == "" else parse_currency(value)

    @field_validator("renewal_date", mode="before")
    @classmethod
    def _renewal_date(cls, value: Any) -> Any:
        return None if value is None or value == "" else parse_renewal_date(value).isoformat()

    def book_entry(self) -> BookEntry | None:
        """What the item says about its account, if anything."""
        if all(v is None for v in (self.owner_email, self.arr, self.renewal_date, self.currency)):
            return None
        return BookEntry(
            account=self.account,
            owners=[PersonInfo(email=self.owner_email)] if self.owner_email else None,
            arr=float(self.arr) if self.arr is not None else None,
            currency=self.currency,
            renewal_date=date.fromisoformat(self.renewal_date) if self.renewal_date else None,
        )

    @field_validator(
        "account", "author", "author_email", "external_id", "thread", "customer_speakers", "agent_speakers"
    )
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and has_control_characters(v) for v in values):
            raise ValueError(CONTROL_CHARACTERS)
        return value

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        name = value.strip().lower()
        if name not in SOURCES:
            raise ValueError("must be one of ticket, nps, csat, chat, call (or zendesk, freshdesk, intercom)")
        return name

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("external_id", mode="before")
    @classmethod
    def _external_id_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be a string or a number")
        return str(value) if isinstance(value, int) else value

    @field_validator("score")
    @classmethod
    def _score_in_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        source = info.data.get("source")
        if value is None or source is None:
            return value
        problem = score_problem(SOURCES[source], value, source)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("text")
    @classmethod
    def _text(cls, value: str | None, info: ValidationInfo) -> str | None:
        # max_text_chars comes from the request's context; the default keeps the model usable alone.
        max_chars = (info.context or {}).get("max_text_chars", 20_000)
        source, score = info.data.get("source"), info.data.get("score")
        kind = SOURCES.get(source or "")
        if kind is None:
            return value  # the source error is reported; nothing to check the text against
        if (value is None or not value.strip()) and kind in SCORE_RANGES and score is not None:
            # A bare survey score still counts (health, detractor alerts); say so in words.
            high = SCORE_RANGES[kind][1]
            return f"{kind.value.upper()} {score:g}/{high:g} (no comment)"
        if value is None:
            raise ValueError("Field required")
        if kind is SourceKind.call:
            try:
                value = customer_lines(
                    value,
                    customer=info.data.get("customer_speakers") or (),
                    agents=info.data.get("agent_speakers") or (),
                    author=info.data.get("author") or None,
                )
            except TranscriptError as exc:
                raise ValueError(str(exc)) from None
        try:
            return clean_text(value, max_chars)
        except InvalidText as exc:
            raise ValueError(str(exc)) from None

    @field_validator("created_at")
    @classmethod
    def _created_at(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        now = (info.context or {}).get("now") or utcnow()
        if value > now + FUTURE_TOLERANCE:
            raise ValueError("is in the future")
        try:
            return value.astimezone(UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before the first UTC instant
            raise ValueError("is out of range") from None

    def to_inbound(self, now: datetime) -> InboundMessage:
        kind = SOURCES[self.source]
        assert self.text is not None
        when = self.created_at.isoformat() if self.created_at else ""
        external_id = self.external_id or stable_external_id(
            self.source, self.account.casefold(), self.author, when, self.text
        )
        return InboundMessage(
            platform=PLATFORM,
            external_id=external_id,
            text=self.text,
            created_at=self.created_at or now,
            account=self.account,
            place_key=self.source,
            source_kind=kind,
            author=self.author,
            author_email=self.author_email or None,
            is_customer=self.is_customer,
            thread_key=self.thread or None,
            source_score=self.score,
        )


@dataclass
class IngestDeps:
    pipeline: MessagePipeline
    token: str
    max_text_chars: int = 20_000
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_batch: int = DEFAULT_MAX_BATCH
    #: bot.runtime.telemetry.Telemetry, when the process has one.
    telemetry: Any = None
    #: Called after new messages are stored (the worker's `wake`), so analysis starts at once.
    on_stored: Callable[[], None] | None = None
    #: Where `owner_email`, `arr`, `currency` and `renewal_date` go (None: they are validated, not kept).
    book: AccountBook | None = None
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def from_core(
        cls, core: Any, telemetry: Any = None, on_stored: Callable[[], None] | None = None
    ) -> IngestDeps:
        settings = core.settings
        if settings.ingest_token is None:
            raise ValueError("TONEWATCH_INGEST_TOKEN is not set; POST /ingest is not served without it")
        return cls(
            pipeline=core.pipeline,
            token=settings.ingest_token.get_secret_value(),
            max_text_chars=settings.max_text_chars,
            telemetry=telemetry,
            on_stored=on_stored,
            book=getattr(core, "book", None),
        )


class _Rejected(Exception):
    def __init__(self, status: int, reason: str, message: str, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status, self.reason, self.message, self.errors = status, reason, message, errors


def _error_entries(exc: ValidationError, index: int | None) -> list[dict]:
    entries = []
    for err in exc.errors():
        entry: dict[str, Any] = {
            "field": ".".join(str(part) for part in err["loc"]) or "(item)",
            "message": str(err["msg"]).removeprefix("Value error, "),
        }
        if index is not None:
            entry["index"] = index
        entries.append(entry)
    return entries


class IngestHandler:
    def __init__(self, deps: IngestDeps) -> None:
        if len(deps.token) < 16:
            raise ValueError("the ingest token must be at least 16 characters")
        self.deps = deps
        self._token = deps.token.encode("utf-8")

    async def handle(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
            self._check_content_type(request)
            body = await self._read_body(request)
            items, single = self._items(body)
            inbound, entries = self._validate(items, single)
        except _Rejected as rejected:
            return self._reject(rejected)
        stored = await asyncio.to_thread(self.deps.pipeline.store_many, inbound, max(1, len(inbound)))
        if entries and self.deps.book is not None:
            await asyncio.to_thread(self.deps.book.apply_many, entries)
        return self._stored(stored, single)

    def _authorize(self, request: web.Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        # compare_digest takes the same time wherever the tokens differ.
        # Header bytes that are not UTF-8 arrive as surrogate escapes: compared as the bytes they were.
        sent = token.strip().encode("utf-8", "surrogateescape")
        valid = scheme.lower() == "bearer" and hmac.compare_digest(sent, self._token)
        if not valid:
            raise _Rejected(401, "auth", "missing or wrong bearer token")

    @staticmethod
    def _check_content_type(request: web.Request) -> None:
        if request.content_type != "application/json":
            raise _Rejected(415, "content_type", "send Content-Type: application/json")

    async def _read_body(self, request: web.Request) -> bytes:
        limit = self.deps.max_body_bytes
        too_large = _Rejected(413, "too_large", f"the body is over {limit:,} bytes; send smaller batches")
        if request.content_length is not None and request.content_length > limit:
            raise too_large
        try:
            body = await request.read()  # at most the app's client_max_size; once read, kept
        except web.HTTPRequestEntityTooLarge:
            raise too_large from None
        if len(body) > limit:
            raise too_large
        return body

    def _items(self, body: bytes) -> tuple[list[Any], bool]:
        try:
            document = json.loads(body.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise _Rejected(400, "json", "the body is not UTF-8") from None
        except json.JSONDecodeError as exc:
            raise _Rejected(
                400, "json", f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        except RecursionError:
            raise _Rejected(400, "json", "the JSON nests too deeply") from None
        except ValueError:  # an integer of more than 4,300 digits (Python's limit on int())
            raise _Rejected(400, "json", "a number in the body has too many digits") from None
        if has_unpaired_surrogate(document):
            raise _Rejected(400, "json", UNPAIRED_SURROGATE)
        if isinstance(document, dict):
            return [document], True
        if not isinstance(document, list):
            raise _Rejected(400, "json", "send a JSON object, or a list of objects for a batch")
        if not document:
            raise _Rejected(400, "json", "the batch is empty")
        if len(document) > self.deps.max_batch:
            raise _Rejected(413, "too_large", f"at most {self.deps.max_batch} items per request")
        return document, False

    def _validate(self, items: list[Any], single: bool) -> tuple[list[InboundMessage], list[BookEntry]]:
        now = self.deps.clock()
        context = {"max_text_chars": self.deps.max_text_chars, "now": now}
        inbound: list[InboundMessage] = []
        entries: list[BookEntry] = []
        errors: list[dict] = []
        for index, item in enumerate(items):
            position = None if single else index
            if not isinstance(item, dict):
                entry: dict[str, Any] = {"field": "(item)", "message": "must be a JSON object"}
                errors.append(entry if position is None else entry | {"index": position})
                continue
            try:
                valid = IngestItem.model_validate(item, context=context)
                inbound.append(valid.to_inbound(now))
                if (entry := valid.book_entry()) is not None:
                    entries.append(entry)
            except ValidationError as exc:
                errors.extend(_error_entries(exc, position))
        if errors:
            fields = ", ".join(dict.fromkeys(error["field"] for error in errors))
            raise _Rejected(422, "invalid", f"invalid {fields}; nothing was stored", errors)
        return inbound, entries

    def _reject(self, rejected: _Rejected) -> web.Response:
        telemetry = self.deps.telemetry
        if telemetry is not None:
            telemetry.refused(PATH, rejected.reason, rejected.status)
        body: dict[str, Any] = {"error": rejected.message}
        if rejected.errors:
            body["errors"] = rejected.errors
        headers = {"WWW-Authenticate": 'Bearer realm="tonewatch-ingest"'} if rejected.status == 401 else None
        return web.json_response(body, status=rejected.status, headers=headers)

    def _stored(self, stored: list[StoredMessage], single: bool) -> web.Response:
        created = sum(1 for item in stored if item.created)
        telemetry = self.deps.telemetry
        if telemetry is not None:
            if created:
                telemetry.messages_stored.labels(platform=PLATFORM).inc(created)
            if len(stored) - created:
                telemetry.duplicates.labels(platform=PLATFORM).inc(len(stored) - created)
        if created and self.deps.on_stored is not None:
            self.deps.on_stored()
        status = 201 if created else 200
        entries = [{"id": item.id, "duplicate": not item.created} for item in stored]
        if single:
            return web.json_response(entries[0], status=status)
        return web.json_response(
            {"items": entries, "stored": created, "duplicates": len(stored) - created}, status=status
        )


def ingest_routes(core_or_deps: Any) -> list[web.RouteDef]:
    """The route for `POST /ingest`, from an IngestDeps or a composition Core (token required)."""
    deps = core_or_deps if isinstance(core_or_deps, IngestDeps) else IngestDeps.from_core(core_or_deps)
    return [web.post(PATH, IngestHandler(deps).handle)]


def mount_ingest(app: web.Application, core_or_deps: Any) -> None:
    app.add_routes(ingest_routes(core_or_deps))
