"""Erasing customer data: `tonewatch forget` (GDPR erasure) and the retention purge.

Plain functions over a Session; `bot.privacy.erasure` decides what to erase and owns the
transactions. Every function is idempotent: what is erased no longer matches,
so a second run finds nothing and counts nothing.

Where customer text or personal data can sit (storage/models.py, migrations 0001–0006):

| table | what it holds | forget --account | forget --email, retention |
|---|---|---|---|
| messages | text, author, author_email | deleted | blanked; scores, flags stay |
| analyses | evidence, advice, draft reply, abstain reason | deleted | blanked; numbers stay |
| corrections | note | deleted | note blanked; label stays |
| alerts, message_concerns, health_changes | ids and numbers | deleted | kept |
| work_items | queue entries of its messages, alerts | deleted | kept |
| places, teams_conversations | channel names, a Teams sender | the account's deleted | kept |
| digest_runs | `payload.digest`: quotes, names, narrative | stubbed | stubbed |
| training_examples | text | equal texts deleted | equal texts deleted |
| accounts | name, domains | deleted | the address leaves `domains` |
| account_owners, crm_pushes | links and fingerprints | deleted | kept |
| webhook_events | events naming the account (never customer text) | deleted | kept (no text) |
| people | our own staff who own accounts | kept | the person with that address is deleted |

`forget --email` then replaces the address wherever else it is still written
(any string or JSON column: a staff reply that quotes it, an inbox error, ...).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, String, Table, Text, and_, cast, delete, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel

from storage.db import Transaction, Tx, orm
from storage.models import (
    Account,
    AccountOwner,
    Alert,
    AlertMessage,
    AlertPost,
    Analysis,
    Correction,
    CrmPush,
    CustomerMessage,
    DigestRun,
    Erasure,
    HealthChange,
    MessageConcern,
    Person,
    Place,
    TeamsConversation,
    TrainingExample,
    WebhookEvent,
    WorkItem,
)
from storage.tenants import DEFAULT_TENANT

#: A message erased before it was analyzed: the worker must not store an analysis for it.
ERASED_STATUS = "erased"
#: What replaces an erased address inside text that is kept.
PLACEHOLDER = "[erased]"
#: How an erased message is quoted (digests, alert cards).
ERASED_MESSAGE = "(message erased)"

# The ignores: SQLModel sets `__table__` when a table model is made; its type hints do not declare it.
_M: Table = CustomerMessage.__table__  # type: ignore[attr-defined]
_A: Table = Analysis.__table__  # type: ignore[attr-defined]
_C: Table = Correction.__table__  # type: ignore[attr-defined]
_AL: Table = Alert.__table__  # type: ignore[attr-defined]
_AP: Table = AlertPost.__table__  # type: ignore[attr-defined]
_AM: Table = AlertMessage.__table__  # type: ignore[attr-defined]
_MC: Table = MessageConcern.__table__  # type: ignore[attr-defined]
_P: Table = Place.__table__  # type: ignore[attr-defined]
_R: Table = DigestRun.__table__  # type: ignore[attr-defined]
_E: Table = Erasure.__table__  # type: ignore[attr-defined]
_T: Table = TrainingExample.__table__  # type: ignore[attr-defined]
_W: Table = WorkItem.__table__  # type: ignore[attr-defined]
_HC: Table = HealthChange.__table__  # type: ignore[attr-defined]
_TC: Table = TeamsConversation.__table__  # type: ignore[attr-defined]
_ACC: Table = Account.__table__  # type: ignore[attr-defined]
_OWN: Table = AccountOwner.__table__  # type: ignore[attr-defined]
_CRM: Table = CrmPush.__table__  # type: ignore[attr-defined]
_PEOPLE: Table = Person.__table__  # type: ignore[attr-defined]
_WH: Table = WebhookEvent.__table__  # type: ignore[attr-defined]

#: Ids per statement: well under SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 500


@contextmanager
def erasure_scope(engine: Engine, dry_run: bool) -> Iterator[Transaction]:
    """One transaction: committed, or rolled back for a dry run (or on error)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield Transaction(session)
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()


