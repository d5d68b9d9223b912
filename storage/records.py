"""What storage hands out: plain, immutable values, one record type per thing it stores.

Storage's functions return these (or ids and primitives) and take them back, or ids; the table rows of
storage/models.py stay inside storage. Each record carries the fields its readers use, ids included, as
they were when it was read: a change is written by a storage function (`dataclasses.replace` builds the
changed record for one that takes a record), never by changing a record. People are
`storage.book.PersonInfo`, Teams conversations `storage.teams_conversations.ConversationInfo`.

Nothing here imports the database: a module that only names these types loads no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Record = TypeVar("Record", bound="DataclassInstance")


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """A customer company (`Account`)."""

    id: int
    tenant: str
    name: str
    #: The name as it is looked up: spacing collapsed, case folded.
    name_key: str
    #: The primary owner's email (or name when no email is known); per-owner digests filter on it.
    owner: str | None
    #: Email domains whose senders belong to this customer, lower-cased.
    domains: tuple[str, ...]
    arr: float | None
    currency: str | None
    renewal_date: date | None
    #: CRM record ids by system: {"hubspot": "123"}.
    crm_ids: dict[str, Any]
    suppress_outreach: bool
    suppression_reason: str | None


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    """Where messages arrive or are posted (`Place`), with its account's name."""

    id: int
    platform: str
    external_id: str
    name: str
    #: The name of the account it is linked to (None without one).
    account: str | None
    is_external: bool
    is_alert_channel: bool
    watched: bool
    #: "conservative" | "normal" | "aggressive" (bot.alerts.policy.Sensitivity's values).
    sensitivity: str
    tenant: str


@dataclass(frozen=True, slots=True)
class DigestTargetInfo:
    """Where digests and attention lists go, and when (`DigestTarget`)."""

    id: int
    tenant: str
    key: str
    platform: str
    destination: str
    kind: str
    owner: str | None
    timezone: str
    day_of_week: str
    send_time: str
    attention_time: str | None
    enabled: bool


@dataclass(frozen=True, slots=True)
class HealthChangeInfo:
    """A recorded change of an account's colour (`HealthChange`); `id` None for one not stored yet."""

    id: int | None
    account_id: int
    #: The local date of the evaluation; one change per account and day.
    day_key: str
    changed_at: datetime
    from_light: str | None
    to_light: str
    trend: str
    points: int
    signals: list[dict[str, Any]]
    message_ids: list[int]
    turn_back: str


@dataclass(frozen=True, slots=True)
class TrainedModelInfo:
    """A model fitted by `tonewatch train` (`TrainedModel`)."""

    id: int
    blob: bytes
    metrics: dict[str, Any]
    #: How many labeled texts it was fitted on.
    trained_on: int


@dataclass(frozen=True, slots=True)
class CrmTaskInfo:
    """The CRM task made for an alert (`CrmTask`)."""

    alert_id: int
    system: str
    task_id: str
    #: "open" | "closed"
    status: str


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """A stored message, from the customer side or our own staff (`CustomerMessage`)."""

    id: int
    tenant: str
    platform: str
    #: "chat", "email", "nps", … (storage.inbound.SourceKind's values).
    source_kind: str
    #: The place it came from ("" when none, e.g. an import).
    place_key: str
    external_id: str
    account_id: int | None
    author: str
    is_customer: bool
    #: None once erased (forget, retention, deleted by the customer).
    text: str | None
    thread_key: str | None
    #: A score supplied with the message by its source (NPS 0–10, CSAT 1–5).
    source_score: float | None
    created_at: datetime
    #: pending → analyzed | skipped | invalid | deleted
    status: str
    latest_analysis_id: int | None


@dataclass(frozen=True, slots=True)
class AnalysisInfo:
    """One analyzer's reading of one message (`Analysis`), in the analysis contract's terms."""

    id: int
    message_id: int
    provider: str
    model: str
    prompt_version: str
    score: float
    label: str
    intensity: str
    emotions: tuple[str, ...]
    urgency: str
    concerns: tuple[str, ...]
    churn_risk: bool
    expansion: bool
    competitor_mentioned: bool
    sarcasm: bool
    confidence: float
    evidence: tuple[str, ...]
    language: str
    recommended_action: str
    recommended_response: str
    draft_reply: str
    abstained: bool
    abstain_reason: str | None
    guard_events: tuple[str, ...]
    #: Commitments the draft makes (refund, credit, …): it needs a person's check.
    draft_flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertInfo:
    """An alert raised for an account (`Alert`)."""

    id: int
    tenant: str
    account_id: int | None
    #: The message the alert shows and the analysis of it that raised or last joined it.
    message_id: int | None
    analysis_id: int | None
    severity: str
    issue_key: str
    #: "<account>:<issue>" while open, None once closed.
    open_key: str | None
    status: str
    message_count: int
    snoozed_until: datetime | None
    post_channel: str | None
    post_ref: str | None
    created_at: datetime
    updated_at: datetime


#: The field names of each record type `from_row` has built.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def from_row(record_type: type[Record], row: object, **computed: Any) -> Record:
    """The record of a row, as storage builds it: each field the row's attribute of that name, but
    those given in `computed` (a copy of a mutable value, a parsed column)."""
    names = _FIELD_NAMES.get(record_type)
    if names is None:
        names = _FIELD_NAMES[record_type] = tuple(field.name for field in fields(record_type))
    values = {name: getattr(row, name) for name in names if name not in computed}
    return record_type(**values, **computed)
