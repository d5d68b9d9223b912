"""Reads and writes the core needs, as plain functions over a Session."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine, delete, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Tx, hold, orm, session_scope
from storage.inbound import InboundMessage
from storage.models import (
    Account,
    Alert,
    Analysis,
    CustomerMessage,
    DigestTarget,
    MessageConcern,
    TrainedModel,
    table_of,
)
from storage.records import (
    AccountInfo,
    AnalysisInfo,
    DigestTargetInfo,
    MessageInfo,
    TrainedModelInfo,
    from_row,
)
from storage.tenants import DEFAULT_TENANT, alert_tenant
from storage.types import utcnow


class AnalysisFigures(Protocol):
    """What storage keeps of one analysis result (the analysis contract's `AnalysisResult` has these)."""

    @property
    def provider(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def prompt_version(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def label(self) -> str: ...
    @property
    def intensity(self) -> str: ...
    @property
    def emotions(self) -> Sequence[str]: ...
    @property
    def urgency(self) -> str: ...
    @property
    def concerns(self) -> Sequence[str]: ...
    @property
    def churn_risk(self) -> bool: ...
    @property
    def expansion(self) -> bool: ...
    @property
    def competitor_mentioned(self) -> bool: ...
    @property
    def sarcasm(self) -> bool: ...
    @property
    def confidence(self) -> float: ...
    @property
    def evidence(self) -> Sequence[str]: ...
    @property
    def language(self) -> str: ...
    @property
    def recommended_action(self) -> str: ...
    @property
    def recommended_response(self) -> str: ...
    @property
    def draft_reply(self) -> str: ...
    @property
    def abstained(self) -> bool: ...
    @property
    def abstain_reason(self) -> str | None: ...
    @property
    def draft_flags(self) -> Sequence[str]: ...
    @property
    def guard_events(self) -> Sequence[str]: ...


class AnalysisRecord(Protocol):
    """An analysis with what it cost (the analysis package's `AnalysisOutcome` has these)."""

    @property
    def result(self) -> AnalysisFigures: ...
    @property
    def tokens_in(self) -> int: ...
    @property
    def tokens_out(self) -> int: ...
    @property
    def latency_ms(self) -> float: ...
    @property
    def fallback_reason(self) -> str | None: ...
    @property
    def extra(self) -> Mapping[str, Any]: ...


def account_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _account_info(row: Account) -> AccountInfo:
    return from_row(
        AccountInfo, row, domains=tuple(domains_of(row.domains)), crm_ids=dict(row.crm_ids or {})
    )


def _account_row(tx: Tx, name: str, tenant: str) -> Account | None:
    session = orm(tx)
    return session.exec(
        select(Account).where(Account.tenant == tenant, Account.name_key == account_key(name))
    ).first()


def find_account(tx: Tx, name: str, tenant: str = DEFAULT_TENANT) -> AccountInfo | None:
    """The tenant's account called `name` (case-insensitive); another tenant's namesake is not it."""
    row = _account_row(tx, name, tenant)
    return _account_info(row) if row is not None else None


def account_by_id(tx: Tx, account_id: int) -> AccountInfo | None:
    session = orm(tx)
    row = session.get(Account, account_id)
    return _account_info(row) if row is not None else None


def _message_info(row: CustomerMessage) -> MessageInfo:
    return from_row(MessageInfo, row)


def _analysis_info(row: Analysis) -> AnalysisInfo:
    return from_row(
        AnalysisInfo,
        row,
        emotions=tuple(row.emotions),
        concerns=tuple(row.concerns),
        evidence=tuple(row.evidence),
        guard_events=tuple(row.guard_events or ()),
        draft_flags=tuple(row.draft_flags or ()),
    )


def _message(tx: Tx, message_id: int) -> CustomerMessage:
    found = orm(tx).get(CustomerMessage, message_id)
    if found is None:
        raise LookupError(f"no message with id {message_id}")
    return found


def _message_rows(tx: Tx, message_ids: Sequence[int]) -> dict[int, CustomerMessage]:
    """The messages with these ids by id: those this transaction holds without a query, the others
    in one (an unknown id is left out)."""
    session = orm(tx)
    found: dict[int, CustomerMessage] = {}
    for message_id in message_ids:
        row = session.identity_map.get(session.identity_key(CustomerMessage, message_id))
        if isinstance(row, CustomerMessage):
            found[message_id] = row
    missing = [message_id for message_id in message_ids if message_id not in found]
    if missing:
        query = select(CustomerMessage).where(col(CustomerMessage.id).in_(missing))
        found.update((row.id or 0, row) for row in session.exec(query).all())
    return found


def message_by_id(tx: Tx, message_id: int) -> MessageInfo | None:
    """The stored message (kept in the transaction: writing it next costs no second read)."""
    session = orm(tx)
    row = session.get(CustomerMessage, message_id)
    if row is None:
        return None
    hold(session, [row])
    return _message_info(row)


def analysis_by_id(tx: Tx, analysis_id: int) -> AnalysisInfo | None:
    session = orm(tx)
    row = session.get(Analysis, analysis_id)
    return _analysis_info(row) if row is not None else None


def domains_of(listed: str | None) -> list[str]:
    """The e-mail domains in an account's `domains` column (comma- or semicolon-separated)."""
    return [d.strip().lower().lstrip("@") for d in (listed or "").replace(";", ",").split(",") if d.strip()]


def account_domains(engine: Engine, account: str | None, tenant: str = DEFAULT_TENANT) -> set[str]:
    """The domains whose senders write as the tenant's customer `account` (empty when unknown)."""
    if not account:
        return set()
    with session_scope(engine) as session:
        found = _account_row(session, account, tenant)
        return set(domains_of(found.domains if found is not None else None))


def domain_accounts(engine: Engine, tenant: str = DEFAULT_TENANT) -> dict[str, str]:
    """Every domain listed on one of the tenant's accounts → that account's name (first listing wins)."""
    found: dict[str, str] = {}
    with session_scope(engine) as session:
        query = select(Account).where(col(Account.tenant) == tenant, col(Account.domains) != "")
        for account in session.exec(query).all():
            for domain in domains_of(account.domains):
                found.setdefault(domain, account.name)
    return found


def ensure_account_domain(
    engine: Engine, name: str, domain: str | None, tenant: str = DEFAULT_TENANT
) -> None:
    """Make sure the tenant's account `name` exists and, when `domain` is given, lists it."""
    with session_scope(engine) as session:
        row = _account_row_made(session, name, tenant)
        if domain and domain not in domains_of(row.domains):
            row.domains = ",".join([*domains_of(row.domains), domain])[:1000]
            session.add(row)


def stored_thread_key(
    engine: Engine, platform: str, place_key: str, external_id: str, tenant: str = DEFAULT_TENANT
) -> str | None:
    """The thread of the tenant's stored message with this id (None: no such message, or no thread)."""
    with session_scope(engine) as session:
        return session.exec(
            select(CustomerMessage.thread_key).where(
                col(CustomerMessage.tenant) == tenant,
                col(CustomerMessage.platform) == platform,
                col(CustomerMessage.place_key) == place_key,
                col(CustomerMessage.external_id) == external_id,
            )
        ).first()


def thread_account_name(
    engine: Engine, platform: str, thread_key: str, tenant: str = DEFAULT_TENANT
) -> str | None:
    """The account of the tenant's thread's first message that has one."""
    with session_scope(engine) as session:
        return session.exec(
            select(Account.name)
            .join(CustomerMessage, CustomerMessage.account_id == Account.id)  # type: ignore[arg-type]
            .where(
                col(CustomerMessage.tenant) == tenant,
                col(CustomerMessage.platform) == platform,
                col(CustomerMessage.thread_key) == thread_key,
                col(CustomerMessage.account_id).is_not(None),
            )
            .order_by(col(CustomerMessage.id))
        ).first()


def _account_row_made(tx: Tx, name: str, tenant: str) -> Account:
    """The tenant's account row called `name` (case-insensitive), created if new; safe under concurrent
    creators."""
    session = orm(tx)
    name = " ".join(name.split())
    existing = _account_row(session, name, tenant)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            account = Account(tenant=tenant, name=name, name_key=account_key(name))
            session.add(account)
        return account
    except IntegrityError:
        found = _account_row(session, name, tenant)
        assert found is not None
        return found


def get_or_create_account(tx: Tx, name: str, tenant: str = DEFAULT_TENANT) -> AccountInfo:
    """The tenant's account called `name` (case-insensitive), created if new; safe under concurrent
    creators."""
    return _account_info(_account_row_made(tx, name, tenant))


def store_message(tx: Tx, inbound: InboundMessage) -> tuple[MessageInfo, bool]:
    """Store a message once. Returns (the stored message, whether it was new).

    The unique key (platform, place, external id) makes a redelivery return the
    row already stored instead of adding a second one.
    """
    session = orm(tx)
    key = (inbound.tenant, inbound.platform, inbound.place_key, inbound.external_id)
    existing = _message_row(session, *key)
    if existing is not None:
        return _message_info(existing), False
    account_id = _account_row_made(session, inbound.account, inbound.tenant).id if inbound.account else None
    message = CustomerMessage(
        tenant=inbound.tenant,
        platform=inbound.platform,
        source_kind=str(inbound.source_kind),
        place_key=inbound.place_key,
        external_id=inbound.external_id,
        account_id=account_id,
        author=inbound.author,
        author_email=inbound.author_email,
        is_customer=inbound.is_customer,
        text=inbound.text,
        thread_key=inbound.thread_key,
        source_score=inbound.source_score,
        created_at=inbound.created_at,
        status="pending" if inbound.is_customer else "skipped",
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        found = _message_row(session, *key)
        assert found is not None
        return _message_info(found), False
    return _message_info(message), True


def _message_row(
    tx: Tx, tenant: str, platform: str, place_key: str, external_id: str
) -> CustomerMessage | None:
    session = orm(tx)
    return session.exec(
        select(CustomerMessage).where(
            CustomerMessage.tenant == tenant,
            CustomerMessage.platform == platform,
            CustomerMessage.place_key == place_key,
            CustomerMessage.external_id == external_id,
        )
    ).first()


def find_message(
    tx: Tx, tenant: str, platform: str, place_key: str, external_id: str
) -> MessageInfo | None:
    """The tenant's stored message with this key (the platform's place and its own id there); kept in
    the transaction, so writing it next costs no second read."""
    session = orm(tx)
    row = _message_row(session, tenant, platform, place_key, external_id)
    if row is None:
        return None
    hold(session, [row])
    return _message_info(row)


def record_analysis(tx: Tx, message_id: int, outcome: AnalysisRecord) -> AnalysisInfo:
    """Store an analysis and mark the message analyzed with its score."""
    session = orm(tx)
    return record_analyses(session, [(message_id, outcome)])[0]


def record_analyses(
    tx: Tx, analyzed: Sequence[tuple[int, AnalysisRecord]]
) -> list[AnalysisInfo]:
    """`record_analysis` for many messages (by id) at once: one INSERT of the analyses, one DELETE of
    the old concerns, one INSERT of the new ones (not a round trip of each per message). The messages
    locked by `lock_messages` in this transaction are not read again.

    The analyses and messages are kept in the transaction: the alert decisions that commit with them
    read them again by id (`analysis_by_id`, `message_by_id`) without a query."""
    session = orm(tx)
    messages = _message_rows(session, [message_id for message_id, _ in analyzed])
    rows = [_analysis_row(message_id, outcome) for message_id, outcome in analyzed]
    session.add_all(rows)
    session.exec(
        delete(MessageConcern).where(col(MessageConcern.message_id).in_([i for i, _ in analyzed]))
    )
    session.flush()  # the analyses' ids, in one statement
    hold(session, [*rows, *messages.values()])
    for (message_id, outcome), analysis in zip(analyzed, rows, strict=True):
        message = messages[message_id]
        result = outcome.result
        message.status = "analyzed"
        message.language = result.language
        message.latest_analysis_id = analysis.id
        if result.abstained:
            message.score, message.label = None, None
        else:
            message.score, message.label = result.score, str(result.label)
        _copy_signals(session, message, result)
        session.add(message)
    return [_analysis_info(row) for row in rows]


def _analysis_row(message_id: int, outcome: AnalysisRecord) -> Analysis:
    result = outcome.result
    usage = outcome.extra.get("usage") or {}
    return Analysis(
        message_id=message_id,
        provider=result.provider,
        model=result.model,
        prompt_version=result.prompt_version,
        score=result.score,
        label=str(result.label),
        intensity=str(result.intensity),
        emotions=[str(e) for e in result.emotions],
        urgency=str(result.urgency),
        concerns=[str(c) for c in result.concerns],
        churn_risk=result.churn_risk,
        expansion=result.expansion,
        competitor_mentioned=result.competitor_mentioned,
        sarcasm=result.sarcasm,
        confidence=result.confidence,
        evidence=list(result.evidence),
        language=result.language,
        recommended_action=str(result.recommended_action),
        recommended_response=result.recommended_response,
        draft_reply=result.draft_reply,
        abstained=result.abstained,
        abstain_reason=result.abstain_reason,
        tokens_in=outcome.tokens_in,
        tokens_out=outcome.tokens_out,
        cache_read_tokens=int(usage.get("cache_read_input_tokens", 0)),
        cache_write_tokens=int(usage.get("cache_creation_input_tokens", 0)),
        latency_ms=round(outcome.latency_ms, 3),
        fallback_reason=outcome.fallback_reason,
        guard_events=list(result.guard_events) or None,
        draft_flags=list(result.draft_flags) or None,
    )


def _copy_signals(tx: Tx, message: CustomerMessage, result: AnalysisFigures) -> None:
    """Denormalize the latest analysis's signals onto the message and the concerns table.

    An abstained analysis carries no signal. Replacing (not adding) keeps a
    re-analyzed message counted once.
    """
    session = orm(tx)
    judged = not result.abstained
    message.created_day = message.created_at.timestamp() / 86400.0
    message.urgency = str(result.urgency) if judged else None
    message.churn_risk = bool(result.churn_risk) and judged
    message.expansion = bool(result.expansion) and judged
    message.competitor_mentioned = bool(result.competitor_mentioned) and judged
    # The message's earlier concerns were deleted by the caller (record_analyses, for all at once).
    if judged:
        for concern in dict.fromkeys(str(c) for c in result.concerns):
            session.add(
                MessageConcern(
                    message_id=message.id or 0,
                    account_id=message.account_id,
                    concern=concern,
                    score=message.score,
                    created_at=message.created_at,
                )
            )


def _clear_signals(tx: Tx, message: CustomerMessage) -> None:
    """Forget a message's denormalized signals (it was deleted or erased, or is about to be re-analyzed)."""
    session = orm(tx)
    message.score = message.label = message.urgency = None
    message.churn_risk = message.expansion = message.competitor_mentioned = False
    session.exec(delete(MessageConcern).where(col(MessageConcern.message_id) == message.id))
    session.add(message)


def mark_invalid(tx: Tx, message_id: int, reason: str) -> None:
    """A stored message that cannot be analyzed keeps its row and says why."""
    session = orm(tx)
    message = _message(session, message_id)
    message.status = "invalid"
    message.status_reason = reason[:500]
    session.add(message)


def latest_analysis(tx: Tx, message_id: int) -> AnalysisInfo | None:
    session = orm(tx)
    row = session.exec(
        select(Analysis).where(Analysis.message_id == message_id).order_by(col(Analysis.id).desc())
    ).first()
    return _analysis_info(row) if row is not None else None


def _trained_model_info(row: TrainedModel) -> TrainedModelInfo:
    return from_row(TrainedModelInfo, row, metrics=dict(row.metrics))


def save_trained_model(tx: Tx, blob: bytes, metrics: dict, trained_on: int) -> TrainedModelInfo:
    """Store a fitted model and make it the only active one."""
    session = orm(tx)
    session.exec(update(TrainedModel).values(active=False))
    model = TrainedModel(blob=blob, metrics=metrics, trained_on=trained_on, active=True, created_at=utcnow())
    session.add(model)
    session.flush()
    return _trained_model_info(model)


def deactivate_trained_models(tx: Tx) -> int:
    session = orm(tx)
    result = session.exec(update(TrainedModel).where(col(TrainedModel.active)).values(active=False))
    return result.rowcount or 0


def active_trained_model(tx: Tx) -> TrainedModelInfo | None:
    session = orm(tx)
    row = session.exec(
        select(TrainedModel).where(col(TrainedModel.active)).order_by(col(TrainedModel.id).desc())
    ).first()
    return _trained_model_info(row) if row is not None else None


def has_active_model(tx: Tx) -> bool:
    """Whether a trained model is active (without reading its blob)."""
    session = orm(tx)
    return session.exec(select(TrainedModel.id).where(col(TrainedModel.active))).first() is not None


def _digest_target_info(row: DigestTarget) -> DigestTargetInfo:
    return from_row(DigestTargetInfo, row)


def list_digest_targets(
    tx: Tx, enabled_only: bool = True, tenant: str | None = None
) -> list[DigestTargetInfo]:
    """The digest targets (of one tenant, when given; the scheduler reads them all)."""
    session = orm(tx)
    query = select(DigestTarget).order_by(col(DigestTarget.key))
    if enabled_only:
        query = query.where(col(DigestTarget.enabled))
    if tenant is not None:
        query = query.where(DigestTarget.tenant == tenant)
    return [_digest_target_info(row) for row in session.exec(query).all()]


def _digest_target_row(tx: Tx, key: str) -> DigestTarget | None:
    session = orm(tx)
    return session.exec(select(DigestTarget).where(DigestTarget.key == key)).first()


def get_digest_target(tx: Tx, key: str) -> DigestTargetInfo | None:
    row = _digest_target_row(tx, key)
    return _digest_target_info(row) if row is not None else None


def save_digest_target(tx: Tx, key: str, **fields: Any) -> DigestTargetInfo:
    """Create or update the digest target `key` (fields as in `DigestTargetInfo`); validate before calling."""
    session = orm(tx)
    target = _digest_target_row(session, key)
    if target is None:
        target = DigestTarget(key=key, **fields)
    else:
        for name, value in fields.items():
            setattr(target, name, value)
    session.add(target)
    session.flush()
    return _digest_target_info(target)


def last_digests_posted(tx: Tx) -> dict[str, datetime]:
    """Per digest target, when its latest weekly digest was posted (runs done, of a `week:` period)."""
    session = orm(tx)
    from sqlalchemy import func

    from storage.models import DigestRun

    rows = session.exec(
        select(DigestRun.target_key, func.max(DigestRun.completed_at))
        .where(DigestRun.status == "done", col(DigestRun.period_key).startswith("week:"))
        .group_by(DigestRun.target_key)
    ).all()
    return {target: posted for target, posted in rows if posted is not None}


def conversation_rows(tx: Tx, account_ids: Sequence[int], since: datetime, until: datetime) -> list:
    """The customer and staff messages of these accounts in (since, until], oldest first.

    Rows of (id, account_id, is_customer, platform, place_key, thread_key, created_at, score,
    churn_risk): what account health needs to tell an answered, settled complaint from an open one.
    """
    session = orm(tx)
    if not account_ids:
        return []
    m = table_of(CustomerMessage).c
    query = (
        core_select(
            m.id,
            m.account_id,
            m.is_customer,
            m.platform,
            m.place_key,
            m.thread_key,
            m.created_at,
            m.score,
            m.churn_risk,
        )
        .where(m.account_id.in_(list(account_ids)), m.created_at > since, m.created_at <= until)
        .order_by(m.created_at, m.id)
    )
    return list(session.execute(query).all())


def open_alert_messages(tx: Tx, account_ids: Sequence[int], as_of: datetime) -> list:
    """(account_id, alert id, severity, message id) of the alerts open at `as_of` on these accounts."""
    session = orm(tx)
    if not account_ids:
        return []
    a = table_of(Alert).c
    query = select(a.account_id, a.id, a.severity, a.message_id).where(
        a.account_id.in_(list(account_ids)), a.open_key.is_not(None), a.created_at <= as_of
    )
    return list(session.execute(query).all())


def message_scores(tx: Tx, message_ids: Sequence[int]) -> list:
    """(id, account_id, is_customer, created_at, score) of the given messages."""
    session = orm(tx)
    if not message_ids:
        return []
    m = table_of(CustomerMessage).c
    columns = (m.id, m.account_id, m.is_customer, m.created_at, m.score)
    query = core_select(*columns).where(m.id.in_(list(message_ids)))
    return list(session.execute(query).all())


def alert_tenant_of(engine: Engine, alert_id: int) -> str | None:
    """The tenant whose alert this is (None: no such alert): a button is honoured only inside it."""
    with session_scope(engine) as session:
        return alert_tenant(session, alert_id)


def stored_message_text(
    engine: Engine, tenant: str, platform: str, place_key: str, external_id: str
) -> tuple[bool, str | None]:
    """Whether the tenant's message with this id is stored, and its text (None once erased)."""
    with session_scope(engine) as session:
        found = session.exec(
            select(CustomerMessage).where(
                col(CustomerMessage.tenant) == tenant,
                col(CustomerMessage.platform) == platform,
                col(CustomerMessage.place_key) == place_key,
                col(CustomerMessage.external_id) == external_id,
            )
        ).first()
        return (found is not None, found.text if found is not None else None)