@dataclass
class Tally:
    """Rows touched per table: `deleted`, or `erased` (personal fields blanked, the row kept)."""

    deleted: Counter[str] = field(default_factory=Counter)
    erased: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.deleted.values()) + sum(self.erased.values())

    def add(self, other: Tally) -> None:
        self.deleted.update(other.deleted)
        self.erased.update(other.erased)

    def as_dict(self) -> dict[str, dict[str, int]]:
        tables = sorted({*self.deleted, *self.erased})
        return {
            table: {
                action: count
                for action, count in (("deleted", self.deleted[table]), ("erased", self.erased[table]))
                if count
            }
            for table in tables
            if self.deleted[table] or self.erased[table]
        }


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _count(result: Any) -> int:
    return max(int(result.rowcount or 0), 0)


# --- finding what to erase ---------------------------------------------------------------------


def lock_account(tx: Tx, account_id: int) -> None:
    """Hold the account row (PostgreSQL): a message stored for it meanwhile waits, then fails (its retry
    starts a new account)."""
    session = orm(tx)
    session.execute(select(_ACC.c.id).where(_ACC.c.id == account_id).with_for_update())


def account_places(tx: Tx, account_id: int) -> list[tuple[int, str, str]]:
    """(id, platform, external id) of the places watched for the account."""
    session = orm(tx)
    rows = session.execute(
        select(_P.c.id, _P.c.platform, _P.c.external_id).where(_P.c.account_id == account_id)
    )
    return [(row.id, row.platform, row.external_id) for row in rows]


def account_message_condition(account_id: int, places: Sequence[tuple[int, str, str]]) -> ColumnElement[bool]:
    """The account's messages, and messages of its places stored without an account."""
    in_places = (
        or_(*(and_(_M.c.platform == platform, _M.c.place_key == key) for _, platform, key in places))
        if places
        else false()
    )
    return or_(_M.c.account_id == account_id, and_(_M.c.account_id.is_(None), in_places))


def locked_message_ids(tx: Tx, condition: ColumnElement[bool]) -> list[int]:
    """Ids of the messages matching `condition`, row-locked (PostgreSQL) in id order.

    Locking first means an analysis finishing meanwhile either commits before
    (and is then erased here) or waits and sees the message erased.
    """
    session = orm(tx)
    rows = session.execute(select(_M.c.id).where(condition).order_by(_M.c.id).with_for_update())
    return [row[0] for row in rows]


def address_pattern(address: str) -> re.Pattern[str]:
    """The address as a whole word: "jane@acme.com" but not inside "bjane@acme.com" or "jane@acme.com.au"."""
    return re.compile(rf"(?<![\w.+%-]){re.escape(address)}(?![\w-]|\.\w)", re.IGNORECASE)


def messages_from_address(tx: Tx, address: str, tenant: str = DEFAULT_TENANT) -> list[int]:
    """The tenant's messages written from `address` (its author e-mail, or an author field naming it),
    in any of its accounts."""
    session = orm(tx)
    wanted = address.lower()
    pattern = address_pattern(address)
    rows = session.execute(
        select(_M.c.id, _M.c.author, _M.c.author_email)
        .where(
            _M.c.tenant == tenant,
            or_(
                func.lower(_M.c.author_email) == wanted,
                func.lower(_M.c.author).contains(wanted, autoescape=True),
            ),
        )
        .order_by(_M.c.id)
        .with_for_update()
    )
    return [
        row.id
        for row in rows
        if (row.author_email or "").strip().lower() == wanted or pattern.search(row.author or "")
    ]


