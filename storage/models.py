"""The tables. Every datetime is UTC; every table name is explicit.

Idempotency lives here as unique constraints: a customer message is unique per
(platform, place, external id), a digest run per (target, period), a work item
per (kind, subject). A duplicate insert raises `IntegrityError`, which the
queries turn into "already have it".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Table, Text, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

from storage.tenants import DEFAULT_TENANT
from storage.types import JsonColumn, UtcDateTime, utcnow


def _utc_column(index: bool = False) -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime(), nullable=False, index=index)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for queries that name columns (`table_of(Alert).c.id`).

    SQLModel sets `__table__` when the class is made; its type hints do not declare it.
    """
    return model.__table__  # type: ignore[attr-defined]
def _tenant_column() -> Any:
    """Whose data the row is (storage/tenants.py): every read for a person names their tenant."""
    return Field(default=DEFAULT_TENANT, max_length=200, sa_column_kwargs={"server_default": DEFAULT_TENANT})


class Account(SQLModel, table=True):
    """A customer company."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("tenant", "name_key", name="uq_accounts_tenant_name"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant_column()
    name: str = Field(max_length=200)
    #: Lower-cased name, for case-insensitive lookup; unique within the tenant ("Acme" of two
    #: workspaces is two accounts).
    name_key: str = Field(max_length=200)
    owner: str | None = Field(default=None, max_length=200)
    #: Email domains whose senders belong to this customer (comma-separated).
    domains: str = Field(default="", max_length=1000)
    created_at: datetime = _utc_column()
    # The account book (bot/accounts): value, tier, renewal, systems of record.
    #: Annual recurring value, in `currency`.
    arr: float | None = None
    #: ISO 4217 code ("USD"); None reads as USD.
    currency: str | None = Field(default=None, max_length=3)
    tier: str | None = Field(default=None, max_length=50)
    renewal_date: date | None = None
    #: CRM record ids by system: {"hubspot": "123"}, {"salesforce": "001…"}, or {"id": "…"} when unnamed.
    crm_ids: dict[str, Any] | None = Field(default=None, sa_type=JsonColumn, nullable=True)
    #: Hold marketing and renewal outreach: the account turned red or declined, and nobody has
    #: recorded the recovery conversation yet (bot/accounts/suppression.py).
    suppress_outreach: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    suppression_reason: str | None = Field(default=None, max_length=300)
    suppression_changed_at: datetime | None = Field(default=None, sa_type=UtcDateTime(), nullable=True)
    suppression_changed_by: str | None = Field(default=None, max_length=200)


class Person(SQLModel, table=True):
    """One of our own people who can own accounts: how to reach them on each platform."""

    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=200)
    #: Lower-cased; unique when known.
    email: str | None = Field(default=None, max_length=300, unique=True)
    slack_user_id: str | None = Field(default=None, max_length=50, index=True)
    teams_user_id: str | None = Field(default=None, max_length=300, index=True)
    #: Alerts on their accounts also reach them by direct message.
    dm_alerts: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    created_at: datetime = _utc_column()


class AccountOwner(SQLModel, table=True):
    """Who owns an account; `position` 0 is the primary owner (`Account.owner` mirrors them)."""

    __tablename__ = "account_owners"
    __table_args__ = (UniqueConstraint("account_id", "person_id", name="uq_account_owners_account_person"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    position: int = 0
    created_at: datetime = _utc_column()


class CrmPush(SQLModel, table=True):
    """What was last pushed to a CRM for an account, so an unchanged account is not pushed again."""

    __tablename__ = "crm_pushes"
    __table_args__ = (UniqueConstraint("account_id", "system", name="uq_crm_pushes_account_system"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id")
    system: str = Field(max_length=20)
    #: SHA-256 of the pushed values.
    fingerprint: str = Field(max_length=64)
    pushed_at: datetime = _utc_column()


class CrmTask(SQLModel, table=True):
    """The CRM task made for an alert (one per alert and CRM), closed when the alert is resolved.

    No foreign key to the alert: a forgotten account's alerts go, the record of the CRM's task stays."""

    __tablename__ = "crm_tasks"
    __table_args__ = (UniqueConstraint("alert_id", "system", name="uq_crm_tasks_alert_system"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int
    system: str = Field(max_length=20)
    task_id: str = Field(max_length=100)
    #: "open" | "closed"
    status: str = Field(default="open", max_length=20)
    created_at: datetime = _utc_column()


class WebhookEvent(SQLModel, table=True):
    """An outbound webhook event, its body fixed when it happened, so every retry sends the same bytes.

    One `deliver_webhook` work item per endpoint carries it (bot/webhooks)."""

    __tablename__ = "webhook_events"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64, unique=True)
    type: str = Field(max_length=60)
    occurred_at: datetime = _utc_column()
    body: str = Field(sa_column=Column(Text, nullable=False))


class Place(SQLModel, table=True):
    """Where messages arrive or are posted: a Slack channel, a Teams channel, an inbox."""

    __tablename__ = "places"
    __table_args__ = (
        UniqueConstraint("tenant", "platform", "external_id", name="uq_places_tenant_platform_external"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant_column()
    platform: str = Field(max_length=20)
    external_id: str = Field(max_length=300)
    name: str = Field(default="", max_length=300)
    account_id: int | None = Field(default=None, foreign_key="accounts.id", index=True)
    #: Customers can read it (Slack Connect, external Teams members, an inbox).
    is_external: bool = True
    is_alert_channel: bool = False
    sensitivity: str = Field(default="normal", max_length=20)
    watched: bool = False
    created_at: datetime = _utc_column()


class CustomerMessage(SQLModel, table=True):
    """One message, from the customer side or our own staff (kept to know who replied)."""

    __tablename__ = "messages"
    __table_args__ = (
        # Per tenant: an /ingest id "123" of one tenant never stands for another tenant's "123".
        UniqueConstraint(
            "tenant",
            "platform",
            "place_key",
            "external_id",
            name="uq_messages_tenant_platform_place_external",
        ),
        Index("ix_messages_account_created", "account_id", "created_at"),
        Index("ix_messages_created", "created_at"),
        Index("ix_messages_status", "status"),
        # Covers the health scan (storage/health_scan.py): a time range read from the index alone.
        Index(
            "ix_messages_health", "created_at", "account_id", "is_customer", "score", "created_day",
            "churn_risk", "competitor_mentioned", "expansion", "source_kind", "source_score",
        ),
        # "Was it answered?" probes: a later staff message in the same place (bot/alerts/replies.py).
        Index("ix_messages_replies", "platform", "place_key", "is_customer", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant_column()
    platform: str = Field(max_length=20)
    source_kind: str = Field(default="chat", max_length=20)
    #: The place the message came from ("" when none, e.g. an import).
    place_key: str = Field(default="", max_length=300)
    external_id: str = Field(max_length=300)
    account_id: int | None = Field(default=None, foreign_key="accounts.id")
    author: str = Field(default="", max_length=300)
    author_email: str | None = Field(default=None, max_length=300)
    is_customer: bool = True
    #: None once erased (forget / retention); the analysis stays.
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    language: str | None = Field(default=None, max_length=10)
    thread_key: str | None = Field(default=None, max_length=300)
    #: A score supplied with the message by its source (NPS 0–10, CSAT 1–5).
    source_score: float | None = None
    created_at: datetime = _utc_column()
    received_at: datetime = _utc_column()
    #: pending → analyzed | skipped | invalid
    status: str = Field(default="pending", max_length=20)
    #: Why the status is what it is, when that needs saying (an invalid text: "empty", "too long").
    status_reason: str | None = Field(default=None, max_length=500)
    #: Denormalized from the latest analysis, so health is aggregated in SQL.
    score: float | None = None
    label: str | None = Field(default=None, max_length=10)
    latest_analysis_id: int | None = None
    #: Also denormalized from the latest analysis (health, digests and SLA checks aggregate them in SQL).
    urgency: str | None = Field(default=None, max_length=10)
    churn_risk: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    expansion: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    competitor_mentioned: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    #: `created_at` as days since 1970-01-01 UTC, set with the analysis: recency weights sum it in SQL
    #: without a date function per row.
    created_day: float | None = None


class Analysis(SQLModel, table=True):
    """One analyzer's reading of one message, with what it cost and which prompt it used."""

    __tablename__ = "analyses"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    provider: str = Field(max_length=20)
    model: str = Field(max_length=100)
    prompt_version: str = Field(max_length=100)
    score: float
    label: str = Field(max_length=10)
    intensity: str = Field(max_length=10)
    emotions: list[str] = Field(default_factory=list, sa_type=JsonColumn)
    urgency: str = Field(max_length=10)
    concerns: list[str] = Field(default_factory=list, sa_type=JsonColumn)
    churn_risk: bool = False
    expansion: bool = False
    competitor_mentioned: bool = False
    sarcasm: bool = False
    confidence: float = 0.0
    evidence: list[str] = Field(default_factory=list, sa_type=JsonColumn)
    language: str = Field(default="en", max_length=10)
    recommended_action: str = Field(default="no_action", max_length=30)
    recommended_response: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    draft_reply: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    abstained: bool = False
    abstain_reason: str | None = Field(default=None, max_length=300)
    tokens_in: int = 0
    tokens_out: int = 0
    #: Prompt-cache tokens of the Claude call (read at a tenth of the price; written at a premium).
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    latency_ms: float = 0.0
    fallback_reason: str | None = Field(default=None, max_length=300)
    guard_events: list[str] | None = Field(default=None, sa_type=JsonColumn)
    draft_flags: list[str] | None = Field(default=None, sa_type=JsonColumn)
    created_at: datetime = _utc_column()


