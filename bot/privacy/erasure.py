"""Forgetting a customer (GDPR erasure) and purging old customer text (retention).

- `forget_account`: the account and everything it owns are deleted — messages,
  analyses, alerts, corrections, colour changes, its channels — and the account
  row itself. No tombstone account is kept: nothing of the old data is left to
  come back, so a customer writing again later starts a new, empty account.
- `forget_address`: every message written from an e-mail address, in any
  account, loses its text and author (its scores stay, so the account's health
  still counts it), as do our replies in those threads; the address is then
  replaced wherever else it is still written.
- `purge_older_than`: the text and authors of messages older than N days, and
  everything quoting them, are blanked; scores stay, so trends and health are
  unchanged (`TONEWATCH_RETENTION_DAYS`, run daily by the scheduler).

Each forget runs in one transaction (all or nothing); a dry run does the same
work and rolls it back, so its counts are exact. The purge commits in batches,
so a long first purge never holds SQLite's writer for long while `tonewatch run`
is serving. Everything is idempotent. A forgotten account or address is
remembered only as a one-way hash with the counts, so asking again answers
"already forgotten" rather than "unknown".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.alerts.delivery import POST_ALERT_THREAD
from bot.alerts.service import POST_ALERT, RETRACT_POST, UPDATE_ALERT, retraction_subject
from bot.messages.pipeline import ANALYZE
from bot.questions.grammar import resolve_account
from storage import erasure
from storage.db import Engine, Transaction
from storage.erasure import Tally, erasure_scope
from storage.errors import UserError
from storage.queries import account_key, find_account, has_active_model
from storage.queue import enqueue
from storage.tenants import DEFAULT_TENANT, account_names_of
from storage.types import utcnow

#: Messages per transaction in the retention purge.
PURGE_BATCH = 500


class UnknownSubject(UserError):
    """Nothing is stored for that account or address (and it was never forgotten)."""


@dataclass
class ErasureSummary:
    """What an erasure did (or, in a dry run, would do), per table."""

    action: str  # "forget-account" | "forget-email" | "retention"
    subject: str
    tally: Tally
    dry_run: bool = False
    at: datetime | None = None
    #: Set when nothing was left because the subject was forgotten before.
    already_forgotten_at: datetime | None = None
    #: The active trained model may have been fitted on erased texts.
    retrain_advised: bool = False
    #: Alert cards and their threads' posts in Slack and Teams, queued to be deleted there.
    posts_to_take_back: int = 0
    #: Posted alert cards quoting an erased message, queued to be shown again without it.
    cards_to_redraw: int = 0

    @property
    def title(self) -> str:
        if self.already_forgotten_at is not None:
            when = f"{self.already_forgotten_at:%Y-%m-%d %H:%M} UTC"
            return f"{self.subject} was already forgotten on {when}; nothing left to erase"
        verb = "Would erase" if self.dry_run else "Erased"
        if self.tally.total == 0:
            return f"Nothing to erase for {self.subject}"
        return f"{verb} {self.subject}:"

    def table_lines(self) -> list[str]:
        """One line per table touched: "  messages             12 deleted"."""
        lines = []
        for table, actions in self.tally.as_dict().items():
            done = ", ".join(f"{count} {action}" for action, count in actions.items())
            lines.append(f"  {table:<20} {done}")
        return lines

    def lines(self) -> list[str]:
        lines = [self.title, *self.table_lines()]
        queued = "would be" if self.dry_run else "are queued to be"
        if self.posts_to_take_back:
            lines.append(
                f"  {self.posts_to_take_back} posts in Slack or Teams (alert cards and their threads) "
                f"{queued} deleted there by `tonewatch run`"
            )
        if self.cards_to_redraw:
            lines.append(
                f"  {self.cards_to_redraw} alert cards quoting the erased words {queued} shown again "
                "without them by `tonewatch run`"
            )
        if self.dry_run and self.tally.total:
            lines.append("Dry run: nothing was changed.")
        if self.retrain_advised and not self.dry_run:
            lines.append(
                "The active trained model was fitted on stored texts; run `tonewatch train` "
                "to refit it without the erased ones."
            )
        return lines

    def to_json(self) -> dict:
        return {
            "action": self.action,
            "subject": self.subject,
            "dry_run": self.dry_run,
            "at": self.at.isoformat() if self.at else None,
            "already_forgotten_at": (
                self.already_forgotten_at.isoformat() if self.already_forgotten_at else None
            ),
            "tables": self.tally.as_dict(),
            "total": self.tally.total,
            "retrain_advised": self.retrain_advised,
            "posts_to_take_back": self.posts_to_take_back,
            "cards_to_redraw": self.cards_to_redraw,
        }


# --- forget an account -------------------------------------------------------------------------


def _subject(tenant: str, subject: str) -> str:
    """What the erasure record hashes: the subject, within its tenant (the default tenant's as it was)."""
    return subject if tenant == DEFAULT_TENANT else f"{tenant}/{subject}"


def forget_account(
    engine: Engine,
    name: str,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    tenant: str = DEFAULT_TENANT,
) -> ErasureSummary:
    """Delete the tenant's account called exactly `name` (any case or spacing) and all its data; another
    tenant's namesake is untouched."""
    now = now or utcnow()
    key = account_key(name)
    if not key:
        raise UserError("name the account to forget: tonewatch forget --account NAME")
    record = _subject(tenant, key)
    with erasure_scope(engine, dry_run) as tx:
        account = find_account(tx, name, tenant)
        if account is None or account.id is None:
            when = erasure.forgotten_at(tx, "account", record)
            if when is not None:
                return ErasureSummary("forget-account", f'account "{name}"', Tally(), dry_run, now, when)
            raise UnknownSubject(_unknown_account(tx, name, tenant))
        subject = f'account "{account.name}"'
        tally, message_ids, posts = erasure.delete_account_data(
            tx,
            account.id,
            message_work_kinds=(ANALYZE,),
            alert_work_kinds=(POST_ALERT, POST_ALERT_THREAD),
            alert_update_kinds=(UPDATE_ALERT,),
        )
        # Durable, in this transaction: the running worker deletes them, whenever it can reach the platform.
        for post in posts:
            enqueue(tx, RETRACT_POST, retraction_subject(post))
        tally.erased["digest_runs"] += erasure.scrub_digest_records(
            tx, message_ids=message_ids, needles=[account.name], reason="forget"
        )
        summary = ErasureSummary("forget-account", subject, tally, dry_run, now)
        summary.posts_to_take_back = len(posts)
        summary.retrain_advised = bool(tally.deleted["messages"]) and has_active_model(tx)
        erasure.record_forgotten(tx, "account", record, now, tally.as_dict())
        return summary


def _unknown_account(tx: Transaction, name: str, tenant: str) -> str:
    names = account_names_of(tx, tenant)
    match = resolve_account(name, names)
    suggestions = (match.name,) if match.name else match.suggestions
    hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    return f"no account named {name!r}{hint} (forget needs the account's exact name)"


# --- forget an e-mail address ------------------------------------------------------------------


def normalize_address(address: str) -> str:
    """A lower-cased e-mail address, or `UserError` naming what is wrong with it."""
    cleaned = address.strip().strip("<>").strip().lower()
    local, at, domain = cleaned.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in cleaned) or "@" in domain:
        raise UserError(f"{address!r} is not an e-mail address like jane@example.com")
    return cleaned