def staff_replies_in_threads(tx: Tx, message_ids: Sequence[int]) -> list[int]:
    """Our own messages in the threads of these messages: replies quote and name the customer."""
    session = orm(tx)
    threads: set[tuple[str, str, str]] = set()
    for chunk in _chunks(message_ids):
        rows = session.execute(
            select(_M.c.platform, _M.c.place_key, _M.c.thread_key).where(
                _M.c.id.in_(chunk), _M.c.thread_key.is_not(None)
            )
        )
        threads.update((row.platform, row.place_key, row.thread_key) for row in rows)
    found: set[int] = set()
    for platform, place_key, thread_key in threads:
        rows = session.execute(
            select(_M.c.id).where(
                _M.c.platform == platform,
                _M.c.place_key == place_key,
                _M.c.thread_key == thread_key,
                _M.c.is_customer == false(),
            )
        )
        found.update(row[0] for row in rows)
    return sorted(found - set(message_ids))


def old_message_ids(tx: Tx, cutoff: datetime, limit: int) -> list[int]:
    """Up to `limit` messages created before `cutoff` that still hold text or an author.

    Messages still waiting for analysis are left for the next run, so they get their scores first.
    """
    session = orm(tx)
    rows = session.execute(
        select(_M.c.id)
        .where(
            _M.c.created_at < cutoff,
            _M.c.status != "pending",
            or_(_M.c.text.is_not(None), _M.c.author != "", _M.c.author_email.is_not(None)),
        )
        .order_by(_M.c.id)
        .limit(limit)
        .with_for_update()
    )
    return [row[0] for row in rows]


# --- erasing in place (the row and its numbers stay) -------------------------------------------


def _analysis_has_text() -> ColumnElement[bool]:
    return or_(
        _A.c.draft_reply != "",
        _A.c.recommended_response != "",
        _A.c.abstain_reason.is_not(None),
        cast(_A.c.evidence, Text) != "[]",
    )


def scrub_analyses(tx: Tx, message_ids: Sequence[int]) -> int:
    """Blank the text an analysis holds about these messages (quotes, the draft, the advice)."""
    session = orm(tx)
    erased = 0
    for chunk in _chunks(message_ids):
        erased += _count(
            session.execute(
                update(_A)
                .where(_A.c.message_id.in_(chunk), _analysis_has_text())
                .values(evidence=[], recommended_response="", draft_reply="", abstain_reason=None)
            )
        )
    return erased


def erase_messages(tx: Tx, message_ids: Sequence[int], *, keep_author: bool = False) -> Tally:
    """Blank the text (and, unless `keep_author`, the author) of these messages and everything quoting them.

    Scores, labels, flags and times stay, so health and trends are unchanged. A
    message not analyzed yet is marked erased: an analysis in flight is not stored.
    """
    session = orm(tx)
    tally = Tally()
    for chunk in _chunks(message_ids):
        texts = select(_M.c.text).where(_M.c.id.in_(chunk), _M.c.text.is_not(None))
        tally.deleted["training_examples"] += _count(session.execute(delete(_T).where(_T.c.text.in_(texts))))
        personal = [_M.c.text.is_not(None), _M.c.status == "pending"]
        values: dict[str, Any] = {"text": None}
        if not keep_author:
            personal += [_M.c.author != "", _M.c.author_email.is_not(None)]
            values.update(author="", author_email=None)
        tally.erased["messages"] += _count(
            session.execute(update(_M).where(_M.c.id.in_(chunk), or_(*personal)).values(**values))
        )
        session.execute(
            update(_M).where(_M.c.id.in_(chunk), _M.c.status == "pending").values(status=ERASED_STATUS)
        )
        tally.erased["analyses"] += scrub_analyses(session, chunk)
        tally.erased["corrections"] += _count(
            session.execute(update(_C).where(_C.c.message_id.in_(chunk), _C.c.note != "").values(note=""))
        )
    return tally