class Alert(SQLModel, table=True):
    """An escalation or opportunity raised for an account; one open thread per account and issue."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_account_status", "account_id", "status"),
        Index("ix_alerts_tenant_status", "tenant", "status"),
        UniqueConstraint("open_key", name="uq_alerts_open_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant: str = _tenant_column()
    account_id: int | None = Field(default=None, foreign_key="accounts.id")
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    analysis_id: int | None = Field(default=None, foreign_key="analyses.id")
    severity: str = Field(max_length=20)
    issue_key: str = Field(default="general", max_length=100)
    #: "<account>:<issue>" while open, None once closed, so only one alert per issue is open.
    open_key: str | None = Field(default=None, max_length=200)
    status: str = Field(default="open", max_length=20)
    message_count: int = 1
    snoozed_until: datetime | None = Field(default=None, sa_type=UtcDateTime(), nullable=True)
    post_channel: str | None = Field(default=None, max_length=300)
    post_ref: str | None = Field(default=None, max_length=300)
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class AlertPost(SQLModel, table=True):
    """A post in an alert's thread (the drafted reply, a joining message's line): what `forget`
    must take back besides the card itself (`Alert.post_ref`). Teams cannot list a thread's replies."""

    __tablename__ = "alert_posts"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alerts.id", index=True)
    platform: str = Field(max_length=20)
    channel: str = Field(max_length=300)
    ref: str = Field(max_length=300)
    #: The customer message whose words the post carries (a draft answers it, a line quotes it).
    message_id: int | None = Field(default=None, foreign_key="messages.id", index=True)
    created_at: datetime = _utc_column()