def forget_address(
    engine: Engine,
    address: str,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    tenant: str = DEFAULT_TENANT,
) -> ErasureSummary:
    """Erase every message of the tenant written from `address`, our replies in its threads, and the
    address itself."""
    now = now or utcnow()
    address = normalize_address(address)
    subject = f"e-mail address {address}"
    with erasure_scope(engine, dry_run) as tx:
        authored = erasure.messages_from_address(tx, address, tenant)
        replies = erasure.staff_replies_in_threads(tx, authored)
        tally = erasure.erase_messages(tx, authored)
        tally.add(erasure.erase_messages(tx, replies, keep_author=True))
        tally.erased["digest_runs"] += erasure.scrub_digest_records(
            tx, message_ids=[*authored, *replies], needles=[address], reason="forget"
        )
        tally.erased["accounts"] += erasure.drop_domain_entry(tx, address, tenant)
        if people := erasure.drop_person(tx, address):
            tally.deleted["people"] += people
        tally.erased.update(erasure.scrub_literal(tx, address, tenant=tenant))
        # What was posted with those words: drafts and lines deleted, cards shown again without them.
        posts, cards = erasure.take_message_posts(tx, [*authored, *replies])
        for post in posts:
            enqueue(tx, RETRACT_POST, retraction_subject(post))
        for alert_id, message_id in cards:
            enqueue(tx, UPDATE_ALERT, f"{alert_id}:{message_id}:erased")
        if tally.total == 0:
            when = erasure.forgotten_at(tx, "email", _subject(tenant, address))
            if when is None:
                raise UnknownSubject(f"nothing is stored for the e-mail address {address}")
            return ErasureSummary("forget-email", subject, tally, dry_run, now, when)
        summary = ErasureSummary("forget-email", subject, tally, dry_run, now)
        summary.posts_to_take_back, summary.cards_to_redraw = len(posts), len(cards)
        summary.retrain_advised = bool(authored) and has_active_model(tx)
        erasure.record_forgotten(tx, "email", _subject(tenant, address), now, tally.as_dict())
        return summary


# --- retention ---------------------------------------------------------------------------------


def purge_older_than(
    engine: Engine,
    days: int,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    batch: int = PURGE_BATCH,
) -> ErasureSummary:
    """Blank customer text and authors older than `days` days; scores stay. Messages still waiting for
    analysis are left for the next run (they get their scores first)."""
    if days < 1:
        raise UserError("--older-than needs a number of days, 1 or more")
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    plural = "s" if days != 1 else ""
    subject = f"customer text older than {days} day{plural} (before {cutoff:%Y-%m-%d %H:%M} UTC)"
    tally = Tally()
    with _batch_transactions(engine, dry_run) as batch_transaction:
        while True:
            with batch_transaction() as tx:
                ids = erasure.old_message_ids(tx, cutoff, batch)
                if ids:
                    tally.add(erasure.erase_messages(tx, ids))
            if len(ids) < batch:
                break
        while True:
            with batch_transaction() as tx:
                ids = erasure.old_analyses_with_text(tx, cutoff, batch)
                if ids:
                    tally.erased["analyses"] += erasure.scrub_analyses(tx, ids)
            if len(ids) < batch:
                break
        with batch_transaction() as tx:
            tally.erased["corrections"] += erasure.scrub_old_corrections(tx, cutoff)
            tally.erased["digest_runs"] += erasure.scrub_digest_records(
                tx, before=cutoff, reason="retention"
            )
            retrain = bool(tally.erased["messages"]) and has_active_model(tx)
    return ErasureSummary("retention", subject, tally, dry_run, now, retrain_advised=retrain)


@contextmanager
def _batch_transactions(
    engine: Engine, dry_run: bool
) -> Iterator[Callable[[], AbstractContextManager[Transaction]]]:
    """Transactions for the purge's batches: each commits on its own, or (dry run) all share one
    rolled back."""
    if not dry_run:
        yield lambda: erasure_scope(engine, False)
        return
    with erasure_scope(engine, True) as shared:

        @contextmanager
        def same() -> Iterator[Transaction]:
            yield shared

        yield same