def old_analyses_with_text(tx: Tx, cutoff: datetime, limit: int) -> list[int]:
    """Messages created before `cutoff` whose analyses still hold text (e.g. deleted in Slack earlier)."""
    session = orm(tx)
    rows = session.execute(
        select(_A.c.message_id)
        .join(_M, _M.c.id == _A.c.message_id)
        .where(_M.c.created_at < cutoff, _analysis_has_text())
        .distinct()
        .order_by(_A.c.message_id)
        .limit(limit)
    )
    return [row[0] for row in rows]


def scrub_old_corrections(tx: Tx, cutoff: datetime) -> int:
    """Blank the notes of corrections made on messages created before `cutoff`."""
    session = orm(tx)
    old = select(_M.c.id).where(_M.c.created_at < cutoff)
    return _count(
        session.execute(update(_C).where(_C.c.message_id.in_(old), _C.c.note != "").values(note=""))
    )


def drop_domain_entry(tx: Tx, address: str, tenant: str = DEFAULT_TENANT) -> int:
    """Remove an e-mail address listed among the tenant's accounts' domains; returns the accounts changed."""
    session = orm(tx)
    wanted = address.lower()
    changed = 0
    rows = session.execute(
        select(_ACC.c.id, _ACC.c.domains).where(
            _ACC.c.tenant == tenant, func.lower(_ACC.c.domains).contains(wanted, autoescape=True)
        )
    )
    for row in rows:
        entries = [d.strip() for d in (row.domains or "").replace(";", ",").split(",") if d.strip()]
        kept = [d for d in entries if d.lower().lstrip("@") != wanted]
        if len(kept) != len(entries):
            session.execute(update(_ACC).where(_ACC.c.id == row.id).values(domains=",".join(kept)))
            changed += 1
    return changed


def drop_person(tx: Tx, address: str) -> int:
    """Remove the owner (one of our people) known by this address, and their account links; returns
    how many. (Left to the literal scrub, two erased people would share the unique "[erased]".)"""
    session = orm(tx)
    wanted = address.lower()
    # The accounts' primary-owner mirror (`Account.owner`) names them too.
    session.execute(update(_ACC).where(func.lower(_ACC.c.owner) == wanted).values(owner=None))
    query = select(_PEOPLE.c.id).where(func.lower(_PEOPLE.c.email) == wanted)
    ids = [row[0] for row in session.execute(query)]
    if not ids:
        return 0
    session.execute(delete(_OWN).where(_OWN.c.person_id.in_(ids)))
    return _count(session.execute(delete(_PEOPLE).where(_PEOPLE.c.id.in_(ids))))