class AlertMessage(SQLModel, table=True):
    """A customer message counted on an alert (the one that opened it and each that joined), so an
    edit or a deletion can take it off the alert again."""

    __tablename__ = "alert_messages"
    __table_args__ = (UniqueConstraint("alert_id", "message_id", name="uq_alert_messages"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alerts.id", index=True)
    message_id: int = Field(foreign_key="messages.id", index=True)


class Correction(SQLModel, table=True):
    """A person's correction of an analysis; feeds precision figures and training."""

    __tablename__ = "corrections"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    analysis_id: int | None = Field(default=None, foreign_key="analyses.id")
    alert_id: int | None = Field(default=None, foreign_key="alerts.id")
    corrected_by: str = Field(default="", max_length=200)
    label: str | None = Field(default=None, max_length=10)
    urgency: str | None = Field(default=None, max_length=10)
    emotions: list[str] | None = Field(default=None, sa_type=JsonColumn, nullable=True)
    note: str = Field(default="", max_length=2000)
    created_at: datetime = _utc_column(index=True)


class DigestRun(SQLModel, table=True):
    """A digest for one target and period; the unique key is taken before the work is done."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("target_key", "period_key", name="uq_digest_runs_target_period"),)

    id: int | None = Field(default=None, primary_key=True)
    target_key: str = Field(max_length=300)
    period_key: str = Field(max_length=50)
    status: str = Field(default="claimed", max_length=20)
    claimed_by: str = Field(default="", max_length=200)
    claimed_at: datetime = _utc_column()
    completed_at: datetime | None = Field(default=None, sa_type=UtcDateTime(), nullable=True)
    payload: dict[str, Any] | None = Field(default=None, sa_type=JsonColumn, nullable=True)


class Erasure(SQLModel, table=True):
    """That a customer's data was erased (`tonewatch forget`): who as a one-way hash, what, when.

    Never the name or address itself; it lets a second forget say "already forgotten" instead
    of "unknown", and an operator show the erasure was done.
    """

    __tablename__ = "erasures"
    __table_args__ = (UniqueConstraint("subject_key", name="uq_erasures_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_key: str = Field(max_length=100)
    erased_at: datetime = _utc_column()
    counts: dict[str, Any] | None = Field(default=None, sa_type=JsonColumn, nullable=True)


class WorkItem(SQLModel, table=True):
    """A durable queue entry (analyze a message, post an alert); survives a crash."""

    __tablename__ = "work_items"
    __table_args__ = (
        UniqueConstraint("kind", "subject", name="uq_work_items_kind_subject"),
        Index("ix_work_items_due", "status", "run_after"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    subject: str = Field(max_length=300)
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    run_after: datetime = _utc_column()
    locked_by: str | None = Field(default=None, max_length=100)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime(), nullable=True)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _utc_column()


class ClaudeBatch(SQLModel, table=True):
    """A Message Batch of `tonewatch import --batch`, recorded before it is submitted so that running the
    command again resumes it (`status`: submitting, in_progress, done)."""

    __tablename__ = "claude_batches"

    id: int | None = Field(default=None, primary_key=True)
    #: The API's id (msgbatch_…); None until the batch was accepted.
    batch_id: str | None = Field(default=None, max_length=100, unique=True)
    status: str = Field(default="submitting", max_length=20)
    model: str = Field(max_length=100)
    request_count: int = 0
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class ClaudeBatchItem(SQLModel, table=True):
    """One request of a Message Batch: the message it analyzes and a hash of what was sent (an edit since
    then leaves the answer unused). Deleted when the batch is done."""

    __tablename__ = "claude_batch_items"
    __table_args__ = (UniqueConstraint("batch_row_id", "custom_id", name="uq_claude_batch_items_custom_id"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_row_id: int = Field(foreign_key="claude_batches.id", index=True)
    #: No foreign key: a message erased meanwhile (`tonewatch forget`) just gets no analysis.
    message_id: int = Field(index=True)
    custom_id: str = Field(max_length=64)
    sent_hash: str = Field(max_length=64)


class TrainedModel(SQLModel, table=True):
    """A model fitted by `tonewatch train`; the newest active one is used by the offline analyzer."""

    __tablename__ = "trained_models"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="tfidf-logreg", max_length=50)
    blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    metrics: dict[str, Any] = Field(default_factory=dict, sa_type=JsonColumn)
    trained_on: int = 0
    active: bool = True
    created_at: datetime = _utc_column()


class TrainingExample(SQLModel, table=True):
    """A labeled text for `tonewatch train`: from a file, or a correction made in chat."""

    __tablename__ = "training_examples"
    __table_args__ = (UniqueConstraint("text_hash", name="uq_training_examples_text_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_hash: str = Field(max_length=64)
    label: str = Field(max_length=10)
    source: str = Field(default="file", max_length=300)
    created_at: datetime = _utc_column()


class MessageConcern(SQLModel, table=True):
    """One concern a message raises, denormalized from its latest analysis so concerns are counted in SQL.

    Carries the message's account, time and score, so portfolio counts and the
    cross-account incident search read this table alone.
    """

    __tablename__ = "message_concerns"
    __table_args__ = (
        UniqueConstraint("message_id", "concern", name="uq_message_concerns_message_concern"),
        Index("ix_message_concerns_created", "created_at"),
        Index("ix_message_concerns_account_created", "account_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id")
    account_id: int | None = Field(default=None, foreign_key="accounts.id")
    concern: str = Field(max_length=40)
    score: float | None = None
    created_at: datetime = Field(sa_type=UtcDateTime(), nullable=False)


class DigestTarget(SQLModel, table=True):
    """Where digests go: a channel (every account) or a CSM's DM (only that CSM's accounts).

    The schedule is wall-clock time in the target's own time zone, so a digest
    stays at Monday 09:00 local across daylight-saving changes.
    """

    __tablename__ = "digest_targets"

    id: int | None = Field(default=None, primary_key=True)
    #: The digest reads this tenant's accounts only.
    tenant: str = Field(
        default=DEFAULT_TENANT,
        max_length=200,
        index=True,
        sa_column_kwargs={"server_default": DEFAULT_TENANT},
    )
    #: Stable identity, e.g. "slack:T1:C123", "slack:T1:dm:U42", "teams:<conversation>", "console".
    key: str = Field(max_length=300, unique=True, index=True)
    platform: str = Field(max_length=20)
    #: The platform's address: a channel id, a user id, a conversation reference.
    destination: str = Field(default="", max_length=1000)
    #: "channel" or "owner_dm".
    kind: str = Field(default="channel", max_length=20)
    #: Only accounts whose owner is this (case-insensitive); None for every account.
    owner: str | None = Field(default=None, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    #: mon, tue, ... sun
    day_of_week: str = Field(default="mon", max_length=3)
    #: "HH:MM", local time
    send_time: str = Field(default="09:00", max_length=5)
    #: "HH:MM" local time of the daily attention list; None turns it off (a Python default here
    #: would also replace an explicit None, so `scheduler.targets.add_target` fills the setting's).
    attention_time: str | None = Field(default=None, max_length=5)
    enabled: bool = True
    created_at: datetime = _utc_column()


class HealthChange(SQLModel, table=True):
    """A change of an account's colour, with the signals and messages that moved it and what turns it back."""

    __tablename__ = "health_changes"
    __table_args__ = (
        UniqueConstraint("account_id", "day_key", name="uq_health_changes_account_day"),
        Index("ix_health_changes_account_changed", "account_id", "changed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id")
    #: The local date of the evaluation ("2026-11-23"); one change per account and day.
    day_key: str = Field(max_length=10)
    changed_at: datetime = _utc_column()
    #: None the first time an account is evaluated.
    from_light: str | None = Field(default=None, max_length=10)
    to_light: str = Field(max_length=10)
    trend: str = Field(default="stable", max_length=10)
    points: int = 0
    signals: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonColumn)
    message_ids: list[int] = Field(default_factory=list, sa_type=JsonColumn)
    turn_back: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class InboxState(SQLModel, table=True):
    """Where polling one IMAP inbox got to, and whether it is reachable.

    IMAP UIDs only mean something within one UIDVALIDITY: when the server
    reports another, the mailbox was recreated and is read again from the start
    (Message-ID keeps that from storing anything twice). A failing inbox waits
    `next_attempt_at` (growing backoff) and keeps its last error for status.
    The lease (`locked_by`, `locked_until`) lets one process poll an inbox at a time.
    """

    __tablename__ = "inbox_states"

    id: int | None = Field(default=None, primary_key=True)
    #: user@host:port/folder
    inbox_key: str = Field(max_length=300, unique=True, index=True)
    #: IMAP UIDs and UIDVALIDITY are unsigned 32-bit numbers: too big for a signed INTEGER.
    uidvalidity: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    last_uid: int = Field(default=0, sa_type=BigInteger, nullable=False)
    messages_stored: int = 0
    failures: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime(), nullable=True)
    last_success_at: datetime | None = Field(default=None, sa_type=UtcDateTime(), nullable=True)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime(), nullable=True)
    locked_by: str | None = Field(default=None, max_length=200)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime(), nullable=True)
    created_at: datetime = _utc_column()


class TeamsConversation(SQLModel, table=True):
    """A Teams channel or chat Tonewatch can post in later: its stored conversation reference.

    Teams only lets a bot send proactively to a conversation it has seen, through
    the service URL Teams gave for it; the reference is saved when the bot is
    installed or added and refreshed from every inbound activity (the service
    URL can change). `conversation_id` is the channel or chat id, without a
    thread's `;messageid=` suffix.
    """

    __tablename__ = "teams_conversations"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(max_length=300, unique=True, index=True)
    #: "channel", "groupChat" or "personal".
    kind: str = Field(default="channel", max_length=20)
    tenant_id: str | None = Field(default=None, max_length=100)
    team_id: str | None = Field(default=None, max_length=300)
    name: str = Field(default="", max_length=300)
    #: In a personal chat, the person's Teams user id (to reach them privately later).
    user_id: str | None = Field(default=None, max_length=300, index=True)
    service_url: str = Field(max_length=500)
    #: The Bot Framework's ConversationReference, as JSON (what the Agents SDK's model reads).
    reference: dict[str, Any] = Field(default_factory=dict, sa_type=JsonColumn)
    #: False once Tonewatch was removed from it.
    installed: bool = True
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()