def _replace_deep(value: Any, pattern: re.Pattern[str], placeholder: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(placeholder, value)
    if isinstance(value, list):
        return [_replace_deep(item, pattern, placeholder) for item in value]
    if isinstance(value, dict):
        return {
            _replace_deep(key, pattern, placeholder): _replace_deep(item, pattern, placeholder)
            for key, item in value.items()
        }
    return value


def _text_columns(table: Table) -> list:
    return [
        column
        for column in table.columns
        if not column.primary_key and isinstance(column.type, (String, JSON))
    ]


def scrub_literal(
    tx: Tx, address: str, placeholder: str = PLACEHOLDER, tenant: str | None = None
) -> Counter[str]:
    """Replace `address` in every string and JSON column of every table (in the rows of `tenant` where a
    table has tenants); returns rows changed per table."""
    session = orm(tx)
    pattern = address_pattern(address)
    wanted = address.lower()
    changed: Counter[str] = Counter()
    for table in SQLModel.metadata.sorted_tables:
        primary = list(table.primary_key.columns)
        if len(primary) != 1:
            continue
        key = primary[0]
        scope = [table.c.tenant == tenant] if tenant is not None and "tenant" in table.c else []
        for column in _text_columns(table):
            rows = session.execute(
                select(key, column).where(
                    *scope, func.lower(cast(column, Text)).contains(wanted, autoescape=True)
                )
            ).all()
            for row_key, value in rows:
                new_value = _replace_deep(value, pattern, placeholder)
                if new_value != value:
                    session.execute(update(table).where(key == row_key).values({column.name: new_value}))
                    changed[table.name] += 1
    return changed


# --- digest records ----------------------------------------------------------------------------


def _mentions(value: Any, message_ids: set[int], needles: Sequence[str]) -> bool:
    """Whether a stored digest quotes one of `message_ids` or names one of `needles` (lower case)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("id", "message_id") and isinstance(item, int) and item in message_ids:
                return True
            if (
                key == "message_ids"
                and isinstance(item, list)
                and message_ids.intersection(i for i in item if isinstance(i, int))
            ):
                return True
            if _mentions(item, message_ids, needles):
                return True
        return False
    if isinstance(value, list):
        return any(_mentions(item, message_ids, needles) for item in value)
    if isinstance(value, str):
        lowered = value.lower()
        return any(needle in lowered for needle in needles)
    return False


def scrub_digest_records(
    tx: Tx,
    *,
    message_ids: Iterable[int] = (),
    needles: Sequence[str] = (),
    before: datetime | None = None,
    reason: str,
) -> int:
    """Replace the record of a sent digest (quotes, names, narrative) with a stub.

    With `before`, every digest run claimed before then; otherwise those that
    quote one of `message_ids` or mention one of `needles`. The run row stays:
    it is what keeps the digest from being sent twice.
    """
    session = orm(tx)
    ids = set(message_ids)
    lowered = [needle.lower() for needle in needles if needle]
    query = select(_R.c.id, _R.c.payload).where(cast(_R.c.payload, Text).contains('"digest"'))
    if before is not None:
        query = query.where(_R.c.claimed_at < before)
    erased = 0
    for row_id, payload in session.execute(query).all():
        digest = (payload or {}).get("digest")
        if not isinstance(digest, dict) or "erased" in digest:
            continue
        if before is None and not _mentions(digest, ids, lowered):
            continue
        session.execute(
            update(_R).where(_R.c.id == row_id).values(payload={**payload, "digest": {"erased": reason}})
        )
        erased += 1
    return erased


# --- deleting an account -----------------------------------------------------------------------


@dataclass(frozen=True)
class PostedRef:
    """A post Tonewatch made in Slack or Teams about an alert: its card (`ref == root`) or a post in
    the card's thread."""

    platform: str
    channel: str
    root: str
    ref: str


def take_alert_posts(tx: Tx, alert_ids: Sequence[int]) -> list[PostedRef]:
    """Where these alerts were posted, each card before its thread's posts; their rows are deleted.

    Cards posted before `alert_posts` recorded them are found by their alert's `post_ref`, the
    platform by the alert channel's place."""
    session = orm(tx)
    posts: list[PostedRef] = []
    for chunk in _chunks(list(alert_ids)):
        cards = session.execute(
            select(_AL.c.id, _AL.c.post_channel, _AL.c.post_ref, _P.c.platform)
            .join(_P, _P.c.external_id == _AL.c.post_channel, isouter=True)
            .where(_AL.c.id.in_(chunk), _AL.c.post_ref.is_not(None))
            .order_by(_AL.c.id)
        ).all()
        roots = {alert_id: (channel, ref) for alert_id, channel, ref, _ in cards}
        recorded = session.execute(
            select(_AP.c.alert_id, _AP.c.platform, _AP.c.channel, _AP.c.ref)
            .where(_AP.c.alert_id.in_(chunk))
            .order_by(_AP.c.id)
        ).all()
        platforms = {alert_id: platform for alert_id, platform, _, _ in recorded}
        for alert_id, _channel, _ref, place_platform in cards:
            channel, root = roots[alert_id]
            platform = platforms.get(alert_id) or place_platform
            if platform:
                posts.append(PostedRef(platform, channel, root, root))
        for alert_id, platform, channel, ref in recorded:
            root = roots.get(alert_id, (channel, ref))[1]
            if ref != root:
                posts.append(PostedRef(platform, channel, root, ref))
        session.execute(delete(_AP).where(_AP.c.alert_id.in_(chunk)))
    return list(dict.fromkeys(posts))  # once each, whatever the joins matched


def take_message_posts(
    tx: Tx, message_ids: Sequence[int]
) -> tuple[list[PostedRef], list[tuple[int, int]]]:
    """For messages being erased: the thread posts carrying their words (drafts answering them, lines
    quoting them), whose rows are deleted, and the posted alerts whose card quotes one of them, as
    (alert id, message id), to be shown again without it."""
    session = orm(tx)
    posts: list[PostedRef] = []
    cards: list[tuple[int, int]] = []
    for chunk in _chunks(list(message_ids)):
        carried = session.execute(
            select(_AP.c.id, _AP.c.platform, _AP.c.channel, _AP.c.ref, _AL.c.post_ref)
            .join(_AL, _AL.c.id == _AP.c.alert_id)
            .where(_AP.c.message_id.in_(chunk))
            .order_by(_AP.c.id)
        ).all()
        posts += [PostedRef(kind, channel, root or ref, ref) for _, kind, channel, ref, root in carried]
        if carried:
            session.execute(delete(_AP).where(_AP.c.id.in_([row[0] for row in carried])))
        cards += [
            (alert_id, message_id)
            for alert_id, message_id in session.execute(
                select(_AL.c.id, _AL.c.message_id)
                .where(_AL.c.message_id.in_(chunk), _AL.c.post_ref.is_not(None))
                .order_by(_AL.c.id)
            ).all()
        ]
    return posts, cards


def delete_account_data(
    tx: Tx,
    account_id: int,
    *,
    message_work_kinds: Sequence[str],
    alert_work_kinds: Sequence[str],
    alert_update_kinds: Sequence[str],
) -> tuple[Tally, list[int], list[PostedRef]]:
    """Delete the account and everything it owns, children first; returns the tally, the message ids
    and the alerts' posts in Slack and Teams (for the caller to take back).

    Queue entries are deleted by kind: `message_work_kinds` have a message id as
    subject, `alert_work_kinds` an alert id, `alert_update_kinds` "<alert id>:...".
    """
    session = orm(tx)
    tally = Tally()
    places = account_places(session, account_id)
    condition = account_message_condition(account_id, places)
    # Lock order (PostgreSQL): the messages first, in id order like the analysis worker, which also needs
    # the account row for a message's concerns; then the account, so no new message can join it; then
    # the messages again, taking in one that joined meanwhile.
    locked_message_ids(session, condition)
    lock_account(session, account_id)
    message_ids = locked_message_ids(session, condition)
    messages = select(_M.c.id).where(condition)
    alerts = select(_AL.c.id).where(or_(_AL.c.account_id == account_id, _AL.c.message_id.in_(messages)))
    alert_ids = [row[0] for row in session.execute(alerts)]
    texts = select(_M.c.text).where(condition, _M.c.text.is_not(None))
    tally.deleted["training_examples"] += _count(session.execute(delete(_T).where(_T.c.text.in_(texts))))
    tally.deleted["corrections"] += _count(
        session.execute(delete(_C).where(or_(_C.c.message_id.in_(messages), _C.c.alert_id.in_(alerts))))
    )
    for chunk in _chunks(message_ids):
        subjects = [str(i) for i in chunk]
        tally.deleted["work_items"] += _count(
            session.execute(delete(_W).where(_W.c.kind.in_(message_work_kinds), _W.c.subject.in_(subjects)))
        )
    for alert_id in alert_ids:
        tally.deleted["work_items"] += _count(
            session.execute(
                delete(_W).where(
                    or_(
                        and_(_W.c.kind.in_(alert_work_kinds), _W.c.subject == str(alert_id)),
                        and_(
                            _W.c.kind.in_(alert_update_kinds),
                            _W.c.subject.startswith(f"{alert_id}:", autoescape=True),
                        ),
                    )
                )
            )
        )
    posts = take_alert_posts(session, alert_ids)
    # Lines quoting these messages on alerts the account does not own (an account-less place's).
    carried, _cards = take_message_posts(session, message_ids)  # those cards' alerts are deleted below
    posts += carried
    session.execute(delete(_AM).where(or_(_AM.c.alert_id.in_(alerts), _AM.c.message_id.in_(messages))))
    tally.deleted["alerts"] += _count(session.execute(delete(_AL).where(_AL.c.id.in_(alerts))))
    tally.deleted["message_concerns"] += _count(
        session.execute(
            delete(_MC).where(or_(_MC.c.message_id.in_(messages), _MC.c.account_id == account_id))
        )
    )
    tally.deleted["analyses"] += _count(session.execute(delete(_A).where(_A.c.message_id.in_(messages))))
    for chunk in _chunks(message_ids):
        tally.deleted["messages"] += _count(session.execute(delete(_M).where(_M.c.id.in_(chunk))))
    tally.deleted["health_changes"] += _count(
        session.execute(delete(_HC).where(_HC.c.account_id == account_id))
    )
    teams_places = [key for _, platform, key in places if platform == "teams"]
    if teams_places:
        tally.deleted["teams_conversations"] += _count(
            session.execute(delete(_TC).where(_TC.c.conversation_id.in_(teams_places)))
        )
    if places:
        tally.deleted["places"] += _count(
            session.execute(delete(_P).where(_P.c.id.in_([place_id for place_id, _, _ in places])))
        )
    # Who owns the account (our own people stay in `people`; only the link goes).
    session.execute(delete(_OWN).where(_OWN.c.account_id == account_id))
    session.execute(delete(_CRM).where(_CRM.c.account_id == account_id))
    # Outbound events about the account not delivered yet (or kept after delivery) name it: they go,
    # and a queued delivery of one finds it gone and sends nothing.
    session.execute(
        delete(_WH).where(
            or_(
                _WH.c.body.contains(f'"account_id":{account_id},', autoescape=True),
                _WH.c.body.contains(f'"account_id":{account_id}}}', autoescape=True),
            )
        )
    )
    tally.deleted["accounts"] += _count(session.execute(delete(_ACC).where(_ACC.c.id == account_id)))
    return tally, message_ids, posts


# --- erasure records ---------------------------------------------------------------------------


def subject_key(kind: str, subject: str) -> str:
    """The record key of a forgotten account or address: a one-way hash, never the name itself."""
    digest = hashlib.sha256(f"tonewatch-forget:{kind}:{subject}".encode()).hexdigest()
    return f"{kind}:{digest[:40]}"


def forgotten_at(tx: Tx, kind: str, subject: str) -> datetime | None:
    """When `subject` was last forgotten, or None."""
    session = orm(tx)
    row = session.execute(
        select(_E.c.erased_at).where(_E.c.subject_key == subject_key(kind, subject))
    ).first()
    return row[0] if row else None


def record_forgotten(tx: Tx, kind: str, subject: str, now: datetime, counts: dict) -> None:
    """Remember that `subject` was forgotten (counts only), so asking again says so."""
    session = orm(tx)
    key = subject_key(kind, subject)
    found = session.execute(select(_E.c.id).where(_E.c.subject_key == key)).first()
    if found is not None:
        session.execute(update(_E).where(_E.c.id == found[0]).values(erased_at=now, counts=counts))
        return
    try:
        with session.begin_nested():  # two forgets of the same subject at once: one record is enough
            session.add(Erasure(subject_key=key, erased_at=now, counts=counts))
    except IntegrityError:
        pass
